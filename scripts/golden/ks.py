#!/usr/bin/python3
"""Golden values for src/core/stats/ks.ts and kolmogorov.ts (hand ports of scipy 1.10.1).

Run with Debian's python3-scipy 1.10.1:  /usr/bin/python3 scripts/golden/ks.py
Writes test/golden/ks.json with
  ks2samp: [{name, a, b, statistic, pValue, method}]   (scipy.stats.ks_2samp, two-sided, auto)
  kstwo:   [{d, n, sf}]                                 (scipy.stats.kstwo.sf(d, n))
Deterministic: numpy.random.default_rng(seed). Samples are stored as integers or floats rounded to
a few decimals (scipy computes on exactly the stored values; json writes floats with repr).
"""
import json
import math
import os
import sys
import warnings

import numpy as np
import scipy
from scipy import stats

assert scipy.__version__ == '1.10.1', scipy.__version__

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'golden', 'ks.json')


def enc(x):
    x = float(x)
    if math.isnan(x):
        return 'NaN'
    if math.isinf(x):
        return 'Infinity' if x > 0 else '-Infinity'
    return x


def clean(arr, decimals=None):
    arr = np.asarray(arr, dtype=np.float64)
    if decimals is not None:
        arr = np.round(arr, decimals)
    out = []
    for v in arr.tolist():
        out.append(int(v) if float(v).is_integer() and abs(v) < 2**53 else v)
    return out


ks_cases = []


def add(name, a, b, decimals=None):
    a = clean(a, decimals)
    b = clean(b, decimals)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        res = stats.ks_2samp(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64))
    fell_back = any('Exact calculation unsuccessful' in str(x.message) for x in w)
    n1, n2 = len(a), len(b)
    method = 'exact' if max(n1, n2) <= 10000 and not fell_back else 'asymp'
    ks_cases.append({'name': name, 'a': a, 'b': b, 'statistic': enc(res.statistic),
                     'pValue': enc(res.pvalue), 'method': method})


rng = np.random.default_rng(20240601)

# tiny samples
add('n1 vs n1 equal', [0.5], [0.5])
add('n1 vs n1 different', [0.0], [1.0])
add('n1 vs n5', [0.3], [0.1, 0.2, 0.4, 0.5, 0.6])
add('n1 vs n5 below', [-1.0], [0.1, 0.2, 0.4, 0.5, 0.6])
add('n2 vs n3', [1.0, 2.0], [1.5, 2.5, 3.5])
add('n5 vs n1 ties', [1, 1, 2, 2, 3], [2])

# random continuous data, various size relations
for (n1, n2, shift, seed) in [
    (7, 11, 0.0, 1), (7, 11, 1.5, 2), (13, 17, 0.5, 3), (30, 45, 0.3, 4), (60, 90, 0.0, 5),
    (64, 96, 0.8, 6), (50, 100, 0.2, 7), (25, 100, 0.6, 8), (37, 111, 0.4, 9), (100, 100, 0.0, 10),
    (100, 100, 0.5, 11), (257, 263, 0.1, 12), (300, 450, 0.25, 13), (1000, 1000, 0.05, 14),
    (1000, 1500, 0.1, 15), (997, 1009, 0.2, 16), (2000, 3000, 0.05, 17), (500, 4000, 0.3, 18),
    (5000, 5000, 0.02, 19), (3, 9, 0.0, 20), (4, 6, 2.0, 21), (10, 15, 1.0, 22),
]:
    r = np.random.default_rng(seed)
    add(f'normal {n1} vs {n2} shift {shift}', r.normal(0, 1, n1), r.normal(shift, 1, n2), 4)
    r = np.random.default_rng(seed + 1000)
    add(f'uniform {n1} vs {n2} shift {shift}', r.uniform(0, 1, n1), r.uniform(shift / 4, 1 + shift / 4, n2), 5)

# discrete data with many ties
for (n1, n2, k, seed) in [(20, 30, 3, 31), (50, 50, 5, 32), (200, 300, 4, 33), (1000, 2000, 10, 34),
                          (999, 1001, 2, 35), (5000, 7000, 6, 36), (10000, 9999, 8, 37)]:
    r = np.random.default_rng(seed)
    add(f'poisson ties {n1} vs {n2} k {k}', r.poisson(k, n1), r.poisson(k * 1.05, n2))
    add(f'integers ties {n1} vs {n2} k {k}', r.integers(0, k, n1), r.integers(0, k, n2))

# identical samples -> statistic 0, p 1
x = rng.normal(size=300)
add('identical 300', x, x, 3)
z = rng.integers(0, 50, 10001)
add('identical 10001', z, z)
y = rng.integers(0, 100, 12000)
add('identical large 12000', y, y)

# constant columns
add('constant vs constant same', [3.0] * 50, [3.0] * 80)
add('constant vs constant different', [3.0] * 50, [4.0] * 80)
add('constant vs normal', [0.0] * 100, rng.normal(size=100), 3)
add('constant 12000 vs 11000', [1.0] * 12000, [1.0] * 10999 + [2.0])

