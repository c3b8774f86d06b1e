"""The reading of scikit-learn's answers by the metric fuzzers' oracles (quality_oracle.py, metrics_parity_oracle.py):
a value Lookout would give as null (sklearn raising, nan, inf) is None."""
import math


def fin(x):
    try:
        x = float(x)
    except Exception:
        return None
    return x if math.isfinite(x) else None


def safe(f):
    try:
        return fin(f())
    except Exception:
        return None
