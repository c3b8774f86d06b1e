import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertClose, loadGolden } from '../../../test/helpers/golden.js';
import { binomialSfAtLeast } from './binomial.js';

test('binomialSfAtLeast(k, n, p) = scipy.stats.binom.sf(k - 1, n, p)', () => {
  // [k, n, p, scipy 1.17.1]
  const golden: Array<[number, number, number, number]> = [
    [3, 50, 0.05, 0.45946687728048463], [25, 50, 0.05, 1.100489063414551e-19], [5, 50, 0.05, 0.10361681014414346],
    [6, 50, 0.05, 0.037776172989777285], [0, 50, 0.05, 1], [1, 1, 0.05, 0.05], [60, 1000, 0.05, 0.08673217838486103],
    [10, 100000, 0.0001, 0.5420765413839347], [40, 40, 0.05, 9.094947017729302e-53], [7, 50, 0.05, 0.011786447797264277],
  ];
  for (const [k, n, p, want] of golden) {
    const got = binomialSfAtLeast(k, n, p);
    assert.ok(Math.abs(got - want) <= 1e-9 * want, `${k} of ${n} at ${p}: ${got}, scipy ${want}`);
  }
  assert.equal(binomialSfAtLeast(1, 10, 0), 0);
  assert.equal(binomialSfAtLeast(10, 10, 1), 1);
});

test('binomialSfAtLeast against test/golden/rollout.json (scipy.stats.binomtest greater), far below the mean too', () => {
  const golden = loadGolden<{ binomialGreater: Array<{ k: number; n: number; p: number; sf: number }> }>('rollout');
  for (const c of golden.binomialGreater) assertClose(binomialSfAtLeast(c.k, c.n, c.p), c.sf, `${c.k} of ${c.n} at ${c.p}`, { pValue: true });
  // 1 of 100000 at 5%: P(X = 1) underflows (0.95^99999), and the sum of the upper tail from there was 0, not 1
  assert.equal(binomialSfAtLeast(1, 100_000, 0.05), 1);
});
