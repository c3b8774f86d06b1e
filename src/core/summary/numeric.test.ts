import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../random/rng.js';
import { NumericSummary } from './numeric.js';

function summary(edges: number[] | null, values: unknown[], seed: number): NumericSummary {
  const s = new NumericSummary(seededRandom(seed), edges);
  for (const v of values) s.add(v);
  return s;
}

function values(n: number, seed: number): unknown[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => (i % 13 === 0 ? null : i % 29 === 0 ? NaN : r.next() * 4 - 2));
}

test('issue 3: mergeBytes equals merge(fromBytes(bytes)) bit for bit, bins added, dropped or kept as merge does', () => {
  const edges = [-1, 0, 1];
  const sources: Array<[string, NumericSummary]> = [
    ['same bins', summary(edges, values(300, 1), 11)],
    ['empty, no bins (keeps the bins)', summary(null, [], 12)],
    ['empty, same bins', summary(edges, [], 13)],
    ['compacted, same bins', summary(edges, values(20_000, 2), 14)],
    ['only missing values', summary(edges, [null, NaN, 'x'], 15)],
    ['other bins (drops the bins)', summary([-1, 0, 2], values(50, 3), 16)],
    ['more after the bins were dropped', summary(edges, values(40, 4), 17)],
  ];
  const viaObjects = summary(edges, values(10, 9), 5);
  const viaBytes = summary(edges, values(10, 9), 5);
  for (const [what, s] of sources) {
    const bytes = s.toBytes();
    viaObjects.merge(NumericSummary.fromBytes(bytes, seededRandom(1)));
    viaBytes.mergeBytes(bytes);
    assert.deepEqual(viaBytes.toBytes(), viaObjects.toBytes(), what);
    assert.deepEqual(viaBytes.hist, viaObjects.hist, what);
  }
  assert.equal(viaBytes.hist, null);

  // Bins of another length, a source without bins but with values, a target without bins: as merge does.
  for (const [target, source] of [
    [summary(edges, values(10, 9), 5), summary([-1, 1], values(30, 6), 18)],
    [summary(edges, values(10, 9), 5), summary(null, values(30, 6), 19)],
    [summary(null, values(10, 9), 5), summary(edges, values(30, 6), 20)],
  ] as const) {
    const a = NumericSummary.fromBytes(target.toBytes(), seededRandom(3));
    a.merge(NumericSummary.fromBytes(source.toBytes(), seededRandom(1)));
    target.mergeBytes(source.toBytes());
    assert.deepEqual(target.toBytes(), a.toBytes());
    assert.deepEqual([target.count, target.missing, target.min, target.max, target.sum, target.sumSq], [a.count, a.missing, a.min, a.max, a.sum, a.sumSq]);
  }
});

test('issue 3: mergeBytes of corrupt bytes fails as fromBytes fails, changing nothing', () => {
  const src = summary([-1, 0, 1], values(500, 1), 11).toBytes();
  const target = summary([-1, 0, 1], values(100, 2), 5);
  const before = target.toBytes();
  const badForm = src.slice();
  badForm[0] = 2;
  const badLengths = src.slice();
  new DataView(badLengths.buffer).setUint32(8, 1e6, true);
  const badKll = src.slice();
  badKll[64 + 8 * 7] = 0; // the KLL sketch's magic, after 4 bins and 3 edges
  const cases: Array<[Uint8Array, RegExp]> = [
    [src.subarray(0, 40), /too short/], [badForm, /unsupported form/], [badLengths, /exceed/], [badKll, /KllSketch\.fromBytes: bad magic/],
  ];
  for (const [bad, why] of cases) {
    assert.throws(() => NumericSummary.fromBytes(bad, seededRandom(1)), why);
    assert.throws(() => target.mergeBytes(bad), why);
    assert.deepEqual(target.toBytes(), before);
  }
});
