import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RetryBudget } from './retry.js';

const cfg = { maxRetries: 2, initialMs: 100, maxMs: 1000, maxRetryAgeMs: 60_000 };

test('audit 25: retries paced by Retry-After are free while the batch is young, waited in full above maxMs, capped at the age bound', () => {
  const b = new RetryBudget(cfg);
  for (let i = 0; i < 50; i++) assert.equal(b.next(5000), 5000, 'Retry-After 5 s above maxMs 1 s, not counted');
  const capped = b.next(3_600_000) ?? 0;
  assert.ok(capped <= 60_000 && capped > 59_000, `an hour's Retry-After waits at most what is left of maxRetryAgeMs (${capped})`);
  assert.equal(b.next(1), 100, 'at least initialMs: a tiny Retry-After cannot make the client spin');
  // not paced: counted
  assert.ok((b.next(undefined, () => 0.5) ?? -1) >= 0);
  assert.equal(b.next(0), 0, 'Retry-After: 0 counts');
  assert.equal(b.next(5000), 5000, 'still free: the budget is for unpaced retries');
  assert.equal(b.next(undefined), null, 'maxRetries 2 used: given up');
  assert.match(b.describe(), /^gave up after 56 attempts in \d+\.\d s: the server asked to wait \(Retry-After\) for longer than maxRetryAgeMs 60000 ms, then for maxRetries 2 more$/);
});

test('audit 25: past maxRetryAgeMs (0: at once) paced retries count and Retry-After is capped at maxMs, as before', () => {
  const b = new RetryBudget({ ...cfg, maxRetryAgeMs: 0 });
  assert.equal(b.next(5000), 1000);
  assert.equal(b.next(5000), 1000);
  assert.equal(b.next(5000), null);
  assert.equal(b.describe(), 'gave up after 3 attempts');
  const old = new RetryBudget(cfg, performance.now() - 61_000);
  assert.equal(old.next(5000), 1000, 'a batch older than the bound');
});
