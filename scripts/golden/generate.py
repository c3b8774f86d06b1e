#!/usr/bin/python3
"""Regenerates every golden file in test/golden from scipy / scikit-learn (Debian packages)."""
import os
import runpy
import sys

here = os.path.dirname(os.path.abspath(__file__))
for name in sorted(os.listdir(here)):
    if name.endswith('.py') and name != 'generate.py':
        print(f'== {name}', file=sys.stderr)
        runpy.run_path(os.path.join(here, name), run_name='__main__')
