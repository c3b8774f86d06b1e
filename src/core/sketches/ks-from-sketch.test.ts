import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Random, seededRandom } from '../random/rng.js';
import { ks2sampSorted } from '../stats/ks.js';
import { KllSketch } from './kll.js';
import { wassersteinSorted } from '../stats/wasserstein.js';
import { cdfDistancesFromSketches, ksSketchErrorBound, ksStatisticFromSketches } from './ks-from-sketch.js';

function normal(r: Random): number {
  const u = r.next();
  const v = r.next();
  return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
}

type Gen = (r: Random) => number;

function sample(gen: Gen, n: number, seed: number): Float64Array {
  const r = seededRandom(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = gen(r);
  return out;
}

function sketchOf(data: Float64Array, seed: number, k = 200): KllSketch {
  const s = new KllSketch(k, seededRandom(seed));
  s.updateAll(data);
  return s;
}

const std: Gen = (r) => normal(r);
const shifted: Gen = (r) => 0.05 + normal(r);
const wide: Gen = (r) => 1.1 * normal(r);
const ties: Gen = (r) => Math.floor(-Math.log(1 - r.next()) * 2);
const tiesShifted: Gen = (r) => Math.floor(-Math.log(1 - r.next()) * 2.2);

describe('ksStatisticFromSketches', () => {
  test('equals the exact statistic while both sketches are exact (including ties)', () => {
    for (const [ga, gb, na, nb] of [[std, shifted, 150, 200], [ties, tiesShifted, 200, 90], [ties, ties, 1, 200]] as const) {
      const a = sample(ga, na, na);
      const b = sample(gb, nb, nb + 1);
      const sa = sketchOf(a, 1);
      const sb = sketchOf(b, 2);
      assert.equal(ksSketchErrorBound(sa, sb), 0);
      const exact = ks2sampSorted(a.slice().sort(), b.slice().sort()).statistic;
      assert.ok(Math.abs(ksStatisticFromSketches(sa, sb) - exact) < 1e-12);
      assert.equal(ksStatisticFromSketches(sa, sb), ksStatisticFromSketches(sb, sa));
    }
  });

  test('its Wasserstein distance (same walk) equals the exact one while both sketches are exact, and stays close after', () => {
    for (const [ga, gb, na, nb] of [[std, shifted, 150, 200], [ties, tiesShifted, 200, 90], [ties, ties, 1, 200], [std, wide, 5000, 3000]] as const) {
      const a = sample(ga, na, na);
      const b = sample(gb, nb, nb + 1);
      const sa = sketchOf(a, 1);
      const sb = sketchOf(b, 2);
      const exact = wassersteinSorted(a.slice().sort(), b.slice().sort());
      const { ks, wasserstein } = cdfDistancesFromSketches(sa, sb);
      assert.equal(ks, ksStatisticFromSketches(sa, sb));
      assert.equal(wasserstein, cdfDistancesFromSketches(sb, sa).wasserstein);
      if (ksSketchErrorBound(sa, sb) === 0) assert.ok(Math.abs(wasserstein - exact) <= 1e-12 * Math.max(1, exact), `${wasserstein} vs ${exact}`);
      else assert.ok(Math.abs(wasserstein - exact) < 0.02, `${wasserstein} vs ${exact}`);
    }
    const empty = cdfDistancesFromSketches(sketchOf(sample(std, 10, 1), 1), new KllSketch(200, seededRandom(3)));
    assert.ok(Number.isNaN(empty.ks) && Number.isNaN(empty.wasserstein));
  });

  test('identical sketches give 0; disjoint supports give 1; empty gives NaN', () => {
    const a = sketchOf(sample(std, 10_000, 1), 1);
    assert.equal(ksStatisticFromSketches(a, a), 0);
    const far = sketchOf(sample((r) => 100 + normal(r), 5000, 2), 2);
    assert.equal(ksStatisticFromSketches(a, far), 1);
    assert.ok(Number.isNaN(ksStatisticFromSketches(a, new KllSketch(200, seededRandom(3)))));
  });

  test('error bound: sum of a-priori errors of the sketches that have compacted', () => {
    const big = sketchOf(sample(std, 5000, 1), 1);
    const small = sketchOf(sample(std, 50, 2), 2);
    const k100 = sketchOf(sample(std, 5000, 3), 3, 100);
    assert.equal(ksSketchErrorBound(big, small), KllSketch.normalizedRankError(200));
    assert.equal(ksSketchErrorBound(big, k100), KllSketch.normalizedRankError(200) + KllSketch.normalizedRankError(100));
  });

  // sizes 1e3 .. 1e6, equal and unequal, shifted / unshifted / scale change / heavy ties
  const cases: [string, Gen, Gen, number, number][] = [
    ['unshifted 1e3 vs 1e3', std, std, 1000, 1000],
    ['shifted 1e3 vs 1e3', std, shifted, 1000, 1000],
    ['ties 1e4 vs 3e3', ties, tiesShifted, 10_000, 3000],
    ['unshifted 1e4 vs 1e4', std, std, 10_000, 10_000],
    ['scale 1e5 vs 2e4', std, wide, 100_000, 20_000],
    ['ties 1e5 vs 1e5', ties, ties, 100_000, 100_000],
    ['shifted 1e6 vs 1e5', std, shifted, 1_000_000, 100_000],
    ['unshifted 1e6 vs 1e3', std, std, 1_000_000, 1000],
    ['ties shifted 1e6 vs 5e5', ties, tiesShifted, 1_000_000, 500_000],
  ];
  for (const [name, ga, gb, na, nb] of cases) {
    test(`within ksSketchErrorBound of the exact KS statistic: ${name}`, () => {
      const a = sample(ga, na, na + 7);
      const b = sample(gb, nb, nb + 13);
      const exact = ks2sampSorted(a.slice().sort(), b.slice().sort()).statistic;
      for (const seed of [1, 2, 3]) {
        const sa = sketchOf(a, seed);
        const sb = sketchOf(b, seed + 100);
        const d = ksStatisticFromSketches(sa, sb);
        const bound = ksSketchErrorBound(sa, sb);
        assert.ok(bound > 0 && bound <= 2 * KllSketch.normalizedRankError(200) + 1e-15);
        assert.ok(Math.abs(d - exact) <= bound, `seed ${seed}: sketch ${d}, exact ${exact}, bound ${bound}`);
      }
    });
  }

  test('works on merged (minute -> hour) sketches', () => {
    const a = sample(std, 600_000, 5);
    const b = sample(shifted, 300_000, 6);
    const merged = (data: Float64Array, seed: number): KllSketch => {
      const out = new KllSketch(200, seededRandom(seed));
      const per = data.length / 60;
      for (let m = 0; m < 60; m++) out.merge(sketchOf(data.subarray(m * per, (m + 1) * per), seed * 1000 + m));
      return out;
    };
    const sa = merged(a, 1);
    const sb = merged(b, 2);
    const exact = ks2sampSorted(a.slice().sort(), b.slice().sort()).statistic;
    assert.ok(Math.abs(ksStatisticFromSketches(sa, sb) - exact) <= ksSketchErrorBound(sa, sb));
  });
});
