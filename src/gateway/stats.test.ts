import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DDSketch } from '@datadog/sketches-js';
import { latencyTail } from './stats.js';

test('latencyTail: requests above the sketch bin edge at or above a threshold, within 2.02% of it (1% relative accuracy)', () => {
  const sketch = new DDSketch({ relativeAccuracy: 0.01 });
  const values = Array.from({ length: 2000 }, (_, i) => 1 + ((i * 7919) % 1000) / 3); // 1 .. 333.7 ms
  for (const v of values) sketch.accept(v);
  const tail = latencyTail(sketch);
  const g = 1.01 / 0.99;
  for (const ms of [0.5, 1, 5, 20, 47.3, 100, 250, 333.6, 400]) {
    const t = tail(ms);
    assert.equal(t.of, 2000);
    assert.ok(t.aboveMs >= ms * (1 - 1e-12) && t.aboveMs < ms * g, `${ms}: edge ${t.aboveMs}`);
    // exactly the values above the edge
    assert.equal(t.slower, values.filter((v) => v > t.aboveMs * (1 + 1e-12)).length, `${ms}: ${t.slower}`);
  }
  // a snapshot: later values do not change it
  const before = tail(100).slower;
  sketch.accept(1000);
  assert.equal(tail(100).slower, before);
  assert.deepStrictEqual(latencyTail(new DDSketch({ relativeAccuracy: 0.01 }))(10), { slower: 0, of: 0, aboveMs: tail(10).aboveMs });
});
