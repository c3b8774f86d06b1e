#!/usr/bin/python3
"""scikit-learn 1.2.1 oracle of scripts/fuzz/metrics-parity.mjs: the realized metrics of joined (prediction, label) rows,
their Wilson intervals, and their bootstrap intervals by the method README and src/core/metrics/bootstrap.ts document,
re-implemented here: a percentile bootstrap (numpy.percentile at 2.5 and 97.5 of the resamples where the metric is
defined) whose resamples are
  - for f1 (binary) and the macro/weighted averages (multiclass): multinomial draws of the confusion matrix's cells
    (cell by cell, conditional binomials) from seededRandom(seed) (splitmix32-seeded xoshiro128**);
  - for rocAuc, logLoss (binary: rows in ascending score order, stable; multiclass: rows in order) and the regression
    metrics: per-row multiplicities of n uniform index draws floor(u32 * n / 2^32) from xoshiro128** seeded by four
    draws of seededRandom(seed ^ 0x5bd1e995),
each resample's metric computed by scikit-learn with the multiplicities as sample weights.
stdin: a JSON array of cases {task, y: [label text], pred: [text], scores: [float|null] | null (binary, positive
class), matrix: [[float]|null] | null (multiclass, declared class order), classes: [declared] | null, pos (binary),
boot: bool, seed, resamples}. stdout: [{metrics: {name: value|null}, ci: {name: {method, ci: [lo, hi]|null}}}]."""
import json, math, re, sys, warnings
import numpy as np
from wilson import wilson  # scripts/fuzz/wilson.py
from oracle_values import fin, safe  # scripts/fuzz/oracle_values.py
from sklearn.metrics import (accuracy_score, f1_score, log_loss, mean_absolute_error, mean_absolute_percentage_error,
                             mean_squared_error, precision_score, r2_score, recall_score, roc_auc_score)
warnings.simplefilter('ignore')
M32 = 0xFFFFFFFF
NUMERIC = re.compile(r'^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$')


def canon(s):
    """A class's key as the server's metrics read it: 1, "1" and "1.0" are one class (src/core/metrics/labels.ts)."""
    t = s.strip()
    if NUMERIC.match(t):
        x = float(t)
        if math.isfinite(x):
            return str(int(x)) if x == int(x) and abs(x) < 1e21 else repr(x)
    return t


def sort_keys(keys):
    if all(NUMERIC.match(k) for k in keys):
        return sorted(keys, key=float)
    return sorted(keys)


class Seeded:
    """seededRandom (src/core/random/rng.ts): splitmix32 expands the seed into xoshiro128**'s state."""
    def __init__(self, seed):
        s = seed & M32
        st = []
        for _ in range(4):
            s = (s + 0x9e3779b9) & M32
            z = s
            z = ((z ^ (z >> 16)) * 0x85ebca6b) & M32
            z = ((z ^ (z >> 13)) * 0xc2b2ae35) & M32
            st.append((z ^ (z >> 16)) & M32)
        self.s = st

    def u32(self):
        a, b, c, d = self.s
        b5 = (b * 5) & M32
        result = ((((b5 << 7) | (b5 >> 25)) & M32) * 9) & M32
        t = (b << 9) & M32
        c ^= a; d ^= b; b ^= c; a ^= d; c ^= t
        d = ((d << 11) | (d >> 21)) & M32
        self.s = [a, b, c, d]
        return result

    def next(self):
        return self.u32() / 4294967296


def normal(rng):
    while True:
        u = 2 * rng.next() - 1
        v = 2 * rng.next() - 1
        s = u * u + v * v
        if 0 < s < 1:
            return u * math.sqrt((-2 * math.log(s)) / s)


def gamma(rng, shape):
    d = shape - 1 / 3
    c = 1 / math.sqrt(9 * d)
    while True:
        x = normal(rng)
        v = 1 + c * x
        if v <= 0: continue
        v = v * v * v
        u = rng.next()
        if u < 1 - 0.0331 * x * x * x * x: return d * v
        if u > 0 and math.log(u) < 0.5 * x * x + d * (1 - v + math.log(v)): return d * v


def binomial(rng, n, p):
    if n <= 0 or p <= 0: return 0
    if p >= 1: return n
    if p > 0.5: return n - binomial(rng, n, 1 - p)
    if n * p < 30:
        q = 1 - p; s = p / q; a = (n + 1) * s; r = q ** n; u = rng.next(); x = 0
        while u > r:
            u -= r; x += 1
            if x > n: return n
            r *= a / x - s
        return x
    a = 1 + n // 2; b = n + 1 - a
    ga = gamma(rng, a)
    x = ga / (ga + gamma(rng, b))
    if x >= p: return binomial(rng, a - 1, p / x)
    return a + binomial(rng, b - 1, (p - x) / (1 - x))


