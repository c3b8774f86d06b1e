#!/usr/bin/python3
"""scikit-learn 1.2.1 / numpy oracle for the server's realized metrics (test/audit14-quality, scripts/fuzz/server-quality.mjs).
Reads a JSON array of cases on stdin, writes a JSON array of results on stdout. A case:
  {"task": "binary"|"multiclass"|"regression", "y": [...], "pred": [...],
   "scores": [float|null, ...] (binary, positive class), "matrix": [[...], ...] | null (multiclass, rows in `classes` order),
   "classes": [...] (declared), "pos": "..." (binary positive class), "delays": [ms, ...]}
A result: {"metrics": {name: float|null}, "wilson": {name: [lo, hi]|null}, "delay": {"p50","p95","max"}}.
Undefined values (sklearn raising, nan, inf) are null."""
import json, math, sys, warnings
import numpy as np
from wilson import wilson  # scripts/fuzz/wilson.py
from oracle_values import fin, safe  # scripts/fuzz/oracle_values.py
from sklearn.metrics import (accuracy_score, f1_score, log_loss, mean_absolute_error, mean_absolute_percentage_error,
                             mean_squared_error, precision_score, r2_score, recall_score, roc_auc_score)
warnings.simplefilter('ignore')


def binary(c):
    y = np.array(c['y'], dtype=object); p = np.array(c['pred'], dtype=object); pos = c['pos']
    yb = (y == pos).astype(int); pb = (p == pos).astype(int)
    m = {'accuracy': safe(lambda: accuracy_score(yb, pb)),
         'precision': safe(lambda: precision_score(yb, pb, labels=[0, 1], pos_label=1, zero_division=0)),
         'recall': safe(lambda: recall_score(yb, pb, labels=[0, 1], pos_label=1, zero_division=0)),
         'f1': safe(lambda: f1_score(yb, pb, labels=[0, 1], pos_label=1, zero_division=0))}
    sc = c.get('scores')
    if sc is None or any(s is None for s in sc):
        m['rocAuc'] = None; m['logLoss'] = None
    else:
        s = np.array(sc, dtype=float)
        m['rocAuc'] = safe(lambda: roc_auc_score(yb, s)) if 0 < yb.sum() < len(yb) else None
        m['logLoss'] = safe(lambda: log_loss(yb, s, labels=[0, 1]))
    tp = int(((yb == 1) & (pb == 1)).sum()); fp = int(((yb == 0) & (pb == 1)).sum()); fn = int(((yb == 1) & (pb == 0)).sum())
    w = {'accuracy': wilson(int((yb == pb).sum()), len(yb)), 'precision': wilson(tp, tp + fp), 'recall': wilson(tp, tp + fn)}
    return m, w


def multiclass(c):
    y = np.array(c['y']); p = np.array(c['pred'])
    m = {'accuracy': safe(lambda: accuracy_score(y, p)),
         'precisionMacro': safe(lambda: precision_score(y, p, average='macro', zero_division=0)),
         'recallMacro': safe(lambda: recall_score(y, p, average='macro', zero_division=0)),
         'f1Macro': safe(lambda: f1_score(y, p, average='macro', zero_division=0)),
         'f1Weighted': safe(lambda: f1_score(y, p, average='weighted', zero_division=0))}
    mat = c.get('matrix')
    if mat is None or any(r is None for r in mat):
        m['rocAuc'] = None; m['logLoss'] = None
    else:
        declared = c['classes']; order = sorted(range(len(declared)), key=lambda j: declared[j])
        labels = [declared[j] for j in order]
        P = np.array(mat, dtype=float)[:, order]
        # two classes: sklearn's multi_class='ovr' refuses a 2-column matrix ("y should be a 1d array"); the
        # server gives the mean of both one-vs-rest AUCs, which is the binary AUC of the second column
        m['rocAuc'] = safe(lambda: roc_auc_score(y == labels[1], P[:, 1]) if len(labels) == 2 and len(set(y)) == 2 and np.allclose(P.sum(axis=1), 1) else roc_auc_score(y, P, multi_class='ovr', labels=labels))
        m['logLoss'] = safe(lambda: log_loss(y, P, labels=labels))
    w = {'accuracy': wilson(int((y == p).sum()), len(y))}
    return m, w


def regression(c):
    y = np.array([float(v) for v in c['y']]); p = np.array([float(v) for v in c['pred']])
    m = {'mae': safe(lambda: mean_absolute_error(y, p)), 'rmse': safe(lambda: math.sqrt(mean_squared_error(y, p))),
         'mape': safe(lambda: mean_absolute_percentage_error(y, p)), 'r2': safe(lambda: r2_score(y, p)) if len(y) >= 2 else None}
    return m, {}


def one(c):
    if len(c['y']) == 0: return {'metrics': None, 'wilson': {}, 'delay': None}
    m, w = {'binary': binary, 'multiclass': multiclass, 'regression': regression}[c['task']](c)
    d = np.array(c.get('delays', []), dtype=float)
    delay = {'p50': float(np.percentile(d, 50)), 'p95': float(np.percentile(d, 95)), 'max': float(d.max())} if len(d) else None
    return {'metrics': m, 'wilson': w, 'delay': delay}


json.dump([one(c) for c in json.load(sys.stdin)], sys.stdout)
