#!/usr/bin/python3
"""Golden values for KS over stored windows with a small reference: scipy.stats.ks_2samp on the raw data of a
small reference (at most 200 values: its KLL sketch never compacts) against a large current sample (its merged
sketch has compacted). The samples are not stored: both sides generate them with the same integer generator
(MINSTD, x <- 48271 x mod 2^31-1, exact in doubles), a value being ((u1 + u2) + u3) + u4 - 2 + shift with
u = x / (2^31 - 1), so every operation is one IEEE-754 rounding in Python and JavaScript alike.

Run with Debian's python3-scipy 1.10.1:  /usr/bin/python3 scripts/golden/ks_sketch.py
Writes test/golden/ks-sketch.json: cases [{name, n1, seed1, shift1, n2, seed2, shift2, head1, head2, statistic, pValue}]
(head1/head2: the first values of each sample, to check that both sides generate the same data).
"""
import json
import os
import sys

import numpy as np
import scipy
from scipy import stats

assert scipy.__version__ == '1.10.1', scipy.__version__

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'golden', 'ks-sketch.json')
M = 2147483647


def sample(n, seed, shift):
    x = seed
    out = []
    for _ in range(n):
        s = 0.0
        for k in range(4):
            x = (48271 * x) % M
            u = x / M
            s = u if k == 0 else s + u
        out.append(s - 2 + shift)
    return out


cases = []
for n1 in (30, 150, 200):
    for n2 in (5000, 50000, 200000):
        for shift in (0.0, 0.1, 0.3):
            seed1, seed2 = 1000 + n1, 7 + n2 // 1000
            a = np.asarray(sample(n1, seed1, 0.0))
            b = np.asarray(sample(n2, seed2, shift))
            res = stats.ks_2samp(a, b)
            cases.append({'name': f'{n1} vs {n2}, shift {shift}', 'n1': n1, 'seed1': seed1, 'shift1': 0.0,
                          'n2': n2, 'seed2': seed2, 'shift2': shift,
                          'head1': a[:3].tolist(), 'head2': b[:3].tolist(),
                          'statistic': float(res.statistic), 'pValue': float(res.pvalue)})

with open(OUT, 'w') as fh:
    json.dump({'generator': 'scripts/golden/ks_sketch.py', 'scipy': scipy.__version__, 'cases': cases}, fh, indent=1)
    fh.write('\n')
print(f'wrote {OUT}: {len(cases)} cases', file=sys.stderr)
