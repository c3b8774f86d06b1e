import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { call, poster, testServer } from './helpers/server.js';

/**
 * Audit 14 (monitors' positive class): a binary model that declares no classes and has no reference positive class.
 * Monitors on labelled metrics evaluated each window with the positive class of that window's labels and predictions:
 * an hour holding only "no" took "no" as positive, so its precision, recall and F1 were the negative class's (1), not
 * the model's positive class "yes" (0, no positives: sklearn's zero_division), unlike /performance/buckets over the
 * same hours. Real server (in-process, real DuckDB store), monitors run through POST /v1/monitors/run at a fixed clock.
 */
const H = 3_600_000;
const X = { type: 'object', properties: { x: { type: 'number' } } };

interface Evaluation { at: number; value: number | null; samples: number; status: string; detail: Record<string, unknown> }

describe('audit 14 (monitors): labelled metrics of a binary model without declared classes keep one positive class', { timeout: 30_000 }, () => {
  const now = Date.UTC(2026, 1, 2, 12, 10);
  const h8 = Date.UTC(2026, 1, 2, 8);
  const h9 = Date.UTC(2026, 1, 2, 9);
  const h10 = Date.UTC(2026, 1, 2, 10);
  let s: Server;
  const post = poster(() => s.url);

  before(async () => {
    s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    await post('/v1/models', { name: 'churn', outputKind: 'binary', inputSchema: X });
    await post('/v1/models/churn/versions', { version: '1' });
    // 09:00-10:00 both classes; 08:00-09:00 and 10:00-11:00 only "no" (labels and predictions), as quiet hours of a
    // rare-event model: the first before "yes" was ever seen in a window, the other after
    const mixed = [['yes', 'yes', 0.9], ['no', 'no', 0.2], ['yes', 'no', 0.4], ['no', 'yes', 0.6], ['yes', 'yes', 0.8], ['no', 'no', 0.1]] as const;
    const events = [
      ...mixed.map(([, p, sc], i) => ({ id: `a${i}`, ts: h9 + (i + 1) * 60_000, prediction: p, score: sc })),
      ...[0.1, 0.2, 0.3, 0.15, 0.25].map((sc, i) => ({ id: `b${i}`, ts: h10 + (i + 1) * 60_000, prediction: 'no', score: sc })),
      ...[0.3, 0.2, 0.1, 0.05].map((sc, i) => ({ id: `c${i}`, ts: h8 + (i + 1) * 60_000, prediction: 'no', score: sc })),
    ];
    const r = await call(s.url, 'POST', '/v1/events', { events: events.map((e) => ({ id: e.id, model: 'churn', version: '1', timestamp: e.ts, features: { x: 1 }, prediction: e.prediction, score: e.score })) });
    assert.equal(r.body['accepted'], events.length, JSON.stringify(r.body));
    const labels = [...mixed.map(([l], i) => ({ id: `a${i}`, label: l })), ...[0, 1, 2, 3, 4].map((i) => ({ id: `b${i}`, label: 'no' })), ...[0, 1, 2, 3].map((i) => ({ id: `c${i}`, label: 'no' }))];
    const l = await call(s.url, 'POST', '/v1/labels', { labels });
    assert.equal(l.status, 200, JSON.stringify(l.body));
    for (const metric of ['recall', 'precision', 'f1']) {
      const m = await call(s.url, 'POST', '/v1/monitors', { id: metric, model: 'churn', metric, window: '1h', minSamples: 3, levels: [{ severity: 'page', threshold: 0.5 }] });
      assert.equal(m.status, 201, JSON.stringify(m.body));
    }
    await post('/v1/monitors/run', {});
  });
  after(() => s.close());

  test('each window is measured with the positive class "yes", as /performance/buckets measures the same hours', async () => {
    const b = await call(s.url, 'GET', `/v1/models/churn/performance/buckets?from=${h8}&to=${h10 + H}&step=1h&metrics=precision,recall,f1`);
    assert.equal(b.status, 200, JSON.stringify(b.body));
    const buckets = b.body['buckets'] as Array<{ from: number; to: number; labelled: number; realized: { positiveLabel: string; metrics: Record<string, { value: number }> } }>;
    assert.deepEqual(buckets.map((x) => [x.labelled, x.realized.positiveLabel]), [[4, 'yes'], [6, 'yes'], [5, 'yes']]);
    for (const metric of ['recall', 'precision', 'f1']) {
      const evs = ((await call(s.url, 'GET', `/v1/monitors/${metric}/evaluations?from=${h8}&to=${now}`)).body['evaluations'] as Evaluation[]).filter((e) => e.samples > 0);
      assert.deepEqual(evs.map((e) => [e.at, e.samples]), [[h9, 4], [h10, 6], [h10 + H, 5]], metric);
      // before: the "no"-only hours read 1 (the negative class's recall, precision and F1), the buckets 0
      assert.deepEqual(evs.map((e) => e.value), buckets.map((x) => x.realized.metrics[metric]?.value), `${metric}: ${JSON.stringify(evs)}`);
      assert.deepEqual(evs.map((e) => e.detail['positiveClass']), ['yes', 'yes', 'yes'], metric);
    }
  });
});
