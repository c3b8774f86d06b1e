import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { computeMetrics } from '../metrics/index.js';
import { seededRandom } from '../random/rng.js';
import { promotionGate, UnknownGateMetricError } from './gate.js';
import { pairedComparison } from './paired.js';

function binaryData(n: number, seed: number, noiseA: number, noiseB: number) {
  const r = seededRandom(seed);
  const labels: string[] = [];
  const sa: number[] = [];
  const sb: number[] = [];
  for (let i = 0; i < n; i++) {
    const y = r.next() < 0.4 ? 1 : 0;
    labels.push(String(y));
    const clamp = (x: number): number => Math.min(0.999, Math.max(0.001, x));
    sa.push(clamp(0.5 + (y ? 0.2 : -0.2) + noiseA * (r.next() - 0.5)));
    sb.push(clamp(0.5 + (y ? 0.2 : -0.2) + noiseB * (r.next() - 0.5)));
  }
  return { labels, sa, sb };
}

describe('issue 5: paired comparison and promotion gate', () => {
  test('each side matches src/core/metrics; the delta interval is seeded and contains the delta', () => {
    const { labels, sa, sb } = binaryData(600, 7, 1.2, 0.6);
    const c = pairedComparison({ task: 'binary', labels, a: { scores: sa }, b: { scores: sb }, seed: 3, resamples: 300 });
    const ma = computeMetrics({ task: 'binary', labels, scores: Float64Array.from(sa), resamples: 0 }).metrics;
    const mb = computeMetrics({ task: 'binary', labels, scores: Float64Array.from(sb), resamples: 0 }).metrics;
    assert.equal(c.n, 600);
    for (const id of ['accuracy', 'rocAuc', 'logLoss']) {
      const m = c.metrics.find((x) => x.metric === id);
      assert.ok(m, id);
      assert.ok(Math.abs((m.a as number) - (ma[id]?.value as number)) < 1e-12, `${id} a`);
      assert.ok(Math.abs((m.b as number) - (mb[id]?.value as number)) < 1e-12, `${id} b`);
      assert.ok(Math.abs((m.delta.value as number) - ((m.b as number) - (m.a as number))) < 1e-15);
      const ci = m.delta.ci as [number, number];
      assert.ok(ci[0] <= (m.delta.value as number) && (m.delta.value as number) <= ci[1], `${id} ci ${ci.join('..')}`);
    }
    assert.deepStrictEqual(pairedComparison({ task: 'binary', labels, a: { scores: sa }, b: { scores: sb }, seed: 3, resamples: 300 }), c);
    // b is clearly better: the gate passes on AUC and the interval is above 0
    const g = promotionGate(c, { requireSignificant: true });
    assert.equal(g.metric, 'rocAuc');
    assert.ok(g.pass, g.reason);
    assert.ok((g.improvementCi as [number, number])[0] > 0);
  });

  test('the gate refuses a worse or not-better-enough candidate and says by how much', () => {
    const { labels, sa, sb } = binaryData(400, 11, 0.6, 1.4);
    const c = pairedComparison({ task: 'binary', labels, a: { scores: sa }, b: { scores: sb }, seed: 1, resamples: 200 });
    const g = promotionGate(c, { metric: 'logLoss', minImprovement: 0.01 });
    assert.equal(g.pass, false);
    assert.ok((g.improvement as number) < 0, 'worse logLoss means negative improvement');
    assert.match(g.reason, /logLoss: candidate [\d.]+ vs current [\d.]+; improvement -[\d.]+ \(95% CI .*\) is below the required 0\.0100/);
    const same = pairedComparison({ task: 'binary', labels, a: { scores: sa }, b: { scores: sa }, resamples: 50 });
    assert.equal(promotionGate(same).pass, false, 'equal is not better');
    // audit 25: an equal candidate under the default gate was "improvement 0.0000 (...) is below the required > 0"
    assert.match(promotionGate(same).reason, /improvement 0\.0000 \(95% CI 0\.0000\.\.0\.0000\) is not above 0, the default minimum \(any improvement; gate\.minImprovement, or lookout promote --min-improvement, sets another\)$/);
    assert.throws(() => promotionGate(c, { metric: 'f1' }), UnknownGateMetricError);
  });

  test('a minimum improvement met exactly counts although b - a is computed in floating point (0.57 - 0.56 < 0.01)', () => {
    const labels = Array.from({ length: 100 }, (_, i) => String(i % 2));
    const right = (k: number): string[] => labels.map((l, i) => (i < k ? l : l === '1' ? '0' : '1'));
    const c = pairedComparison({ task: 'binary', labels, a: { predictions: right(56) }, b: { predictions: right(57) }, resamples: 50 });
    assert.ok(promotionGate(c, { metric: 'accuracy', minImprovement: 0.01 }).pass);
    assert.equal(promotionGate(c, { metric: 'accuracy', minImprovement: 0.011 }).pass, false);
  });

  test('regression: lower mae is better; rows with a missing value are excluded', () => {
    const labels = [1, 2, 3, 4, null, 6];
    const c = pairedComparison({ task: 'regression', labels, a: { predictions: [1.5, 2.5, 3.5, 4.5, 5, 6.5] }, b: { predictions: [1.1, 2.1, 2.9, null, 5, 6] }, resamples: 100 });
    assert.equal(c.n, 4);
    assert.equal(c.excluded, 2);
    const mae = c.metrics.find((m) => m.metric === 'mae');
    assert.equal(mae?.a, 0.5);
    assert.ok(Math.abs((mae?.b as number) - 0.3 / 4) < 1e-12);
    const g = promotionGate(c);
    assert.equal(g.metric, 'mae');
    assert.ok(g.pass && (g.improvement as number) > 0.4);
  });
});

