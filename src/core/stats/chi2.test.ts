import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chi2Sf } from './chi2.js';

// scipy 1.10.1: scipy.stats.chi2.sf(x, dof), printed with repr.
test('chi2Sf matches scipy where x/2 > 1000 (the incomplete gamma function\'s large-argument series)', () => {
  const cases: Array<[number, number, number]> = [
    [2000, 2000, 0.4957947558197845],
    [2020, 2000, 0.37232105526300524],
    [4400, 4000, 7.169925088244834e-6],
    [2001, 1350, 3.1810787562863367e-28],
  ];
  for (const [x, dof, expected] of cases) {
    const got = chi2Sf(x, dof);
    assert.ok(Math.abs(got - expected) <= 1e-10 * expected, `chi2.sf(${x}, ${dof}) = ${got}, scipy ${expected}`);
  }
});
