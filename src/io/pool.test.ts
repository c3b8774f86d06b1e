import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pool } from './pool.js';

test('pool: results in order, at most n in flight, a rejection rejects it', async () => {
  let inFlight = 0;
  let most = 0;
  const out = await pool([5, 1, 4, 2, 3, 0], 2, async (x) => {
    most = Math.max(most, ++inFlight);
    await new Promise((r) => setTimeout(r, x));
    inFlight--;
    return x * 10;
  });
  assert.deepEqual(out, [50, 10, 40, 20, 30, 0]);
  assert.equal(most, 2);
  assert.deepEqual(await pool([], 3, async (x: number) => x), []);
  await assert.rejects(pool([1, 2], 1, async (x) => { if (x === 2) throw new Error('two'); return x; }), /two/);
});
