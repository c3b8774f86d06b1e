#!/usr/bin/python3
"""Writes the small example datasets in examples/ (customer-churn-like features, current has drift; scored: churn
scores with their labels, for `lookout metrics`)."""
import numpy as np, pandas as pd
rng = np.random.default_rng(7)
def make(n, shift):
    df = pd.DataFrame({
        'age': np.round(rng.normal(40 + 3*shift, 12, n)).clip(18, 90).astype(int),
        'income': np.round(rng.lognormal(10.5 + 0.15*shift, 0.6, n), 2),
        'tenure_months': rng.integers(0, 120, n),
        'sessions_7d': rng.poisson(5 + 2*shift, n),
        'avg_basket': np.round(rng.gamma(2, 20, n), 2),
        'channel': rng.choice(['web', 'ios', 'android', 'partner'], n, p=[0.4, 0.25, 0.25, 0.1] if not shift else [0.25, 0.25, 0.3, 0.2]),
        'plan': rng.choice(['free', 'basic', 'pro'] + (['enterprise'] if shift else []), n),
    })
    df.loc[rng.random(n) < 0.02*(1+shift), 'income'] = np.nan
    return df
make(5000, 0).to_csv('examples/reference.csv', index=False)
make(5000, 1).to_csv('examples/current.csv', index=False)

# scored.csv: its own generator, so the two files above stay as they were.
srng = np.random.default_rng(11)
z = srng.normal(-1.6, 1.3, 2000)
p_churn = 1 / (1 + np.exp(-z))
pd.DataFrame({
    'customer_id': [f'c{i:05d}' for i in range(2000)],
    'p_churn': np.round(p_churn, 4),
    'churned': (srng.random(2000) < p_churn).astype(int),
}).to_csv('examples/scored.csv', index=False)
