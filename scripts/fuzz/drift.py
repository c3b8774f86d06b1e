#!/usr/bin/python3
"""Differential fuzz of the drift statistics against scipy: writes COUNT random cases (tiny to 1e5 samples, ties,
constants, NaN/+-inf, -0, subnormals, values near 1e308, up to 10,000 categories, categories on one side only) with
scipy's values. Usage: /usr/bin/python3 scripts/fuzz/drift.py SEED COUNT cases.jsonl && node scripts/fuzz/compare-drift.mjs cases.jsonl
(after npm run build; prints the count and worst relative error per statistic, and every case off the tolerance)."""
import json, math, sys, warnings
import numpy as np
from scipy import stats
from scipy.spatial.distance import jensenshannon
warnings.simplefilter('ignore')
FLOOR = 1e-4
seed, count, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(seed)

def enc(x):
    x = float(x)
    if math.isnan(x): return 'nan'
    if math.isinf(x): return 'inf' if x > 0 else '-inf'
    return x

def floored(c):
    c = np.asarray(c, dtype=float); p = c / c.sum(); p[c == 0] = FLOOR; return p

def hell(p, q):
    p = p / p.sum(); q = q / q.sum(); return float(np.sqrt(np.sum((np.sqrt(p) - np.sqrt(q)) ** 2) / 2))

def psi(p, q): return float(np.sum((q - p) * np.log(q / p)))

def size():
    r = rng.random()
    if r < 0.25: return int(rng.integers(1, 4))
    if r < 0.55: return int(rng.integers(4, 60))
    if r < 0.85: return int(rng.integers(60, 3000))
    if r < 0.95: return int(rng.choice([9999, 10000, 10001, 10002, int(rng.integers(10000, 30000))]))
    return int(rng.integers(30000, 100001))

def sample(n, kind):
    if kind == 'normal': x = rng.normal(rng.normal(0, 1), rng.uniform(0.1, 3), n)
    elif kind == 'int': x = rng.integers(0, int(rng.integers(1, 8)), n).astype(float)
    elif kind == 'const': x = np.full(n, float(rng.choice([0.1, 3.0, -0.0, 1e-310, 7.0])))
    elif kind == 'huge': x = rng.uniform(-1, 1, n) * 1e308
    elif kind == 'hugepos': x = rng.uniform(0.5, 1.7, n) * 1e308
    elif kind == 'subnormal': x = rng.integers(-5, 6, n) * 5e-324
    elif kind == 'tiny': x = rng.normal(0, 1, n) * 1e-200
    elif kind == 'zeros': x = rng.choice([0.0, -0.0, 1.0], n)
    elif kind == 'round': x = np.round(rng.normal(0, 1, n), int(rng.integers(0, 3)))
    elif kind == 'expo': x = rng.exponential(1, n) ** 3
    else: x = rng.standard_cauchy(n)
    return x

KINDS = ['normal', 'int', 'const', 'huge', 'hugepos', 'subnormal', 'tiny', 'zeros', 'round', 'expo', 'cauchy']

def dirty(x):
    x = np.array(x, dtype=float)
    if rng.random() < 0.3 and len(x):
        m = rng.random(len(x)) < rng.uniform(0, 0.5)
        x[m] = rng.choice([np.nan, np.inf, -np.inf], m.sum())
    return x

def numerical():
    ka = str(rng.choice(KINDS)); kb = ka if rng.random() < 0.6 else str(rng.choice(KINDS))
    a = dirty(sample(size(), ka)); b = dirty(sample(size(), kb))
    fa, fb = a[np.isfinite(a)], b[np.isfinite(b)]
    c = {'kind': 'num', 'desc': f'{ka}/{kb} {len(a)}x{len(b)}', 'a': [enc(v) for v in a], 'b': [enc(v) for v in b]}
    if len(fa) == 0 or len(fb) == 0:
        c['e'] = None; return c
    edges = np.unique(np.quantile(fa, np.arange(1, 10) / 10))
    edges = np.unique(np.where(edges == 0, 0.0, edges))
    rc = np.bincount(np.searchsorted(edges, fa, side='right'), minlength=len(edges) + 1)
    cc = np.bincount(np.searchsorted(edges, fb, side='right'), minlength=len(edges) + 1)
    p, q = floored(rc), floored(cc)
    ks = stats.ks_2samp(fa, fb, method='auto')
    w = float(stats.wasserstein_distance(fa, fb))
    sd = float(np.std(fa))
    if fa.min() < fa.max() and (not math.isfinite(sd) or sd == 0 or abs(fa).max() > 1e150 or abs(fa).max() < 1e-150):
        k = math.frexp(float(abs(fa).max()))[1]
        sd = float(np.std(np.ldexp(fa, -k))) ; sd = math.ldexp(sd, k)
    c['e'] = {'ksStat': float(ks.statistic), 'ksP': float(ks.pvalue), 'w': w,
              'wn': (w / sd if sd > 0 else None) if fa.min() < fa.max() else (0.0 if w == 0 else None),
              'edges': [float(e) for e in edges], 'psi': psi(p, q), 'js': float(jensenshannon(p, q, base=2)), 'hel': hell(p, q)}
    return c

def categorical():
    r = rng.random()
    ncat = int(rng.choice([1, 2, 3, 10, 200, 201, 1000, 10000]))
    na, nb = size(), size()
    pa = rng.dirichlet(np.ones(ncat) * rng.choice([0.1, 1, 10]))
    pb = pa if rng.random() < 0.5 else rng.dirichlet(np.ones(ncat))
    a = [f'c{v}' for v in rng.choice(ncat, na, p=pa)]
    off = int(rng.integers(0, ncat)) if rng.random() < 0.3 else 0
    b = [f'c{v + off}' for v in rng.choice(ncat, nb, p=pb)]
    if rng.random() < 0.2:
        a = [None if rng.random() < 0.3 else v for v in a]
    ca = [x for x in a if x is not None]; cb = [x for x in b if x is not None]
    c = {'kind': 'cat', 'desc': f'{ncat} cats {na}x{nb} off {off}', 'a': a, 'b': b}
    if not ca or not cb:
        c['e'] = None; return c
    cats = sorted(set(ca) | set(cb))
    from collections import Counter
    A, B = Counter(ca), Counter(cb)
    ra = np.array([A[k] for k in cats]); rb = np.array([B[k] for k in cats])
    if len(cats) == 1: chi = (0.0, 1.0, 0)
    else:
        res = stats.chi2_contingency(np.vstack([ra, rb]), correction=False); chi = (float(res[0]), float(res[1]), int(res[2]))
    p, q = floored(ra), floored(rb)
    c['e'] = {'chi': chi[0], 'chiP': chi[1], 'dof': chi[2], 'psi': psi(p, q), 'js': float(jensenshannon(p, q, base=2)), 'hel': hell(p, q),
              'newCats': len([k for k in cats if k not in A])}
    return c

with open(out, 'w') as f:
    for i in range(count):
        c = numerical() if rng.random() < 0.65 else categorical()
        c['id'] = f'{seed}-{i}'
        if c.get('e'): c['e'] = {k: (enc(v) if isinstance(v, float) else v) for k, v in c['e'].items()}
        f.write(json.dumps(c, allow_nan=False) + '\n')
