import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from './rng.js';

test('same seed gives the same sequence, different seeds differ', () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const c = seededRandom(43);
  const sa = Array.from({ length: 100 }, () => a.next());
  const sb = Array.from({ length: 100 }, () => b.next());
  const sc = Array.from({ length: 100 }, () => c.next());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
});

test('uniform in [0,1) with a plausible mean and int() in range', () => {
  const r = seededRandom(7);
  let sum = 0;
  const n = 100000;
  const counts = new Array<number>(10).fill(0);
  for (let i = 0; i < n; i++) {
    const x = r.next();
    assert.ok(x >= 0 && x < 1);
    sum += x;
    const k = r.int(10);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  assert.ok(Math.abs(sum / n - 0.5) < 0.01);
  for (const c of counts) assert.ok(Math.abs(c / n - 0.1) < 0.01);
});