describe('audit 6b: a metric that is not a finite number', () => {
  test('audit 6b: rmse overflowing to Infinity (numpy gives inf too) is null for both versions, and its difference has no interval', () => {
    const n = 40;
    const labels = Array.from({ length: n }, (_, i) => i % 5);
    const a = labels.map((y, i) => (i === 0 ? 1e200 : y + 0.5));
    const b = labels.map((y, i) => (i === 0 ? 1e200 : y + (i % 2 ? 0.25 : -0.25)));
    const c = pairedComparison({ task: 'regression', labels, a: { predictions: a }, b: { predictions: b }, seed: 1, resamples: 200 });
    const rmse = c.metrics.find((m) => m.metric === 'rmse');
    assert.deepStrictEqual([rmse?.a, rmse?.b, rmse?.delta.value, rmse?.delta.ci], [null, null, null, null]);
    assert.match(rmse?.delta.note ?? '', /undefined|not finite/);
    // mae stays finite (1e200 / 40) and keeps its interval
    const mae = c.metrics.find((m) => m.metric === 'mae');
    assert.ok(Number.isFinite(mae?.a) && Number.isFinite(mae?.delta.value) && mae?.delta.ci !== null);
  });

  test('audit 6b: a regression label that is not a number (NaN errors) gives null metrics without an interval, and the gate refuses saying so', () => {
    const labels: Array<string | number> = Array.from({ length: 30 }, (_, i) => i % 3);
    labels[0] = 'abc';
    const preds = labels.map((_, i) => i % 3);
    const c = pairedComparison({ task: 'regression', labels, a: { predictions: preds }, b: { predictions: preds.map((p) => p + 1) }, seed: 1, resamples: 100 });
    for (const m of c.metrics) assert.deepStrictEqual([m.metric, m.a, m.b, m.delta.value, m.delta.ci], [m.metric, null, null, null, null]);
    const g = promotionGate(c);
    assert.equal(g.pass, false);
    assert.match(g.reason, /undefined on this test set/);
  });
});

describe('audit 27: an explicit minImprovement of 0 is the documented "at least as good"', () => {
  test('0 stated: an equal candidate passes (≥ 0), a worse one is refused against "the required 0.0000"; unstated: strictly better', () => {
    const labels = [1, 2, 3, 4, 5, 6];
    const preds = [1, 2, 3, 4, 5, 7];
    const same = pairedComparison({ task: 'regression', labels, a: { predictions: preds }, b: { predictions: preds }, resamples: 50 });
    assert.equal(promotionGate(same).pass, false, 'unstated: equal is not better');
    const zero = promotionGate(same, { minImprovement: 0 });
    assert.equal(zero.pass, true, zero.reason);
    assert.match(zero.reason, /^mae: candidate 0\.1667 is at least as good as current 0\.1667 \(improvement 0\.0000, 95% CI 0\.0000\.\.0\.0000; required ≥ 0\.0000\)$/);
    const worse = pairedComparison({ task: 'regression', labels, a: { predictions: preds }, b: { predictions: preds.map((p) => p + 1) }, resamples: 50 });
    const refused = promotionGate(worse, { minImprovement: 0 });
    assert.equal(refused.pass, false);
    assert.match(refused.reason, /is below the required 0\.0000$/);
  });
});

test('audit 27: a candidate passing a non-inferiority margin is not said to "beat" the current version', () => {
  const labels = [1, 2, 3, 4, 5, 6];
  const a = [1, 2, 3, 4, 5, 6];
  const b = [1, 2, 3, 4, 5, 6.06];
  const c = pairedComparison({ task: 'regression', labels, a: { predictions: a }, b: { predictions: b }, resamples: 50 });
  const g = promotionGate(c, { minImprovement: -0.05 });
  assert.equal(g.pass, true, g.reason);
  assert.match(g.reason, /^mae: candidate 0\.0100 is 0\.0100 worse, within the margin allowed, than current 0\.0000 \(improvement -0\.0100, 95% CI -0\.0[0-9]+\.\.0\.0000; required ≥ -0\.0500\)$/);
});
