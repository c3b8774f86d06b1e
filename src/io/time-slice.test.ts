import assert from 'node:assert/strict';
import { test } from 'node:test';
import { performance } from 'node:perf_hooks';
import { TimeSlicer, yieldToLoop } from './time-slice.js';

const spin = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* busy: synchronous work */ }
};

test('pace() does not yield within the slice, and yields once it is used up', async () => {
  // Budgets far above any pause of a loaded machine between two statements, so the outcome does not depend on one.
  let ran = false;
  setImmediate(() => (ran = true));
  await new TimeSlicer(60_000).pace();
  assert.equal(ran, false, 'within the budget: no turn of the event loop');
  const slice = new TimeSlicer(50);
  spin(51);
  assert.equal(slice.due, true);
  await slice.pace();
  assert.equal(ran, true, 'past the budget: pending callbacks ran');
  assert.equal(slice.due, false, 'a new slice starts after the yield');
});

test('a long loop paced by a slicer lets a timer in long before it ends', async () => {
  const slice = new TimeSlicer(1);
  const start = performance.now();
  let timerAt = -1;
  setTimeout(() => (timerAt = performance.now() - start), 0);
  for (let i = 0; i < 80; i++) {
    spin(0.5);
    await slice.pace();
  }
  const total = performance.now() - start;
  assert.ok(timerAt >= 0 && timerAt < total / 2, `the timer ran at ${timerAt.toFixed(1)} ms of ${total.toFixed(1)} ms`);
});

test('yieldToLoop lets pending I/O callbacks run', async () => {
  let ran = false;
  setImmediate(() => (ran = true));
  await yieldToLoop();
  assert.equal(ran, true);
});
