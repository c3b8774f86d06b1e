#!/usr/bin/python3
"""Golden cases for src/core/metrics, computed with scikit-learn 1.2.1 (Debian python3-sklearn).

Run with /usr/bin/python3 (the system Python that has sklearn): writes test/golden/metrics.json.
Deterministic: every random case comes from numpy.random.default_rng with a fixed seed.
"""
import json
import math
import os
import warnings

import numpy as np
import scipy.stats
import sklearn
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import (accuracy_score, confusion_matrix, f1_score, log_loss,
                             mean_absolute_error, mean_absolute_percentage_error,
                             mean_squared_error, precision_score, r2_score, recall_score,
                             roc_auc_score)

warnings.simplefilter("ignore", UndefinedMetricWarning)
warnings.simplefilter("ignore", RuntimeWarning)
assert sklearn.__version__ == "1.2.1", sklearn.__version__

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "golden", "metrics.json")
Z = float(scipy.stats.norm.ppf(0.975))


def missing(v):
    return v is None or v == "" or (isinstance(v, float) and math.isnan(v))


def num(x):
    if x is None:
        return None
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def jsonable(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return None if math.isnan(float(v)) else float(v)
    if isinstance(v, np.str_):
        return str(v)
    return v


def sort_key_classes(values):
    return list(np.unique(np.array(values)))


# ---------------------------------------------------------------- binary
def binary_case(name, labels, predictions=None, scores=None, positive=None, threshold=0.5):
    n0 = len(labels)
    explicit = positive is not None
    keep = [i for i in range(n0)
            if not missing(labels[i])
            and (predictions is None or not missing(predictions[i]))
            and (scores is None or not math.isnan(scores[i]))]
    y = [labels[i] for i in keep]
    present = sort_key_classes(y + ([predictions[i] for i in keep] if predictions is not None else []))
    if positive is None:
        positive = present[-1] if len(present) == 2 else (1 if len(present) == 0 or present[0] == 0 else present[0])
    ybin = np.array([1 if v == positive else 0 for v in y], dtype=int)
    s = np.array([scores[i] for i in keep], dtype=float) if scores is not None else None
    if predictions is not None:
        pbin = np.array([1 if predictions[i] == positive else 0 for i in keep], dtype=int)
    else:
        pbin = (s >= threshold).astype(int)
    exp = {"n": len(keep), "missing": n0 - len(keep)}
    if len(keep) > 0:
        if len(present) == 2 and predictions is not None:
            # sklearn on the original labels (exercises pos_label with strings)
            p_orig = [predictions[i] for i in keep]
            exp["accuracy"] = accuracy_score(y, p_orig)
            exp["precision"] = precision_score(y, p_orig, pos_label=positive)
            exp["recall"] = recall_score(y, p_orig, pos_label=positive)
            exp["f1"] = f1_score(y, p_orig, pos_label=positive)
        else:
            exp["accuracy"] = accuracy_score(ybin, pbin)
            exp["precision"] = precision_score(ybin, pbin, pos_label=1)
            exp["recall"] = recall_score(ybin, pbin, pos_label=1)
            exp["f1"] = f1_score(ybin, pbin, pos_label=1)
        exp["confusionMatrix"] = confusion_matrix(ybin, pbin, labels=[0, 1]).tolist()
        tp, fp, fn = int(((ybin == 1) & (pbin == 1)).sum()), int(((ybin == 0) & (pbin == 1)).sum()), int(((ybin == 1) & (pbin == 0)).sum())
        exp["counts"] = {"tp": tp, "fp": fp, "fn": fn, "tn": len(keep) - tp - fp - fn}
        if s is not None:
            exp["rocAuc"] = roc_auc_score(ybin, s) if 0 < ybin.sum() < len(ybin) else None
            exp["logLoss"] = log_loss(ybin, s, labels=[0, 1])
    case = {"name": name, "labels": [jsonable(v) for v in labels], "positiveLabel": jsonable(positive),
            "explicitPositive": explicit,
            "expected": {k: jsonable(v) if not isinstance(v, (list, dict)) else v for k, v in exp.items()}}
    if predictions is not None:
        case["predictions"] = [jsonable(v) for v in predictions]
    if scores is not None:
        case["scores"] = [num(v) for v in scores]
        case["threshold"] = threshold
    return case


def binary_cases():
    rng = np.random.default_rng(20240601)
    cases = []
    for i, (n, dec) in enumerate([(50, 1), (200, 2), (1000, 1), (5000, 2)]):
        y = (rng.random(n) < 0.4).astype(int)
        sc = np.clip(np.round(0.35 * y + 0.65 * rng.random(n), dec), 0, 1)
        cases.append(binary_case(f"random ties n={n} dec={dec}", y.tolist(), scores=sc.tolist()))
    y = (rng.random(300) < 0.5).astype(int)
    sc = np.round(rng.random(300), 2)
    pred = np.where(rng.random(300) < 0.8, y, 1 - y)
    cases.append(binary_case("explicit predictions and scores", y.tolist(), predictions=pred.tolist(), scores=sc.tolist()))
    cases.append(binary_case("threshold 0.3", y.tolist(), scores=sc.tolist(), threshold=0.3))
    y = np.array([0] * 20 + [1] * 15)
    sc = np.concatenate([rng.random(20) * 0.4, 0.6 + rng.random(15) * 0.4])
    cases.append(binary_case("perfectly separable", y.tolist(), scores=sc.tolist()))
    cases.append(binary_case("perfectly inverted", y.tolist(), scores=(1 - sc).tolist()))
    cases.append(binary_case("all predictions negative (precision zero_division)", y.tolist(), predictions=[0] * 35))
    cases.append(binary_case("all predictions positive", y.tolist(), predictions=[1] * 35))
    cases.append(binary_case("labels all negative", [0] * 10, predictions=[0] * 8 + [1] * 2, scores=np.round(rng.random(10), 2).tolist()))
    cases.append(binary_case("labels all positive", [1] * 10, scores=np.round(rng.random(10), 2).tolist()))
    ys = ["no", "yes"]
    y = [ys[int(v)] for v in (rng.random(120) < 0.3)]
    p = [ys[int(v)] for v in (rng.random(120) < 0.35)]
    cases.append(binary_case("string labels yes/no", y, predictions=p, scores=np.round(rng.random(120), 2).tolist()))
    cases.append(binary_case("string labels, positive 'no'", y, predictions=p, positive="no"))
    y = (rng.random(80) < 0.5).astype(int)
    cases.append(binary_case("positive label 0", y.tolist(), predictions=(rng.random(80) < 0.5).astype(int).tolist(), positive=0))
    sc = np.where(rng.random(60) < 0.5, 0.0, 1.0)
    y = (rng.random(60) < 0.5).astype(int)
    sc[:5] = y[:5]
    cases.append(binary_case("probabilities exactly 0 and 1", y.tolist(), scores=sc.tolist()))
    cases.append(binary_case("all scores equal", y.tolist(), scores=[0.5] * 60))
    cases.append(binary_case("n=1", [1], scores=[0.8]))
    cases.append(binary_case("n=2", [0, 1], scores=[0.3, 0.3]))
    y = (rng.random(40) < 0.5).astype(float).tolist()
    sc = np.round(rng.random(40), 2).tolist()
    lab = [None if i % 7 == 0 else v for i, v in enumerate(y)]
    sc = [float("nan") if i % 11 == 3 else v for i, v in enumerate(sc)]
    cases.append(binary_case("missing labels and scores", lab, scores=sc))
    return cases


# ---------------------------------------------------------------- multiclass
def multiclass_case(name, labels, classes=None, matrix=None, predictions=None, reverse_columns=False):
    n0 = len(labels)
    keep = [i for i in range(n0) if not missing(labels[i]) and (predictions is None or not missing(predictions[i]))
            and (matrix is None or not np.isnan(matrix[i]).any())]
    y = [labels[i] for i in keep]
    if predictions is not None:
        p = [predictions[i] for i in keep]
    else:
        p = [classes[int(np.argmax(matrix[i]))] for i in keep]
    exp = {"n": len(keep), "missing": n0 - len(keep)}
    uniq = sort_key_classes(y + p)
    exp["classes"] = [jsonable(v) for v in uniq]
    exp["confusionMatrix"] = confusion_matrix(y, p, labels=uniq).tolist()
    exp["accuracy"] = accuracy_score(y, p)
    exp["precisionMacro"] = precision_score(y, p, average="macro")
    exp["recallMacro"] = recall_score(y, p, average="macro")
    exp["f1Macro"] = f1_score(y, p, average="macro")
    exp["f1Weighted"] = f1_score(y, p, average="weighted")
    exp["correct"] = int(sum(1 for a, b in zip(y, p) if a == b))
    case = {"name": name, "labels": [jsonable(v) for v in labels], "expected": exp}
    if predictions is not None:
        case["predictions"] = [jsonable(v) for v in predictions]
    if matrix is not None:
        P = np.array([matrix[i] for i in keep], dtype=float)
        try:
            exp["rocAuc"] = roc_auc_score(y, P, multi_class="ovr", average="macro", labels=classes)
        except ValueError:
            exp["rocAuc"] = None
        exp["logLoss"] = log_loss(y, P, labels=classes)
        order = list(range(len(classes)))[::-1] if reverse_columns else list(range(len(classes)))
        M = np.array(matrix, dtype=float)
        case["scoreMatrix"] = {"classes": [jsonable(classes[j]) for j in order],
                               "columns": [[num(v) for v in M[:, j]] for j in order]}
    return case


def grid_probs(rng, n, k, y_idx, steps, tilt=1.5):
    """Rows on a 1/steps grid (ties), summing to 1, tilted toward the true class."""
    rows = []
    for t in y_idx:
        w = rng.random(k) + (tilt * np.eye(k)[t] if t is not None else 0)
        c = np.floor(w / w.sum() * steps).astype(int)
        c[int(np.argmax(w))] += steps - c.sum()
        rows.append(c / steps)
    return np.array(rows)


def multiclass_cases():
    rng = np.random.default_rng(7)
    cases = []
    for n, k, steps in [(90, 3, 10), (400, 3, 20), (600, 5, 20), (5000, 5, 50)]:
        y = rng.integers(0, k, n)
        P = grid_probs(rng, n, k, y, steps)
        cases.append(multiclass_case(f"grid probs n={n} k={k}", y.tolist(), list(range(k)), P.tolist()))
    # a class that is never predicted
    y = rng.integers(0, 5, 300)
    p = np.where(rng.random(300) < 0.7, y, rng.integers(0, 5, 300))
    p[p == 3] = 1
    cases.append(multiclass_case("class 3 never predicted", y.tolist(), predictions=p.tolist()))
    # class present only in predictions
    y = rng.integers(0, 3, 100)
    p = y.copy()
    p[::9] = 3
    cases.append(multiclass_case("class only predicted", y.tolist(), predictions=p.tolist()))
    # string classes, columns reversed, explicit predictions
    names = ["cat", "dog", "emu"]
    yi = rng.integers(0, 3, 150)
    P = grid_probs(rng, 150, 3, yi, 10)
    p = [names[int(v)] for v in np.where(rng.random(150) < 0.75, yi, rng.integers(0, 3, 150))]
    cases.append(multiclass_case("string classes, reversed columns", [names[int(v)] for v in yi], names, P.tolist(),
                                 predictions=p, reverse_columns=True))
    # probabilities exactly 0 and 1 (one-hot), with mistakes
    yi = rng.integers(0, 3, 60)
    hot = np.where(rng.random(60) < 0.8, yi, rng.integers(0, 3, 60))
    P = np.eye(3)[hot]
    cases.append(multiclass_case("one-hot probabilities", yi.tolist(), [0, 1, 2], P.tolist()))
    # rows not normalised (log_loss renormalises)
    yi = rng.integers(0, 4, 200)
    P = np.round(rng.random((200, 4)) + np.eye(4)[yi] * 0.5, 2) / 2.0
    cases.append(multiclass_case("unnormalised rows", yi.tolist(), [0, 1, 2, 3], P.tolist()))
    # a score class absent from labels: OvR AUC undefined
    yi = rng.integers(0, 3, 50)
    P = grid_probs(rng, 50, 4, yi, 10)
    cases.append(multiclass_case("score class absent from labels", yi.tolist(), [0, 1, 2, 3], P.tolist()))
    # missing rows
    yi = rng.integers(0, 3, 70).astype(float)
    P = grid_probs(rng, 70, 3, yi.astype(int), 10)
    lab = [None if i % 10 == 4 else v for i, v in enumerate(yi.tolist())]
    P[5, 1] = np.nan
    cases.append(multiclass_case("missing labels and scores", lab, [0, 1, 2], P.tolist()))
    cases.append(multiclass_case("n=1", [2], [0, 1, 2], [[0.2, 0.3, 0.5]]))
    # string classes (a server model's, which its events' scores follow in the model's declared order), probabilities
    # on a coarse grid (ties), some rows predicting the wrong class; then with a class never present in y
    rng = np.random.default_rng(11)
    names = ["cat", "dog", "emu"]
    yi = rng.integers(0, 3, 120)
    P = grid_probs(rng, 120, 3, yi, 5, tilt=0.4)
    cases.append(multiclass_case("string classes, ties", [names[int(v)] for v in yi], names, P.tolist()))
    names = ["ant", "cat", "dog", "emu"]
    yi = rng.integers(1, 4, 80)
    P = grid_probs(rng, 80, 4, yi, 5, tilt=0.4)
    cases.append(multiclass_case("class never in labels, ties", [names[int(v)] for v in yi], names, P.tolist()))
    return cases


# ---------------------------------------------------------------- regression
def regression_case(name, y, p):
    n0 = len(y)
    keep = [i for i in range(n0) if not missing(y[i]) and not missing(p[i])]
    yt = np.array([y[i] for i in keep], dtype=float)
    yp = np.array([p[i] for i in keep], dtype=float)
    exp = {"n": len(keep), "missing": n0 - len(keep)}
    if len(keep) > 0:
        exp["mae"] = mean_absolute_error(yt, yp)
        exp["rmse"] = math.sqrt(mean_squared_error(yt, yp))
        exp["mape"] = mean_absolute_percentage_error(yt, yp)
        r2 = r2_score(yt, yp)
        exp["r2"] = None if math.isnan(r2) else r2
    return {"name": name, "labels": [num(v) if v is not None else None for v in y],
            "predictions": [num(v) if v is not None else None for v in p], "expected": exp}


def regression_cases():
    rng = np.random.default_rng(99)
    cases = []
    for n in [20, 500, 5000]:
        y = rng.normal(10, 3, n)
        cases.append(regression_case(f"normal n={n}", y.tolist(), (y + rng.normal(0, 1, n)).tolist()))
    y = np.round(rng.normal(0, 2, 100), 1)
    y[::5] = 0.0
    cases.append(regression_case("y with zeros (mape)", y.tolist(), (y + np.round(rng.normal(0, 0.5, 100), 2)).tolist()))
    y = rng.normal(0, 1, 50)
    cases.append(regression_case("perfect predictions", y.tolist(), y.tolist()))
    for c in [0.1, 0.3, 5.0, 1e-7]:
        cases.append(regression_case(f"constant y={c}", [c] * 9, (c + rng.normal(0, 0.1, 9)).tolist()))
        cases.append(regression_case(f"constant y={c}, perfect", [c] * 9, [c] * 9))
    cases.append(regression_case("constant 0.1 x 3", [0.1] * 3, [0.2, 0.1, 0.0]))
    cases.append(regression_case("n=1", [3.0], [2.5]))
    cases.append(regression_case("n=2", [1.0, 2.0], [1.5, 2.5]))
    y = rng.normal(5, 1, 60).tolist()
    p = (np.array(y) + rng.normal(0, 0.3, 60)).tolist()
    y = [None if i % 9 == 2 else v for i, v in enumerate(y)]
    p = [float("nan") if i % 13 == 5 else v for i, v in enumerate(p)]
    cases.append(regression_case("missing values", y, p))
    y = rng.lognormal(0, 2, 300)
    cases.append(regression_case("heavy tail", y.tolist(), (y * rng.lognormal(0, 0.3, 300)).tolist()))
    return cases


# ---------------------------------------------------------------- helpers
def wilson_cases():
    out = []
    for n in [1, 2, 5, 10, 37, 100, 1000, 123457]:
        for k in sorted({0, 1, n // 3, n // 2, n - 1, n}):
            if 0 <= k <= n:
                p = k / n
                denom = 1 + Z * Z / n
                center = (p + Z * Z / (2 * n)) / denom
                half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / denom
                out.append({"successes": k, "n": n, "lo": center - half, "hi": center + half})
    return out


def percentile_cases():
    rng = np.random.default_rng(3)
    out = []
    for n in [1, 2, 3, 10, 41, 100, 1000, 999]:
        v = rng.normal(0, 1, n)
        for q in [0, 2.5, 25, 50, 97.5, 100]:
            out.append({"values": v.tolist(), "q": q, "expected": float(np.percentile(v, q))})
    return out


def main():
    data = {
        "generator": "scripts/golden/metrics.py",
        "sklearn": sklearn.__version__,
        "z975": Z,
        "binary": binary_cases(),
        "multiclass": multiclass_cases(),
        "regression": regression_cases(),
        "wilson": wilson_cases(),
        "percentile": percentile_cases(),
    }
    with open(OUT, "w") as f:
        json.dump(data, f, separators=(",", ":"), allow_nan=False)
    total = sum(len(data[k]) for k in ["binary", "multiclass", "regression", "wilson", "percentile"])
    print(f"wrote {OUT}: {total} cases, {os.path.getsize(OUT)} bytes")


if __name__ == "__main__":
    main()
