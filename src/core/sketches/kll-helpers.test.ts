import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../random/rng.js';
import { sortRange } from './kll-helpers.js';

test('sortRange sorts exactly as TypedArray sort does, and only its range: random, duplicate-heavy, sorted, reversed, constant', () => {
  const r = seededRandom(5);
  const shapes: Array<(n: number) => number[]> = [
    (n) => Array.from({ length: n }, () => r.next() * 2e6 - 1e6),
    (n) => Array.from({ length: n }, () => Math.floor(r.next() * 5) - 2),
    (n) => Array.from({ length: n }, (_, i) => i * 0.5),
    (n) => Array.from({ length: n }, (_, i) => n - i),
    (n) => Array.from({ length: n }, () => 7),
    (n) => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? i : -i) * 1e-300),
  ];
  for (const shape of shapes) {
    for (const n of [0, 1, 2, 3, 31, 32, 33, 34, 64, 100, 133, 200, 201, 500, 2000]) {
      const pad = [1e9, -1e9, 3];
      const buf = Float64Array.from([...pad, ...shape(n), ...pad]);
      const want = buf.slice();
      want.subarray(3, 3 + n).sort();
      sortRange(buf, 3, 3 + n);
      assert.deepEqual(buf, want, `n = ${n}`);
    }
  }
});
