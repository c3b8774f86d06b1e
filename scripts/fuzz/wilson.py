"""The Wilson score interval at 95%, as Lookout computes it (core/metrics): shared by the metric fuzzers' oracles."""
import math
from scipy.stats import norm

Z = float(norm.ppf(0.975))


def wilson(s, n):
    if n == 0: return None
    p = s / n; z2 = Z * Z; d = 1 + z2 / n; c = (p + z2 / (2 * n)) / d
    h = Z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / d
    return [max(0.0, c - h), min(1.0, c + h)]
