#!/usr/bin/python3
"""scipy's values for scripts/fuzz/drift-parity.mjs: reads JSON lines {id, kind: 'num'|'cat', a, b} (the non-missing
reference and current values of one feature) on stdin and writes one JSON line per input, {id, ksStat, ksP, w, sd}
for a numerical feature (scipy.stats.ks_2samp(method='auto'), scipy.stats.wasserstein_distance, numpy.std of the
reference) or {id, chi, chiP, dof} for a categorical one (scipy.stats.chi2_contingency(correction=False) on the
counts of every category of either side). Usage: /usr/bin/python3 scripts/fuzz/drift_parity.py < features.jsonl"""
import json, math, sys, warnings
from collections import Counter
import numpy as np
from scipy import stats
warnings.simplefilter('ignore')


def enc(x):
    x = float(x)
    return None if not math.isfinite(x) else x


for line in sys.stdin:
    c = json.loads(line)
    out = {'id': c['id']}
    if c['kind'] == 'num':
        a = np.asarray(c['a'], dtype=float)
        b = np.asarray(c['b'], dtype=float)
        ks = stats.ks_2samp(a, b, method='auto')
        out.update(ksStat=enc(ks.statistic), ksP=enc(ks.pvalue), w=enc(stats.wasserstein_distance(a, b)), sd=enc(np.std(a)))
    else:
        A, B = Counter(c['a']), Counter(c['b'])
        cats = sorted(set(A) | set(B))
        if len(cats) == 1:
            out.update(chi=0.0, chiP=1.0, dof=0)
        else:
            res = stats.chi2_contingency(np.vstack([[A[k] for k in cats], [B[k] for k in cats]]), correction=False)
            out.update(chi=enc(res[0]), chiP=enc(res[1]), dof=int(res[2]))
    sys.stdout.write(json.dumps(out) + '\n')
