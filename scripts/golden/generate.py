#!/usr/bin/python3
"""Regenerates every golden file in test/golden from scipy / scikit-learn (Debian packages)."""
import os

# Multi-threaded BLAS sums in a varying order (scipy's kstwo.sf uses matrix powers), which changes the last
# digits from run to run; one thread makes the golden files reproducible byte for byte.
for var in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ[var] = '1'

import runpy  # noqa: E402
import sys  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
for name in sorted(os.listdir(here)):
    if name.endswith('.py') and name != 'generate.py':
        print(f'== {name}', file=sys.stderr)
        runpy.run_path(os.path.join(here, name), run_name='__main__')
