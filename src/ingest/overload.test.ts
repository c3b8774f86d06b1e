import assert from 'node:assert/strict';
import { test } from 'node:test';
import { admits, IngestOverloaded, QueueBound } from './overload.js';

test('the ingest queue bound: rows fit up to max; a request alone in an empty queue always fits; counted out once', () => {
  assert.equal(admits(0, 20_000, 100), true, 'never starved by a bound below its size');
  assert.equal(admits(60, 40, 100), true);
  assert.equal(admits(60, 41, 100), false);
  const b = new QueueBound(100);
  const out = b.take(90);
  assert.equal(b.full(11), true);
  const e = b.refusal(11);
  assert.ok(e instanceof IngestOverloaded);
  assert.match(e.message, /90 events waiting for the store, at most 100: ingest\.maxQueuedEvents/);
  out();
  out();
  assert.equal(b.queued, 0, 'an answer counted twice would let the queue past its bound');
});
