import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SerialQueue } from './serial-queue.js';

test('SerialQueue: tasks run one at a time in call order; a failure does not stop later ones; pending and drain', async () => {
  const q = new SerialQueue();
  const log: string[] = [];
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const a = q.run(async () => {
    log.push('a start');
    await gate;
    log.push('a end');
    return 1;
  });
  const b = q.run(async () => {
    log.push('b');
    throw new Error('b failed');
  });
  const c = q.run(async () => {
    log.push('c');
    return 3;
  });
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(log, ['a start'], 'b and c wait for a');
  assert.equal(q.pending, 3);
  let drained = false;
  const d = q.drain().then(() => void (drained = true));
  release();
  assert.equal(await a, 1);
  await assert.rejects(b, /b failed/);
  assert.equal(await c, 3);
  await d;
  assert.ok(drained);
  assert.deepEqual(log, ['a start', 'a end', 'b', 'c']);
  assert.equal(q.pending, 0);
});
