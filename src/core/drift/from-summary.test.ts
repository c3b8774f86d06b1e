import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../random/rng.js';
import { decileEdges } from '../stats/binning.js';
import { CategoricalSummary } from '../summary/categorical.js';
import { NumericSummary } from '../summary/numeric.js';
import { featureDrift } from './feature.js';
import { featureDriftFromSummaries } from './from-summary.js';
import { categoricalSample, numericalSample } from './sample.js';

function normals(seed: number, n: number, shift: number): number[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, () => Math.round((Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next()) + shift) * 1000) / 1000);
}

function summarise(values: number[], edges: number[], seed: number, parts = 1): NumericSummary {
  // Built as `parts` window summaries merged, as the server does for a time range.
  const out = new NumericSummary(seededRandom(seed), edges);
  const size = Math.ceil(values.length / parts);
  for (let p = 0; p < parts; p++) {
    const w = new NumericSummary(seededRandom(seed + p + 1), edges);
    for (const v of values.slice(p * size, (p + 1) * size)) w.add(v);
    out.merge(w);
  }
  return out;
}

test('drift from summaries agrees with drift from raw data (PSI/JS/Hellinger exact, KS within its bound)', () => {
  for (const [n1, n2, shift] of [[5000, 3000, 0], [20000, 20000, 0.05], [100000, 50000, 0.3], [150, 120, 0.5]] as const) {
    const ref = normals(1, n1, 0);
    const cur = normals(2, n2, shift);
    const raw = featureDrift('x', numericalSample(ref), numericalSample(cur));
    const edges = decileEdges(numericalSample(ref).sorted);
    const fromSummary = featureDriftFromSummaries('x', summarise(ref, edges, 10), summarise(cur, edges, 20, 24), n1);
    assert.equal(fromSummary.method, raw.method);
    const r = raw.stats;
    const s = fromSummary.stats;
    assert.deepEqual(s.binEdges, r.binEdges);
    for (const k of ['psi', 'jensenShannon', 'hellinger'] as const) {
      assert.ok(Math.abs((s[k] as number) - (r[k] as number)) <= 1e-12 * Math.max(1, Math.abs(r[k] as number)), `${k}: ${s[k]} vs ${r[k]}`);
    }
    const bound = s.ks?.errorBound ?? NaN;
    assert.ok(Math.abs((s.ks?.statistic ?? NaN) - (r.ks?.statistic ?? NaN)) <= bound, `KS ${s.ks?.statistic} vs exact ${r.ks?.statistic}, bound ${bound}`);
    // Sketch error only makes the p-value larger (conservative), so no false alarm from the sketch itself.
    if (bound > 0) assert.ok((s.ks?.pValue ?? 0) >= (r.ks?.pValue ?? 1) - 1e-12 || (s.ks?.statistic ?? 0) > (r.ks?.statistic ?? 0), 'conservative p-value');
    else assert.equal(s.ks?.statistic, r.ks?.statistic, 'exact while neither sketch compacted');
    // Wasserstein between sketch items: close to the exact distance (relative to the spread).
    assert.ok(Math.abs((s.wasserstein ?? 0) - (r.wasserstein ?? 0)) < 0.02, `W ${s.wasserstein} vs ${r.wasserstein}`);
    assert.equal(fromSummary.drifted, raw.drifted, `verdict for shift ${shift}`);
  }
});

test('categorical drift from capped category counts equals the raw computation when under the cap', () => {
  const r = seededRandom(3);
  const cats = ['a', 'b', 'c', 'd', 'e'];
  const ref = Array.from({ length: 3000 }, () => cats[Math.floor(r.next() * 4)] as string);
  const cur = Array.from({ length: 2000 }, () => cats[Math.floor(r.next() * 5)] as string);
  const cs = (xs: string[]): CategoricalSummary => {
    const s = new CategoricalSummary();
    for (const x of xs) s.add(x);
    return s;
  };
  const a = featureDrift('c', categoricalSample(ref), categoricalSample(cur));
  const b = featureDriftFromSummaries('c', cs(ref), cs(cur), ref.length);
  assert.equal(b.score, a.score);
  assert.deepEqual(b.stats.chiSquare, a.stats.chiSquare);
  assert.deepEqual(b.stats.newCategories, ['e']);
});

test('an empty current window gives no verdict', () => {
  const edges = [0];
  const d = featureDriftFromSummaries('x', summarise([1, 2, 3], edges, 1), new NumericSummary(seededRandom(2), edges), 3);
  assert.equal(d.score, null);
  assert.equal(d.drifted, false);
});

test('categories over the cap: the "other" bucket of the current summary is not a new category', () => {
  const cs = (xs: string[]): CategoricalSummary => {
    const s = new CategoricalSummary(5);
    for (const x of xs) s.add(x);
    return s;
  };
  const ref = cs(['a', 'b', 'a', 'b']);
  const cur = cs(['a', 'b', 'x', 'y', 'z', 'v', 'w', 'u']); // a, b, x, y, z kept; v, w, u counted as other
  assert.equal(cur.other, 3);
  const d = featureDriftFromSummaries('c', ref, cur, 4);
  assert.deepEqual(d.stats.newCategories, ['x', 'y', 'z']);
});

test('a reference over the cap: a current category it did not name may be in its "other" bucket, so none is called new', () => {
  const cs = (xs: string[]): CategoricalSummary => {
    const s = new CategoricalSummary(3);
    for (const x of xs) s.add(x);
    return s;
  };
  const ref = cs(['a', 'b', 'c', 'd', 'e']); // a, b, c named; d, e counted as other
  const d = featureDriftFromSummaries('c', ref, cs(['a', 'd', 'e']), 5);
  assert.deepEqual(d.stats.newCategories, []);
});
