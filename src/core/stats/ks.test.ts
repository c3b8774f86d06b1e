import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ks2samp, ks2sampSorted } from './ks.js';
import { loadGolden, assertClose } from '../../../test/helpers/golden.js';

interface KsCase {
  name: string;
  a: number[];
  b: number[];
  statistic: number | string;
  pValue: number | string;
  method: 'exact' | 'asymp';
}
interface Golden { ks2samp: KsCase[] }

const golden = loadGolden<Golden>('ks');

function sorted(x: number[]): Float64Array {
  return Float64Array.from(x).sort();
}

test('ks2samp matches scipy.stats.ks_2samp', () => {
  assert.ok(golden.ks2samp.length > 100);
  for (const c of golden.ks2samp) {
    const r = ks2sampSorted(sorted(c.a), sorted(c.b));
    assertClose(r.statistic, c.statistic, `${c.name}: statistic`);
    assertClose(r.pValue, c.pValue, `${c.name}: pValue`, { pValue: true });
    assert.equal(r.method, c.method, `${c.name}: method`);
  }
});

test('ks2samp is symmetric', () => {
  for (const c of golden.ks2samp) {
    if (c.a.length + c.b.length > 3000) continue;
    const ab = ks2samp(c.a, c.b);
    const ba = ks2samp(c.b, c.a);
    assert.equal(ba.statistic, ab.statistic, `${c.name}: statistic`);
    assert.equal(ba.pValue, ab.pValue, `${c.name}: pValue`);
  }
});

test('ks2samp sorts unsorted input and drops NaN', () => {
  // deterministic shuffle (LCG) of a golden case
  const c = golden.ks2samp.find((x) => x.a.length > 50 && x.a.length < 1000 && x.method === 'exact');
  assert.ok(c);
  const shuffle = (x: number[]): number[] => {
    const y = x.slice();
    let s = 12345;
    for (let i = y.length - 1; i > 0; i--) {
      s = (s * 1103515245 + 12345) % 2147483648;
      const j = s % (i + 1);
      [y[i], y[j]] = [y[j] as number, y[i] as number];
    }
    return y;
  };
  const ref = ks2sampSorted(sorted(c.a), sorted(c.b));
  const r1 = ks2samp(shuffle(c.a), shuffle(c.b));
  assert.deepEqual(r1, ref);
  const withNaN = [NaN, ...shuffle(c.a), NaN];
  const r2 = ks2samp(Float64Array.from(withNaN), [...c.b, NaN]);
  assert.deepEqual(r2, ref);
});

test('ks2samp throws on empty input', () => {
  assert.throws(() => ks2samp([], [1, 2]), /empty/);
  assert.throws(() => ks2samp([1, 2], [NaN, NaN]), /empty/);
  assert.throws(() => ks2sampSorted(new Float64Array(0), new Float64Array(0)), /empty/);
});
