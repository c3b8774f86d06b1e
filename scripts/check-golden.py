#!/usr/bin/python3
"""CI check: the committed golden files are what the generators produce with Debian's scipy/scikit-learn.

Regenerates every file, compares it with the committed one (structure and strings exactly, numbers to a
relative 1e-12 or an absolute 1e-15, far below the tolerances the tests use), and puts the committed files back. Numbers are not
compared byte for byte because a BLAS built for another CPU may round the last digit differently.
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
golden = os.path.join(here, '..', 'test', 'golden')
problems = []


def compare(a, b, path):
    if len(problems) > 20:
        return
    if isinstance(a, bool) or isinstance(b, bool) or not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        if type(a) is not type(b):
            problems.append(f'{path}: {type(a).__name__} != {type(b).__name__}')
        elif isinstance(a, dict):
            if a.keys() != b.keys():
                problems.append(f'{path}: keys differ')
            for k in a:
                if k in b:
                    compare(a[k], b[k], f'{path}.{k}')
        elif isinstance(a, list):
            if len(a) != len(b):
                problems.append(f'{path}: length {len(a)} != {len(b)}')
            for i, (x, y) in enumerate(zip(a, b)):
                compare(x, y, f'{path}[{i}]')
        elif a != b:
            problems.append(f'{path}: {a!r} != {b!r}')
        return
    if math.isnan(a) and math.isnan(b):
        return
    # Relative 1e-12, or absolute 1e-15 (the floor the tests' own comparison has too): scipy's kstwo.sf of a
    # small p-value (~5e-4) came out 1.8e-12 apart relatively (9e-16 absolutely) on another machine's CPU.
    if a != b and abs(a - b) > 1e-12 * max(abs(a), abs(b)) and abs(a - b) > 1e-15:
        problems.append(f'{path}: committed {a!r}, generated {b!r}')


with tempfile.TemporaryDirectory() as saved:
    names = sorted(n for n in os.listdir(golden) if n.endswith('.json'))
    for n in names:
        shutil.copy(os.path.join(golden, n), os.path.join(saved, n))
    try:
        subprocess.run([sys.executable, os.path.join(here, 'golden', 'generate.py')], check=True)
        for n in sorted(set(names) | {n for n in os.listdir(golden) if n.endswith('.json')}):
            if n not in names:
                problems.append(f'{n}: generated but not committed')
                continue
            with open(os.path.join(saved, n)) as f:
                committed = json.load(f)
            with open(os.path.join(golden, n)) as f:
                generated = json.load(f)
            compare(committed, generated, n)
    finally:
        for n in names:
            shutil.copy(os.path.join(saved, n), os.path.join(golden, n))

if problems:
    print('golden files differ from what scripts/golden/*.py generate:', file=sys.stderr)
    for p in problems[:20]:
        print('  ' + p, file=sys.stderr)
    sys.exit(1)
print(f'golden files reproduced: {", ".join(names)}', file=sys.stderr)