def multinomial(rng, counts):
    total = sum(counts); rows = total; mass = total; out = []
    for c in counts:
        if c == 0 or rows == 0:
            out.append(0); continue
        x = rows if c >= mass else binomial(rng, rows, c / mass)
        out.append(x); rows -= x; mass -= c
    return out


def row_weights(seed, n, resamples):
    """Per-resample row multiplicities of the row bootstrap (n <= 100,000: n uniform index draws)."""
    src = Seeded((seed ^ 0x5bd1e995) & M32)
    bulk = Seeded(0)
    bulk.s = [src.u32() for _ in range(4)]
    if bulk.s == [0, 0, 0, 0]: bulk.s[0] = 1
    for _ in range(resamples):
        w = np.zeros(n, dtype=np.int64)
        for _i in range(n):
            w[(bulk.u32() * n) >> 32] += 1
        yield w


def interval(value, stats):
    if value is None: return None
    if not stats: return None
    lo, hi = np.percentile(np.array(stats, dtype=float), [2.5, 97.5])
    return [float(lo), float(hi)]


def binary(c):
    pos = canon(c['pos'])
    yb = np.array([1 if canon(v) == pos else 0 for v in c['y']]); pb = np.array([1 if canon(v) == pos else 0 for v in c['pred']])
    m = {'accuracy': safe(lambda: accuracy_score(yb, pb)),
         'precision': safe(lambda: precision_score(yb, pb, labels=[0, 1], pos_label=1, zero_division=0)),
         'recall': safe(lambda: recall_score(yb, pb, labels=[0, 1], pos_label=1, zero_division=0)),
         'f1': safe(lambda: f1_score(yb, pb, labels=[0, 1], pos_label=1, zero_division=0))}
    tp = int(((yb == 1) & (pb == 1)).sum()); fp = int(((yb == 0) & (pb == 1)).sum()); fn = int(((yb == 1) & (pb == 0)).sum()); tn = len(yb) - tp - fp - fn
    ci = {'accuracy': {'method': 'wilson', 'ci': wilson(int((yb == pb).sum()), len(yb))},
          'precision': {'method': 'wilson', 'ci': wilson(tp, tp + fp)}, 'recall': {'method': 'wilson', 'ci': wilson(tp, tp + fn)}}
    sc = c.get('scores')
    scored = sc is not None and all(s is not None for s in sc)
    s = np.array(sc, dtype=float) if scored else None
    if scored:
        m['rocAuc'] = safe(lambda: roc_auc_score(yb, s)) if 0 < yb.sum() < len(yb) else None
        m['logLoss'] = safe(lambda: log_loss(yb, s, labels=[0, 1]))
    else:
        m['rocAuc'] = None; m['logLoss'] = None
    if c['boot']:
        rng = Seeded(c['seed']); f1s = []
        for _ in range(c['resamples']):
            d = multinomial(rng, [tp, fp, fn, tn])
            f1s.append(f1_score([1, 0, 1, 0], [1, 1, 0, 0], sample_weight=d, labels=[0, 1], zero_division=0))
        ci['f1'] = {'method': 'bootstrap', 'ci': None if tp + fp + fn == 0 else interval(m['f1'], f1s)}
        if scored:
            order = np.argsort(s, kind='stable')
            aucs, losses = [], []
            for w in row_weights(c['seed'], len(yb), c['resamples']):
                wr = np.zeros(len(yb)); wr[order] = w
                wp = wr[yb == 1].sum(); wn = wr[yb == 0].sum()
                if wp > 0 and wn > 0: aucs.append(roc_auc_score(yb, s, sample_weight=wr))
                if wp + wn > 0: losses.append(log_loss(yb, s, sample_weight=wr, labels=[0, 1]))
            ci['rocAuc'] = {'method': 'bootstrap', 'ci': interval(m['rocAuc'], aucs)}
            ci['logLoss'] = {'method': 'bootstrap', 'ci': interval(m['logLoss'], losses)}
    return m, ci


