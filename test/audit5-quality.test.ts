import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { multiclassRows } from './helpers/multiclass.js';
import { call, testServer, type Json } from './helpers/server.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

describe('audit5: performance and quality queries (real server, DuckDB file)', () => {
  let s: Server;
  let base = '';
  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => (c.ingest.sampleRate = 1) });
    base = s.url;
  });
  after(async () => {
    await s.close();
  });

  const putReference = async (name: string, csv: string, query = ''): Promise<Json> => {
    const r = await fetch(`${base}/v1/models/${name}/versions/1/reference${query}`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: csv });
    return { status: r.status, body: await r.json() as Record<string, unknown> };
  };

  test('CBPE of a multiclass model: calibrated per class on the reference, the expected confusion matrix gives NannyML\'s estimates', async () => {
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'mc', outputKind: 'multiclass', classes: ['a', 'b', 'c'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/mc/versions', { version: '1' })).status, 201);
    const { reference, events } = multiclassRows();
    const ref = await putReference('mc', reference);
    assert.equal(ref.status, 200, JSON.stringify(ref.body));
    const from = NOW - 2 * HOUR;
    const ev = await call(base, 'POST', '/v1/events', {
      events: events.map((e, i) => ({ id: `mc-${i}`, model: 'mc', version: '1', timestamp: from + i * 20_000, features: { x: i }, prediction: e.prediction, scores: e.scores })),
    });
    assert.equal(ev.body['accepted'], 300, JSON.stringify(ev.body).slice(0, 300));
    const p = await call(base, 'GET', `/v1/models/mc/performance?from=${from}&to=${NOW}`);
    assert.equal(p.status, 200, JSON.stringify(p.body));
    const est = p.body['estimated'] as Record<string, number> | null;
    assert.ok(est, 'a multiclass model with per-class reference scores has an estimate');
    // Direct computation (Python, sklearn 1.2.1): per class k, IsotonicRegression(out_of_bounds='clip').fit(ref score_k,
    // ref label == k); traffic probabilities calibrated per class and divided by their sum; expected matrix
    // E[i][j] = sum of p_i over events predicted j; accuracy = trace / n, precision/recall/f1 = sklearn's macro averages
    // of E (NannyML's per-class estimates averaged).
    const expected = { accuracy: 0.5771196457994217, precision: 0.5773142035106796, recall: 0.5781051446525957, f1: 0.5772571796288567 };
    assert.equal(est['n'], 300);
    for (const [k, v] of Object.entries(expected)) assert.ok(Math.abs((est[k] as number) - v) < 1e-9, `${k}: ${est[k]} against ${v}`);
    // the same per window, as a time series
    const ts = await call(base, 'GET', `/v1/models/mc/timeseries?metric=estimatedAccuracy&from=${from}&to=${NOW}&granularity=hour`);
    assert.equal(ts.status, 200, JSON.stringify(ts.body));
    const points = ts.body['points'] as Array<{ value: number | null; events: number }>;
    assert.equal(points.length, 2);
    assert.ok(points.every((x) => x.value !== null && x.value > 0.4 && x.value < 0.8), JSON.stringify(points));
  });

  test('/health of a range still running (to in the future: "today") gives the throughput over the part that has passed', async () => {
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'thr', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/thr/versions', { version: '1' })).status, 201);
    const events = Array.from({ length: 60 }, (_, i) => ({ id: `thr-${i}`, model: 'thr', version: '1', timestamp: NOW - HOUR + i * 60_000, features: { x: i }, prediction: i, latencyMs: 5 }));
    assert.equal((await call(base, 'POST', '/v1/events', { events })).body['accepted'], 60);
    const past = await call(base, 'GET', `/v1/models/thr/health?from=${NOW - HOUR}&to=${NOW}`);
    assert.equal(past.status, 200, JSON.stringify(past.body));
    assert.ok(Math.abs((past.body['throughputPerSecond'] as number) - 60 / 3600) < 1e-12, JSON.stringify(past.body));
    // the same hour as the start of a day that ends 23 h from now: still 60 events in the hour that has passed
    const today = await call(base, 'GET', `/v1/models/thr/health?from=${NOW - HOUR}&to=${NOW + 23 * HOUR}`);
    assert.equal(today.status, 200, JSON.stringify(today.body));
    assert.ok(Math.abs((today.body['throughputPerSecond'] as number) - 60 / 3600) < 1e-12, `throughput ${String(today.body['throughputPerSecond'])}/s, not 60 events an hour`);
    // a range wholly in the future: nothing yet, 0 (not a division by a negative time)
    const ahead = await call(base, 'GET', `/v1/models/thr/health?from=${NOW + HOUR}&to=${NOW + 2 * HOUR}`);
    assert.equal(ahead.status, 200, JSON.stringify(ahead.body));
    assert.equal(ahead.body['throughputPerSecond'], 0);
  });

  test('label delay percentiles are numpy.percentile\'s (linear): delays of 1, 2, 3 and 4 minutes have p50 2.5 min, not 3, and p95 3.85 min, not the max', async () => {
    let now = NOW;
    const t = await testServer({ clock: () => now, configure: (c) => { c.ingest.sampleRate = 1; c.alerting = { evaluationInterval: 0 }; } });
    try {
      assert.equal((await call(t.url, 'POST', '/v1/models', { name: 'lag', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object' } })).status, 201);
      assert.equal((await call(t.url, 'POST', '/v1/models/lag/versions', { version: '1' })).status, 201);
      const start = NOW - HOUR;
      const events = [0, 1, 2, 3].map((i) => ({ id: `lag-${i}`, model: 'lag', version: '1', timestamp: start, features: {}, prediction: '1' }));
      assert.equal((await call(t.url, 'POST', '/v1/events', { events })).body['accepted'], 4);
      for (let i = 0; i < 4; i++) {
        now = start + (i + 1) * 60_000;
        assert.equal((await call(t.url, 'POST', '/v1/labels', { labels: [{ id: `lag-${i}`, label: '1' }] })).body['accepted'], 1);
      }
      now = NOW;
      const p = await call(t.url, 'GET', `/v1/models/lag/performance?from=${start}&to=${NOW}`);
      assert.equal(p.status, 200, JSON.stringify(p.body));
      // numpy.percentile([60000, 120000, 180000, 240000], [50, 95]) = [150000, 231000]
      const d = p.body['labelDelayMs'] as { p50: number; p95: number; max: number };
      assert.deepEqual([d.p50, Math.round(d.p95 * 1e6) / 1e6, d.max], [150_000, 231_000, 240_000], JSON.stringify(d));
      // the labelDelay monitor metric (p95) is the same statistic
      const m = await call(t.url, 'POST', '/v1/monitors', { id: 'lagmon', model: 'lag', metric: 'labelDelay', window: '1h', minSamples: 1, levels: [{ severity: 'page', threshold: 1e9 }] });
      assert.equal(m.status, 201, JSON.stringify(m.body));
      now = NOW + 30_000;
      assert.equal((await call(t.url, 'POST', '/v1/monitors/run', {})).status, 200);
      const evs = (await call(t.url, 'GET', `/v1/monitors/lagmon/evaluations?from=${start}&to=${now}`)).body['evaluations'] as Array<{ value: number | null }>;
      assert.ok(Math.abs((evs.at(-1)?.value ?? 0) - 231_000) < 1e-6, JSON.stringify(evs));
    } finally {
      await t.close();
    }
  });

  test('a multiclass reference with per-class score columns has rocAuc and logLoss (sklearn\'s), beside the realized ones', async () => {
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'mcref', outputKind: 'multiclass', classes: ['a', 'b', 'c'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/mcref/versions', { version: '1' })).status, 201);
    // 12 rows, scores of c = 1 - a - b (rows sum to 1, as sklearn's roc_auc_score requires); one tie in score_a
    const rows = [
      [0.7, 0.2, 'a'], [0.6, 0.3, 'b'], [0.1, 0.8, 'b'], [0.2, 0.2, 'c'], [0.5, 0.25, 'a'], [0.3, 0.3, 'c'],
      [0.1, 0.6, 'b'], [0.4, 0.1, 'c'], [0.8, 0.1, 'a'], [0.3, 0.5, 'a'], [0.25, 0.35, 'b'], [0.15, 0.15, 'c'],
    ] as const;
    const csv = `x,prediction,probA,probB,probC,label\n${rows.map(([a, b, y], i) => {
      const c = 1 - a - b;
      const pred = a >= b && a >= c ? 'a' : b >= c ? 'b' : 'c';
      return `${i},${pred},${a},${b},${c},${y}`;
    }).join('\n')}\n`;
    const ref = await putReference('mcref', csv, '?scores=probA,probB,probC');
    assert.equal(ref.status, 200, JSON.stringify(ref.body));
    const metrics = ((ref.body['versions'] as Array<{ reference: { metrics: { n: number; metrics: Record<string, { value: number | null }> } } }>)[0]?.reference.metrics);
    assert.equal(metrics?.n, 12);
    // sklearn 1.2.1: roc_auc_score(y, P, multi_class='ovr', labels=['a','b','c']), log_loss(y, P, labels=['a','b','c'])
    assert.ok(Math.abs((metrics?.metrics['rocAuc']?.value ?? NaN) - 0.9270833333333334) < 1e-12, JSON.stringify(metrics?.metrics['rocAuc']));
    assert.ok(Math.abs((metrics?.metrics['logLoss']?.value ?? NaN) - 0.661803422015205) < 1e-12, JSON.stringify(metrics?.metrics['logLoss']));
    // a count of columns that is not the model's classes is refused, saying why
    const bad = await putReference('mcref', csv, '?scores=probA,probB');
    assert.equal(bad.status, 422, JSON.stringify(bad.body));
    assert.match((bad.body['error'] as { message: string }).message, /scores must name 3 columns/);
  });

  test('/health says how many events its cost is of: half the events without costUsd give costUsd / costEvents, not costUsd / events', async () => {
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'cost', outputKind: 'regression', inputSchema: { type: 'object' } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/cost/versions', { version: '1' })).status, 201);
    const events = Array.from({ length: 40 }, (_, i) => ({ id: `cost-${i}`, model: 'cost', version: '1', timestamp: NOW - HOUR + i * 60_000, features: {}, prediction: 1, ...(i % 2 === 0 && { costUsd: 0.25 }) }));
    assert.equal((await call(base, 'POST', '/v1/events', { events })).body['accepted'], 40);
    const h = await call(base, 'GET', `/v1/models/cost/health?from=${NOW - HOUR}&to=${NOW}`);
    assert.equal(h.status, 200, JSON.stringify(h.body));
    assert.deepEqual([h.body['events'], h.body['costUsd'], h.body['costEvents'], h.body['costPerInferenceUsd']], [40, 5, 20, 0.25]);
  });
});