# completely separated samples (tiny p-values)
for (n1, n2) in [(5, 5), (10, 10), (20, 30), (50, 50), (100, 150), (200, 200), (300, 300), (400, 400),
                 (500, 500), (600, 600), (300, 700), (1000, 1000), (30, 3000)]:
    add(f'separated {n1} vs {n2}', np.arange(n1), np.arange(n2) + n1 + 0.5)

# shifted distributions, p-values from 1 down to ~1e-300
for idx, shift in enumerate([0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.2, 1.6, 2.0, 2.6, 3.2]):
    r = np.random.default_rng(100 + idx)
    add(f'shift exact 400 vs 600 by {shift}', r.normal(0, 1, 400), r.normal(shift, 1, 600), 3)
    r = np.random.default_rng(200 + idx)
    add(f'shift exact 700 vs 700 by {shift}', r.normal(0, 1, 700), r.normal(shift, 1, 700), 3)

# the exact branch at the 10000 limit
r = np.random.default_rng(41)
add('exact 10000 vs 10000', r.normal(0, 1, 10000), r.normal(0.01, 1, 10000), 3)
add('exact 10000 vs 9999', r.normal(0, 1, 10000), r.normal(0.03, 1, 9999), 3)
add('exact 10000 vs 3', r.normal(0, 1, 10000), r.normal(0.5, 1, 3), 3)
add('exact 10000 vs 9999 shifted', r.normal(0, 1, 10000), r.normal(0.1, 1, 9999), 3)
add('exact 8000 vs 10000 shifted', r.normal(0, 1, 8000), r.normal(0.05, 1, 10000), 3)

# the asymptotic branch
r = np.random.default_rng(42)
add('asymp 10001 vs 10001', r.normal(0, 1, 10001), r.normal(0.0, 1, 10001), 3)
add('asymp 10001 vs 10001 shifted', r.normal(0, 1, 10001), r.normal(0.05, 1, 10001), 3)
add('asymp 10001 vs 500', r.normal(0, 1, 10001), r.normal(0.1, 1, 500), 3)
add('asymp 10001 vs 2', r.normal(0, 1, 10001), r.normal(0.0, 1, 2), 3)
add('asymp 10001 vs 1', r.normal(0, 1, 10001), [0.25], 3)
add('asymp 20000 vs 15000 shifted', r.normal(0, 1, 20000), r.normal(0.04, 1, 15000), 2)
add('asymp 12000 vs 30000', r.normal(0, 1, 12000), r.normal(0.02, 1, 30000), 2)
add('asymp 10001 vs 10001 separated', np.arange(10001), np.arange(10001) + 20000)
add('asymp 15000 vs 15000 big shift', r.normal(0, 1, 15000), r.normal(1.0, 1, 15000), 2)
add('asymp ties 25000 vs 20000', r.poisson(3, 25000), r.poisson(3.05, 20000))

ks = ks_cases

# ---------------------------------------------------------------- kstwo.sf
kstwo = []


def addk(d, n):
    d = float(d)
    sf = stats.kstwo.sf(d, n)
    kstwo.append({'d': d, 'n': int(n), 'sf': enc(sf)})


ns = [1, 2, 3, 4, 5, 7, 10, 20, 50, 100, 139, 140, 141, 200, 500, 1000, 5000, 10000, 50000,
      99999, 100000, 100001, 500000, 1000000]
cs = [0.05, 0.3, 0.6, 0.754, 0.755, 1.0, 1.5, 2.0, 2.19, 2.21, 3.0, 4.0, 4.1, 8.0, 17.9, 18.1,
      40.0, 100.0, 369.0, 371.0]
for n in ns:
    ds = set()
    for f in [0.25, 0.5, 0.5000001, 0.6, 0.75, 1.0, 1.0000001, 1.3, 2.0, 2.5]:
        ds.add(f / n)
    for c in cs:
        ds.add(math.sqrt(c / n))
    # n * d**1.5 == 1.4 boundary (DMTW vs Pelz-Good)
    ds.add((1.4 / n) ** (2.0 / 3.0) * 0.999)
    ds.add((1.4 / n) ** (2.0 / 3.0) * 1.001)
    for f in [0.3, 0.45, 0.4999, 0.5, 0.6, 0.9]:
        ds.add(f)
    ds.add(1 - 1.0 / n)
    ds.add(1 - 1.5 / n)
    ds.add(1 - 0.5 / n)
    ds.add(1.0)
    ds.add(1e-9)
    for d in sorted(ds):
        if 0 < d <= 1:
            addk(d, n)
rk = np.random.default_rng(7)
for _ in range(60):
    n = int(rk.integers(1, 3000))
    d = float(rk.uniform(0, 1) ** 3)
    addk(d, n)
# n above cephes' SMIRNOV_MAX_COMPUTE_N (smirnov's own approximation)
for d in [0.0008, 0.0012, 0.002, 0.004]:
    addk(d, 2000000)

with open(OUT, 'w') as fh:
    json.dump({'scipy': scipy.__version__, 'ks2samp': ks, 'kstwo': kstwo}, fh, separators=(',', ':'))
print(f'wrote {OUT}: {len(ks)} ks_2samp cases, {len(kstwo)} kstwo.sf cases, '
      f'{os.path.getsize(OUT) / 1e6:.2f} MB', file=sys.stderr)
