import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadGolden } from '../../../test/helpers/golden.js';
import { seededRandom } from '../random/rng.js';
import { exactValues } from '../sketches/ks-from-sketch.js';
import { KllSketch } from '../sketches/kll.js';
import { decileEdges } from '../stats/binning.js';
import { KLL_K, NumericSummary } from '../summary/numeric.js';
import { featureDriftFromSummaries } from './from-summary.js';
import { numericalSample } from './sample.js';

interface Case {
  name: string;
  n1: number;
  seed1: number;
  shift1: number;
  n2: number;
  seed2: number;
  shift2: number;
  head1: number[];
  head2: number[];
  statistic: number;
  pValue: number;
}

/** scripts/golden/ks_sketch.py's generator: MINSTD integers (exact in doubles), four uniforms summed, minus 2, shifted. */
function sample(n: number, seed: number, shift: number): number[] {
  const M = 2147483647;
  let x = seed;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < 4; k++) {
      x = (48271 * x) % M;
      const u = x / M;
      s = k === 0 ? u : s + u;
    }
    out.push(s - 2 + shift);
  }
  return out;
}

// README ("Windowed summaries and their error bounds"): the KS statistic from the sketches is within
// stats.ks.errorBound of the exact one (eps(200) = 1.33% per compacted sketch, 0 for one that is still exact),
// and the p-value, taken at statistic - errorBound, is never below the exact test's (no alarm from sketch error).
// A small reference (<= 200 values) never compacts: the statistic is taken against its exact values, and the
// bound is the current side's alone. Checked against scipy.stats.ks_2samp on the raw data.
test('a small exact reference against a large compacted current range: KS within the current side\'s bound of scipy, p-value conservative', () => {
  const { cases } = loadGolden<{ cases: Case[] }>('ks-sketch');
  assert.equal(cases.length, 27);
  const eps = KllSketch.normalizedRankError(KLL_K);
  for (const c of cases) {
    const a = sample(c.n1, c.seed1, c.shift1);
    const b = sample(c.n2, c.seed2, c.shift2);
    assert.deepEqual([a.slice(0, 3), b.slice(0, 3)], [c.head1, c.head2], `${c.name}: same data as the generator`);
    const edges = decileEdges(numericalSample(a).sorted);
    const ref = new NumericSummary(seededRandom(c.seed1), edges);
    for (const v of a) ref.add(v);
    // The current range as the server reads it: 24 window summaries merged.
    const cur = new NumericSummary(seededRandom(c.seed2), edges);
    const size = Math.ceil(b.length / 24);
    for (let w = 0; w < 24; w++) {
      const s = new NumericSummary(seededRandom(c.seed2 + w + 1), edges);
      for (const v of b.slice(w * size, (w + 1) * size)) s.add(v);
      cur.merge(s);
    }
    assert.ok(exactValues(ref.kll) !== null, `${c.name}: the reference sketch holds its values`);
    assert.ok(cur.kll.isEstimationMode, `${c.name}: the current sketch has compacted`);
    const d = featureDriftFromSummaries('x', ref, cur, c.n1, { method: 'ks' });
    const ks = d.stats.ks as { statistic: number; pValue: number; method: string; errorBound: number };
    assert.equal(ks.method, 'sketch', c.name);
    assert.equal(ks.errorBound, eps, `${c.name}: only the current side's rank error`);
    assert.ok(Math.abs(ks.statistic - c.statistic) <= ks.errorBound, `${c.name}: D ${ks.statistic} vs scipy ${c.statistic}, bound ${ks.errorBound}`);
    assert.ok(ks.pValue >= c.pValue, `${c.name}: p ${ks.pValue} below scipy's ${c.pValue}`);
    if (c.pValue >= 0.05) assert.equal(d.drifted, false, `${c.name}: no drift where scipy finds none`);
  }
});
