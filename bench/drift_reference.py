#!/usr/bin/python3
"""Reference for bench:drift: pandas + scipy computing KS, Wasserstein and chi-squared per column.
Prints one JSON object: {"seconds": ..., "features": {name: {...}}}."""
import json
import sys
import time

t0 = time.perf_counter()
import numpy as np
import pandas as pd
from scipy import stats

ref = pd.read_csv(sys.argv[1])
cur = pd.read_csv(sys.argv[2])
out = {}
for col in ref.columns:
    a = ref[col].dropna()
    b = cur[col].dropna()
    if pd.api.types.is_numeric_dtype(a):
        ks = stats.ks_2samp(a.to_numpy(), b.to_numpy())
        w = stats.wasserstein_distance(a.to_numpy(), b.to_numpy())
        out[col] = {'ks': [float(ks.statistic), float(ks.pvalue)], 'wasserstein': float(w)}
    else:
        cats = sorted(set(a.unique()) | set(b.unique()))
        table = np.vstack([a.value_counts().reindex(cats, fill_value=0).to_numpy(),
                           b.value_counts().reindex(cats, fill_value=0).to_numpy()])
        chi = stats.chi2_contingency(table, correction=False)
        out[col] = {'chiSquare': [float(chi[0]), float(chi[1])]}
print(json.dumps({'seconds': time.perf_counter() - t0, 'features': out}))
