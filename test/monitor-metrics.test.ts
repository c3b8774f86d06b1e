import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import type { EvaluationRecord } from '../src/storage/alerts.js';
import { call, testServer } from './helpers/server.js';

const H = 3_600_000;
const T9 = Date.UTC(2026, 2, 2, 9);
const NOW = T9 + H + 30_000;

describe('issue 4: monitor metrics computed from stored data (regression model, labels, health, freshness)', () => {
  let s: Server;
  const rows = Array.from({ length: 100 }, (_, i) => ({
    id: `r${i}`, ts: T9 + i * 18_000, prediction: 10 + (i % 7), label: 10 + (i % 7) + ((i % 5) - 2) * 0.5, latencyMs: 20 + i, costUsd: i % 2 ? 0.002 : 0.004, error: i % 20 === 0 ? 'timeout' : null,
  }));
  const last = async (id: string): Promise<EvaluationRecord> => {
    const ev = (await call(s.url, 'GET', `/v1/monitors/${id}/evaluations?from=${T9}&to=${NOW}`)).body['evaluations'] as EvaluationRecord[];
    assert.ok(ev.length > 0, id);
    return ev[ev.length - 1] as EvaluationRecord;
  };
  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    await call(s.url, 'POST', '/v1/models', { name: 'eta', outputKind: 'regression', inputSchema: { type: 'object' } });
    await call(s.url, 'POST', '/v1/models/eta/versions', { version: '1' });
    const r = await call(s.url, 'POST', '/v1/events', { events: rows.map((x) => ({ id: x.id, model: 'eta', version: '1', timestamp: x.ts, features: {}, prediction: x.prediction, latencyMs: x.latencyMs, costUsd: x.costUsd, error: x.error })) });
    assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
    assert.equal((await call(s.url, 'POST', '/v1/labels', { labels: rows.map((x) => ({ id: x.id, label: x.label })) })).status, 200);
    const lv = [{ severity: 'page', threshold: 1e9 }];
    for (const metric of ['mae', 'rmse', 'labelDelay', 'freshness', 'costPerInference', 'errorRate', 'latencyP99', 'throughput']) {
      assert.equal((await call(s.url, 'POST', '/v1/monitors', { id: metric, model: 'eta', metric, window: '1h', minSamples: 10, levels: lv })).status, 201);
    }
    assert.equal((await call(s.url, 'POST', '/v1/monitors/run', {})).status, 200);
  });
  after(() => s?.close());

  test('values match hand computation', async () => {
    const err = rows.map((x) => x.prediction - x.label);
    const close = (a: number | null, b: number, tol = 1e-9): void => assert.ok(a !== null && Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
    close((await last('mae')).value, err.reduce((a, b) => a + Math.abs(b), 0) / 100);
    close((await last('rmse')).value, Math.sqrt(err.reduce((a, b) => a + b * b, 0) / 100));
    const delays = rows.map((x) => NOW - x.ts).sort((a, b) => a - b);
    // numpy.percentile(delays, 95): rank 99 x 0.95 = 94.05
    close((await last('labelDelay')).value, (delays[94] as number) + 0.05 * ((delays[95] as number) - (delays[94] as number)));
    // newest event at 09:29:42 (minute window 09:29): 30 minutes stale at the 10:00 window end
    close((await last('freshness')).value, 30 * 60_000);
    close((await last('costPerInference')).value, 0.003);
    close((await last('errorRate')).value, 0.05);
    close((await last('latencyP99')).value, 119, 0.01);
    close((await last('throughput')).value, 100 / 3600);
    const mae = await last('mae');
    assert.equal(mae.status, 'ok');
    assert.equal(mae.samples, 100);
    assert.equal(mae.at, T9 + H);
  });
});
