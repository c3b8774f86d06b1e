#!/usr/bin/python3
"""Differential fuzz of the classification/regression metrics and Wilson intervals against scikit-learn 1.2.1.
Usage: /usr/bin/python3 scripts/fuzz/metrics.py SEED COUNT cases.jsonl && node scripts/fuzz/compare-metrics.mjs cases.jsonl"""
import json, math, sys, warnings
import numpy as np
from wilson import wilson  # scripts/fuzz/wilson.py
from sklearn.metrics import (accuracy_score, f1_score, log_loss, mean_absolute_error, mean_absolute_percentage_error,
                             mean_squared_error, precision_score, r2_score, recall_score, roc_auc_score)
warnings.simplefilter('ignore')
seed, count, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(seed)

def enc(x):
    if x is None: return None
    x = float(x)
    if math.isnan(x): return 'nan'
    if math.isinf(x): return 'inf' if x > 0 else '-inf'
    return x

def size():
    r = rng.random()
    if r < 0.2: return int(rng.integers(1, 4))
    if r < 0.6: return int(rng.integers(4, 100))
    if r < 0.95: return int(rng.integers(100, 5000))
    return int(rng.integers(5000, 100000))

def scores_for(y, n):
    r = rng.random()
    if r < 0.2: s = rng.choice([0.0, 1.0], n)
    elif r < 0.4: s = np.round(rng.random(n), int(rng.integers(0, 3)))
    elif r < 0.5: s = np.full(n, float(rng.choice([0.0, 0.5, 1.0])))
    else: s = np.clip(0.3 * y + 0.7 * rng.random(n), 0, 1)
    if rng.random() < 0.2: s[rng.random(n) < 0.1] = rng.choice([0.0, 1.0, 5e-324, 1 - 2**-53, 1e-17])
    return s

def binary():
    n = size(); prev = float(rng.choice([0.5, 0.1, 0.01, 0.001, 0.0, 1.0]))
    y = (rng.random(n) < prev).astype(int)
    s = scores_for(y, n)
    thr = float(rng.choice([0.5, 0.3, 0.0, 1.0]))
    use_pred = rng.random() < 0.3
    pred = (s >= thr).astype(int) if not use_pred else np.where(rng.random(n) < 0.7, y, 1 - y)
    e = {}
    e['accuracy'] = accuracy_score(y, pred)
    e['precision'] = precision_score(y, pred, pos_label=1, labels=[0, 1], zero_division=0)
    e['recall'] = recall_score(y, pred, pos_label=1, labels=[0, 1], zero_division=0)
    e['f1'] = f1_score(y, pred, pos_label=1, labels=[0, 1], zero_division=0)
    tp = int(((y == 1) & (pred == 1)).sum()); fp = int(((y == 0) & (pred == 1)).sum()); fn = int(((y == 1) & (pred == 0)).sum())
    e['ci.accuracy'] = wilson(int((y == pred).sum()), n); e['ci.precision'] = wilson(tp, tp + fp); e['ci.recall'] = wilson(tp, tp + fn)
    e['rocAuc'] = roc_auc_score(y, s) if 0 < y.sum() < n else None
    e['logLoss'] = log_loss(y, s, labels=[0, 1])
    c = {'task': 'binary', 'desc': f'n {n} prev {prev} thr {thr} pred {use_pred}', 'labels': y.tolist(), 'scores': [enc(v) for v in s],
         'positiveLabel': 1, 'e': e}
    if use_pred: c['predictions'] = pred.tolist()
    else: c['threshold'] = thr
    return c

def multiclass():
    n = size(); k = int(rng.choice([3, 4, 10, 50]))
    p = rng.dirichlet(np.ones(k) * rng.choice([0.2, 1, 10]))
    y = rng.choice(k, n, p=p)
    raw = rng.dirichlet(np.ones(k), n)
    raw[np.arange(n), y] += rng.uniform(0, 2)
    if rng.random() < 0.3: raw = (raw == raw.max(axis=1, keepdims=True)).astype(float)
    sm = raw / raw.sum(axis=1, keepdims=True)
    pred = sm.argmax(axis=1) if rng.random() < 0.7 else rng.choice(k, n)
    labels = [f'k{v:02d}' for v in range(k)]
    yl = np.array([labels[v] for v in y]); pl = np.array([labels[v] for v in pred])
    e = {'accuracy': accuracy_score(yl, pl), 'ci.accuracy': wilson(int((yl == pl).sum()), n)}
    for avg, name in [('macro', 'precisionMacro')]:
        e[name] = precision_score(yl, pl, average=avg, zero_division=0)
    e['recallMacro'] = recall_score(yl, pl, average='macro', zero_division=0)
    e['f1Macro'] = f1_score(yl, pl, average='macro', zero_division=0)
    e['f1Weighted'] = f1_score(yl, pl, average='weighted', zero_division=0)
    present = sorted(set(yl))
    try:
        e['logLoss'] = log_loss(yl, sm, labels=labels)
    except Exception as ex:
        e['logLoss'] = None
    try:
        e['rocAuc'] = roc_auc_score(yl, sm, multi_class='ovr', labels=labels) if len(present) == k else None
    except Exception as ex:
        e['rocAuc'] = None
    return {'task': 'multiclass', 'desc': f'n {n} k {k} present {len(present)}', 'labels': yl.tolist(), 'predictions': pl.tolist(),
            'scoreMatrix': {'classes': labels, 'columns': [[enc(v) for v in sm[:, j]] for j in range(k)]}, 'e': e}

def regression():
    n = size(); r = rng.random()
    if r < 0.2: y = rng.integers(0, 5, n).astype(float)
    elif r < 0.3: y = np.full(n, float(rng.choice([0.0, 3.0])))
    elif r < 0.4: y = rng.normal(0, 1, n) * 1e150
    else: y = rng.normal(rng.normal(0, 10), rng.uniform(0.1, 10), n)
    yp = y + rng.normal(0, rng.uniform(0, 2), n) * (np.abs(y).max() if rng.random() < 0.3 else 1)
    if rng.random() < 0.1: yp = y.copy()
    e = {'mae': mean_absolute_error(y, yp), 'rmse': math.sqrt(mean_squared_error(y, yp)), 'mape': mean_absolute_percentage_error(y, yp)}
    e['r2'] = r2_score(y, yp) if n >= 2 else None
    return {'task': 'regression', 'desc': f'n {n} r {r:.2f}', 'labels': [enc(v) for v in y], 'predictions': [enc(v) for v in yp], 'e': e}

with open(out, 'w') as f:
    for i in range(count):
        r = rng.random()
        c = binary() if r < 0.45 else multiclass() if r < 0.75 else regression()
        c['id'] = f'{seed}-{i}'
        c['e'] = {kk: (enc(v) if isinstance(v, (float, np.floating, int)) and not isinstance(v, bool) else v) for kk, v in c['e'].items()}
        f.write(json.dumps(c, allow_nan=False) + '\n')
