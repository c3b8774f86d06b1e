#!/usr/bin/python3
"""Golden cases for the numerical and categorical drift statistics (except the KS p-value internals,
covered by ks.py). References: scipy.stats.wasserstein_distance, scipy.stats.ks_2samp,
scipy.stats.chi2_contingency(correction=False), scipy.spatial.distance.jensenshannon(base=2), numpy.quantile.
PSI and Hellinger have no scipy function; they are written here with numpy from their definitions.
Run with Debian's python3 (python3-scipy): /usr/bin/python3 scripts/golden/drift.py
"""
import json
import math
import os

import numpy as np
from scipy import stats
from scipy.spatial.distance import jensenshannon

FLOOR = 1e-4
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'golden', 'drift.json')
rng = np.random.default_rng(20261123)


def enc(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def floored(counts):
    counts = np.asarray(counts, dtype=float)
    p = counts / counts.sum()
    p[counts == 0] = FLOOR
    return p


def hellinger(p, q):
    p = p / p.sum()
    q = q / q.sum()
    return float(np.sqrt(np.sum((np.sqrt(p) - np.sqrt(q)) ** 2) / 2))


def psi(p, q):
    return float(np.sum((q - p) * np.log(q / p)))


def numerical_case(name, a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    fa = a[np.isfinite(a)]
    fb = b[np.isfinite(b)]
    case = {'name': name, 'a': [enc(float(x)) for x in a], 'b': [enc(float(x)) for x in b]}
    if len(fa) == 0 or len(fb) == 0:
        case['expected'] = None
        return case
    edges = np.unique(np.quantile(fa, np.arange(1, 10) / 10))
    rc = np.bincount(np.searchsorted(edges, fa, side='right'), minlength=len(edges) + 1)
    cc = np.bincount(np.searchsorted(edges, fb, side='right'), minlength=len(edges) + 1)
    p, q = floored(rc), floored(cc)
    w = float(stats.wasserstein_distance(fa, fb))
    sd = float(np.std(fa))
    ks = stats.ks_2samp(fa, fb, method='auto')
    case['expected'] = {
        'ks': {'statistic': float(ks.statistic), 'pValue': float(ks.pvalue)},
        'wasserstein': w,
        # a constant reference has std 0 (numpy's std of np.full(n, 0.1) is ~1e-17, not 0)
        'wassersteinNormalized': (w / sd) if fa.min() < fa.max() else (0.0 if w == 0 else None),
        'binEdges': [float(e) for e in edges],
        'referenceBinCounts': [int(c) for c in rc],
        'currentBinCounts': [int(c) for c in cc],
        'psi': psi(p, q),
        'jensenShannon': float(jensenshannon(p, q, base=2)),
        'hellinger': hellinger(p, q),
        'outOfRange': float(np.mean((fb < fa.min()) | (fb > fa.max()))),
    }
    return case


def categorical_case(name, a, b):
    ca = [x for x in a if x is not None]
    cb = [x for x in b if x is not None]
    case = {'name': name, 'a': list(a), 'b': list(b)}
    if not ca or not cb:
        case['expected'] = None
        return case
    cats = sorted(set(ca) | set(cb))
    ra = np.array([ca.count(c) for c in cats])
    rb = np.array([cb.count(c) for c in cats])
    table = np.vstack([ra, rb])
    if len(cats) == 1:
        chi = {'statistic': 0.0, 'pValue': 1.0, 'dof': 0}
    else:
        res = stats.chi2_contingency(table, correction=False)
        chi = {'statistic': float(res[0]), 'pValue': float(res[1]), 'dof': int(res[2])}
    p, q = floored(ra), floored(rb)
    case['expected'] = {
        'chiSquare': chi,
        'psi': psi(p, q),
        'jensenShannon': float(jensenshannon(p, q, base=2)),
        'hellinger': hellinger(p, q),
        'newCategories': [c for c in cats if c not in set(ca)],
    }
    return case


def with_nan(x, share):
    x = np.array(x, dtype=float)
    x[rng.random(len(x)) < share] = np.nan
    return x


num = []
num.append(numerical_case('normal-shift-200-300', rng.normal(0, 1, 200), rng.normal(0.3, 1, 300)))
num.append(numerical_case('normal-same-500', rng.normal(0, 1, 500), rng.normal(0, 1, 500)))
num.append(numerical_case('ties-integers', rng.integers(0, 5, 300).astype(float), rng.integers(0, 6, 250).astype(float)))
num.append(numerical_case('ties-heavy-zero', np.where(rng.random(400) < 0.6, 0.0, rng.exponential(1, 400)),
                          np.where(rng.random(300) < 0.3, 0.0, rng.exponential(1.5, 300))))
num.append(numerical_case('n1-vs-n1', [1.5], [2.5]))
num.append(numerical_case('n1-vs-n7', [0.0], rng.normal(0, 1, 7)))
num.append(numerical_case('n3-vs-n2-equal-values', [1.0, 1.0, 1.0], [1.0, 1.0]))
num.append(numerical_case('constant-reference', np.full(50, 3.0), rng.normal(3, 1, 40)))
num.append(numerical_case('constant-both-same', np.full(30, 2.0), np.full(20, 2.0)))
num.append(numerical_case('constant-both-different', np.full(30, 2.0), np.full(20, 5.0)))
num.append(numerical_case('with-nan', with_nan(rng.normal(0, 1, 300), 0.1), with_nan(rng.normal(0.1, 1.2, 200), 0.3)))
num.append(numerical_case('all-missing-current', rng.normal(0, 1, 20), [math.nan] * 10))
num.append(numerical_case('all-missing-reference', [math.nan] * 10, rng.normal(0, 1, 20)))
num.append(numerical_case('lognormal-scale', rng.lognormal(3, 1, 1000), rng.lognormal(3.2, 1, 1500)))
num.append(numerical_case('separated', rng.normal(0, 1, 100), rng.normal(100, 1, 120)))
num.append(numerical_case('n10000-vs-n10000', np.round(rng.normal(0, 1, 10000), 3), np.round(rng.normal(0.02, 1, 10000), 3)))
num.append(numerical_case('n10001-vs-n10001', np.round(rng.normal(0, 1, 10001), 3), np.round(rng.normal(0.02, 1, 10001), 3)))
num.append(numerical_case('n10000-vs-n9999', np.round(rng.uniform(0, 1, 10000), 4), np.round(rng.uniform(0, 1.01, 9999), 4)))
num.append(numerical_case('huge-50000-vs-40000', np.round(rng.gamma(2, 2, 50000), 2), np.round(rng.gamma(2.1, 2, 40000), 2)))
num.append(numerical_case('negative-and-large', rng.normal(-1e6, 1e5, 300), rng.normal(-1.1e6, 1e5, 200)))
for i in range(12):
    n1 = int(rng.integers(1, 400))
    n2 = int(rng.integers(1, 400))
    num.append(numerical_case(f'random-{i}', np.round(rng.normal(0, 1, n1), int(rng.integers(0, 4))),
                              np.round(rng.normal(rng.normal(0, 0.3), rng.uniform(0.7, 1.5), n2), int(rng.integers(0, 4)))))

cat = []
letters = ['a', 'b', 'c', 'd', 'e', 'f']
cat.append(categorical_case('same-dist', list(rng.choice(letters[:4], 400)), list(rng.choice(letters[:4], 300))))
cat.append(categorical_case('shifted', list(rng.choice(letters[:4], 400, p=[.4, .3, .2, .1])),
                            list(rng.choice(letters[:4], 300, p=[.1, .2, .3, .4]))))
cat.append(categorical_case('unseen-categories', list(rng.choice(letters[:3], 200)), list(rng.choice(letters, 200))))
cat.append(categorical_case('category-gone', list(rng.choice(letters[:4], 200)), list(rng.choice(letters[:2], 200))))
cat.append(categorical_case('single-category-both', ['x'] * 10, ['x'] * 4))
cat.append(categorical_case('single-vs-other', ['x'] * 10, ['y'] * 4))
cat.append(categorical_case('n1-each', ['x'], ['y']))
cat.append(categorical_case('with-missing', [None if rng.random() < 0.2 else str(v) for v in rng.choice(letters[:3], 150)],
                            [None if rng.random() < 0.4 else str(v) for v in rng.choice(letters[:3], 100)]))
cat.append(categorical_case('all-missing-current', ['a', 'b'], [None, None]))
cat.append(categorical_case('many-categories', [f'c{v}' for v in rng.integers(0, 200, 5000)],
                            [f'c{v}' for v in rng.integers(0, 220, 4000)]))
# chi-squared statistic and dof above 2000 (chi2.sf's large-argument branch of the incomplete gamma function)
cat.append(categorical_case('categories-2200', [f'c{v}' for v in rng.integers(0, 2200, 12000)],
                            [f'c{v}' for v in rng.integers(0, 2200, 10000)]))
cat = [{**c, 'a': [None if v is None else str(v) for v in c['a']], 'b': [None if v is None else str(v) for v in c['b']]} for c in cat]

# constant references whose mean is not exactly their value (numpy's std ~1e-17): normalised Wasserstein undefined
num.append(numerical_case('constant-reference-0.1', np.full(1000, 0.1), np.round(rng.normal(0.1, 0.01, 50), 4)))
num.append(numerical_case('constant-reference-0.1-same', np.full(37, 0.1), np.full(5, 0.1)))

with open(OUT, 'w') as f:
    json.dump({'generator': 'scripts/golden/drift.py', 'scipy': __import__('scipy').__version__,
               'numerical': num, 'categorical': cat}, f, allow_nan=False)
print(f'wrote {OUT}: {len(num)} numerical, {len(cat)} categorical cases')
