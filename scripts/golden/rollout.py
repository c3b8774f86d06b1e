#!/usr/bin/python3
"""Golden values for the rollout analysis's exact binomial tests (src/core/rollout/analysis.ts, src/core/stats/binomial.ts).

Run with Debian's python3-scipy 1.10.1:  /usr/bin/python3 scripts/golden/rollout.py
Writes test/golden/rollout.json with
  binomialGreater: [{k, n, p, sf}]   scipy.stats.binomtest(k, n, p, alternative='greater').pvalue = P(X >= k)
p = 0.05 is the latency test (share above a p95); the others are maximum disagreement rates.
"""
import json
import os
import sys

import scipy
from scipy import stats

assert scipy.__version__ == '1.10.1', scipy.__version__

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'golden', 'rollout.json')

cases = []
for p in (0.05, 0.2, 0.01, 0.5):
    for n in (1, 10, 40, 50, 100, 1000, 100000):
        for k in sorted({0, 1, 2, 3, int(n * p), int(n * p) + 1, int(n * p * 1.5) + 1, int(n * p * 2) + 3, n // 2, n}):
            if 0 <= k <= n:
                cases.append({'k': k, 'n': n, 'p': p, 'sf': float(stats.binomtest(k, n, p, alternative='greater').pvalue)})

with open(OUT, 'w') as fh:
    json.dump({'scipy': scipy.__version__, 'binomialGreater': cases}, fh, separators=(',', ':'))
print(f'wrote {OUT}: {len(cases)} binomialGreater cases', file=sys.stderr)
