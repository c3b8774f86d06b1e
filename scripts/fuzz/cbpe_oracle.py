#!/usr/bin/python3
"""scikit-learn / numpy oracle for the server's CBPE estimates (test/audit15-cbpe, scripts/fuzz/server-cbpe.mjs).
Reads a JSON array of cases on stdin, writes a JSON array of results on stdout. A case:
  {"task": "binary"|"multiclass", "classes": [...], "pos": "..." (binary positive class),
   "parts": [{"ref": {"labels": [str|null, ...], "scores": [float|null, ...] (binary) | "matrix": [[float|null, ...]|null, ...]},
              "win": {"pred": [str|null, ...], "scores": [...] | "matrix": [...]}}, ...]}
Each part: window events estimated with the calibration of its reference (events summarised while that reference was the
version's); the parts' expected confusion matrices add up.
A result: {"n": int, "accuracy", "precision", "recall", "f1": float|null} or null when no estimate is possible (no
calibration: a reference of one class, or no labelled scored row; or no window event with a prediction and its scores).
Method (NannyML's CBPE): binary, IsotonicRegression(out_of_bounds='clip').fit(reference score, label == pos) on the
labelled rows with a finite score; each window event with a prediction and a score adds p = predict(score) to TP (predicted
positive) or FN, and 1 - p to FP or TN; precision/recall null when their denominator is 0, F1 = 2PR/(P+R) (null when 0).
Multiclass: one-vs-rest fits per class on the labelled rows with every score finite (a class never or always the label:
no estimate); an event's calibrated probabilities divided by their sum (an event whose sum is 0 is left out); the
expected matrix E[i][j] += p_i for an event predicted j; accuracy trace/n; precision, recall and F1 macro over the
classes with a non-zero row or column (sklearn's average='macro', zero_division=0)."""
import json, math, sys, warnings
import numpy as np
from sklearn.isotonic import IsotonicRegression
warnings.simplefilter('ignore')


def finite(x):
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


def fit(x, y):
    return IsotonicRegression(out_of_bounds='clip').fit(np.array(x, dtype=float), np.array(y, dtype=float))


def binary_part(pos, ref, win):
    rows = [i for i, l in enumerate(ref['labels']) if l is not None and finite(ref['scores'][i])]
    y = [1 if ref['labels'][i] == pos else 0 for i in rows]
    ev = [i for i, p in enumerate(win['pred']) if p is not None and finite(win['scores'][i])]
    if 0 not in y or 1 not in y or not ev:
        return np.zeros(4), 0
    iso = fit([ref['scores'][i] for i in rows], y)
    p = iso.predict(np.array([win['scores'][i] for i in ev], dtype=float))
    predpos = np.array([win['pred'][i] == pos for i in ev])
    tp = float(np.sum(p[predpos])); fp = float(np.sum(1 - p[predpos]))
    fn = float(np.sum(p[~predpos])); tn = float(np.sum(1 - p[~predpos]))
    return np.array([tp, fp, fn, tn]), len(ev)


def binary(c):
    sums, n = np.zeros(4), 0
    for part in c['parts']:
        s, m = binary_part(c['pos'], part['ref'], part['win'])
        sums += s; n += m
    if n == 0:
        return None
    tp, fp, fn, tn = (float(x) for x in sums)
    prec = tp / (tp + fp) if tp + fp > 0 else None
    rec = tp / (tp + fn) if tp + fn > 0 else None
    f1 = 2 * prec * rec / (prec + rec) if prec is not None and rec is not None and prec + rec > 0 else None
    return {'n': n, 'accuracy': (tp + tn) / n, 'precision': prec, 'recall': rec, 'f1': f1}


def multiclass_part(classes, ref, win):
    k = len(classes)
    E = np.zeros((k, k))
    rows = [i for i, l in enumerate(ref['labels']) if l is not None and ref['matrix'][i] is not None
            and len(ref['matrix'][i]) == k and all(finite(v) for v in ref['matrix'][i])]
    fits = []
    for j, cls in enumerate(classes):
        y = [1 if ref['labels'][i] == cls else 0 for i in rows]
        if 0 not in y or 1 not in y:
            return E, 0
        fits.append(fit([ref['matrix'][i][j] for i in rows], y))
    ev = [i for i, pred in enumerate(win['pred']) if pred is not None and pred in classes and win['matrix'][i] is not None
          and len(win['matrix'][i]) == k]
    if not ev:
        return E, 0
    S = np.array([win['matrix'][i] for i in ev], dtype=float)
    P = np.column_stack([fits[j].predict(S[:, j]) for j in range(k)])
    n = 0
    for r, i in enumerate(ev):
        tot = P[r].sum()
        if not tot > 0:
            continue
        E[:, classes.index(win['pred'][i])] += P[r] / tot
        n += 1
    return E, n


def multiclass(c):
    classes = c['classes']; k = len(classes)
    E, n = np.zeros((k, k)), 0
    for part in c['parts']:
        e, m = multiclass_part(classes, part['ref'], part['win'])
        E += e; n += m
    if n == 0:
        return None
    prec, rec, f1 = [], [], []
    for j in range(k):
        row = E[j, :].sum(); col = E[:, j].sum()
        if row == 0 and col == 0:
            continue
        pj = E[j, j] / col if col > 0 else 0.0
        rj = E[j, j] / row if row > 0 else 0.0
        prec.append(pj); rec.append(rj); f1.append(2 * pj * rj / (pj + rj) if pj + rj > 0 else 0.0)
    return {'n': n, 'accuracy': float(np.trace(E) / E.sum()), 'precision': float(np.mean(prec)),
            'recall': float(np.mean(rec)), 'f1': float(np.mean(f1))}


def main():
    cases = json.load(sys.stdin)
    out = [binary(c) if c['task'] == 'binary' else multiclass(c) for c in cases]
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