def multiclass(c):
    y = np.array([canon(v) for v in c['y']]); p = np.array([canon(v) for v in c['pred']])
    declared = c.get('classes') or []
    if all(NUMERIC.match(k) for k in [*declared, *y, *p]):
        # classes that are numbers: sklearn orders them (and a score matrix's columns) numerically only as numbers
        y = y.astype(float); p = p.astype(float); declared = [float(k) for k in declared]
    m = {'accuracy': safe(lambda: accuracy_score(y, p)),
         'precisionMacro': safe(lambda: precision_score(y, p, average='macro', zero_division=0)),
         'recallMacro': safe(lambda: recall_score(y, p, average='macro', zero_division=0)),
         'f1Macro': safe(lambda: f1_score(y, p, average='macro', zero_division=0)),
         'f1Weighted': safe(lambda: f1_score(y, p, average='weighted', zero_division=0))}
    ci = {'accuracy': {'method': 'wilson', 'ci': wilson(int((y == p).sum()), len(y))}}
    mat = c.get('matrix')
    scored = mat is not None and len(declared) >= 2 and all(r is not None and len(r) == len(declared) for r in mat)
    labels = sorted(declared) if isinstance(declared[0] if declared else '', float) else sort_keys([canon(k) for k in declared])
    order = [list(declared if labels and isinstance(labels[0], float) else [canon(k) for k in declared]).index(k) for k in labels]
    P = np.array(mat, dtype=float)[:, order] if scored else None
    sums_ok = scored and bool(np.all(np.abs(1 - P.sum(axis=1)) <= 1e-8 + 1e-5 * np.abs(P.sum(axis=1))))

    def auc(w=None):
        if len(labels) == 2:
            return roc_auc_score(y == labels[1], P[:, 1], sample_weight=w)
        return roc_auc_score(y, P, multi_class='ovr', labels=labels, sample_weight=w)
    if scored:
        m['rocAuc'] = safe(auc) if sums_ok and set(y) >= set(labels) else None
        m['logLoss'] = safe(lambda: log_loss(y, P, labels=labels))
    else:
        m['rocAuc'] = None; m['logLoss'] = None
    if c['boot']:
        classes = sorted(set(y) | set(p)) if y.dtype == float else sort_keys(sorted(set(y) | set(p)))
        k = len(classes); idx = {v: i for i, v in enumerate(classes)}
        cells = [0] * (k * k)
        for a, b in zip(y, p): cells[idx[a] * k + idx[b]] += 1
        rng = Seeded(c['seed']); stats = {n: [] for n in ['precisionMacro', 'recallMacro', 'f1Macro', 'f1Weighted']}
        for _ in range(c['resamples']):
            d = multinomial(rng, cells)
            yy = [classes[i // k] for i in range(k * k) if d[i] > 0]; pp = [classes[i % k] for i in range(k * k) if d[i] > 0]; ww = [d[i] for i in range(k * k) if d[i] > 0]
            stats['precisionMacro'].append(precision_score(yy, pp, average='macro', zero_division=0, sample_weight=ww))
            stats['recallMacro'].append(recall_score(yy, pp, average='macro', zero_division=0, sample_weight=ww))
            stats['f1Macro'].append(f1_score(yy, pp, average='macro', zero_division=0, sample_weight=ww))
            stats['f1Weighted'].append(f1_score(yy, pp, average='weighted', zero_division=0, sample_weight=ww))
        for n, v in stats.items(): ci[n] = {'method': 'bootstrap', 'ci': interval(m[n], v)}
        if scored:
            aucs, losses = [], []
            for w in row_weights(c['seed'], len(y), c['resamples']):
                if m['rocAuc'] is not None and all(w[y == l].sum() > 0 and w[y != l].sum() > 0 for l in labels): aucs.append(auc(w))
                losses.append(log_loss(y, P, labels=labels, sample_weight=w))
            ci['rocAuc'] = {'method': 'bootstrap', 'ci': interval(m['rocAuc'], aucs)}
            ci['logLoss'] = {'method': 'bootstrap', 'ci': interval(m['logLoss'], losses)}
    return m, ci


def regression(c):
    y = np.array([float(v) for v in c['y']]); p = np.array([float(v) for v in c['pred']])
    f = {'mae': lambda w: mean_absolute_error(y, p, sample_weight=w), 'rmse': lambda w: math.sqrt(mean_squared_error(y, p, sample_weight=w)),
         'mape': lambda w: mean_absolute_percentage_error(y, p, sample_weight=w), 'r2': lambda w: r2_score(y, p, sample_weight=w)}
    m = {k: safe(lambda: g(None)) for k, g in f.items()}
    if len(y) < 2: m['r2'] = None
    ci = {}
    if c['boot']:
        stats = {k: [] for k in f}
        for w in row_weights(c['seed'], len(y), c['resamples']):
            for k, g in f.items():
                if k == 'r2' and w.sum() < 2: continue
                if k == 'r2' and len(set(y[w > 0])) == 1:
                    # README: a resample whose labels are all equal has SS_tot exactly 0 (force_finite: 1 if SS_res
                    # is 0, else 0), where sklearn's weighted mean may leave a rounding residue (an r2 of -1e27)
                    v = 1.0 if np.sum(w * (y - p) ** 2) == 0 else 0.0
                else:
                    v = safe(lambda: g(w))
                if v is not None: stats[k].append(v)
        for k in f: ci[k] = {'method': 'bootstrap', 'ci': interval(m[k], stats[k])}
    return m, ci


def one(c):
    if len(c['y']) == 0: return {'metrics': {}, 'ci': {}}
    m, ci = {'binary': binary, 'multiclass': multiclass, 'regression': regression}[c['task']](c)
    return {'metrics': m, 'ci': ci}


json.dump([one(c) for c in json.load(sys.stdin)], sys.stdout)
