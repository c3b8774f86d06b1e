import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DDSketch } from '@datadog/sketches-js';
import { predictionDriftTest } from '../core/rollout/analysis.js';
import { GatewayStats, latencyTail } from './stats.js';

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

test('GatewayStats: the numeric predictions an arm keeps sample its whole period, so a shadow that shifts after 5,000 requests shows as drift', () => {
  const stats = new GatewayStats(() => 0);
  // 12,000 paired requests: the shadow agrees for the first 6,000, then answers 1,000 more
  for (let i = 0; i < 12_000; i++) {
    const x = (i * 7919) % 100;
    stats.answer('m', 'primary', true, 1, x, null);
    stats.answer('m', 'shadow', true, 1, i < 6000 ? x : x + 1000, null);
  }
  const shadow = stats.arm('m', 'shadow');
  const shifted = shadow.numeric.filter((v) => v >= 1000).length / shadow.numeric.length;
  assert.ok(shifted > 0.45 && shifted < 0.55, `${(shifted * 100).toFixed(1)}% of the kept sample from the second half`);
  const drift = predictionDriftTest(stats.arm('m', 'primary'), shadow);
  // half the shadow's answers above every primary answer: its top decile holds ~55% against 10%
  assert.ok(drift !== null && drift.psi > 0.5 && drift.p < 1e-6, JSON.stringify(drift));
  // the same input gives the same sample (seeded: reports and rollout analyses are reproducible)
  const again = new GatewayStats(() => 0);
  for (let i = 0; i < 12_000; i++) again.answer('m', 'shadow', true, 1, i < 6000 ? (i * 7919) % 100 : ((i * 7919) % 100) + 1000, null);
  assert.deepStrictEqual(again.arm('m', 'shadow').numeric, shadow.numeric);
});

test('audit 6: an arm keeps the spread of its confidences for the estimated-performance test (numpy mean / var(ddof=1))', () => {
  const stats = new GatewayStats(() => 0);
  for (let i = 0; i < 500; i++) stats.answer('m', 'a', true, 1, 'yes', 0.5 + 0.45 * ((i * 37) % 100) / 100);
  stats.answer('m', 'a', false, 1, null, null);
  stats.answer('m', 'a', true, 1, 'no', null);
  const a = stats.arm('m', 'a');
  // numpy: c = [0.5 + 0.45 * ((i * 37) % 100) / 100 for i in range(500)]; c.mean() = 0.72275, c.var(ddof=1) = 0.01690712675350702
  assert.ok(Math.abs((a.meanConfidence as number) - 0.72275) < 1e-12);
  assert.equal(a.confidenceSpread?.n, 500);
  assert.ok(Math.abs((a.confidenceSpread?.variance as number) - 0.01690712675350702) < 1e-12, String(a.confidenceSpread?.variance));
});
