import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AlertRecord } from '../src/storage/alerts.js';
import { hungReceiver } from './helpers/hung-receiver.js';
import { Receiver } from './helpers/receiver.js';
import { call, poster, testServer } from './helpers/server.js';

const NOW = Date.UTC(2026, 0, 26, 10);
const MIN = 60_000;
const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };

describe('audit 7 (alerting): an external alert cannot set the labels Lookout sets', { timeout: 60_000 }, () => {
  test('POST /v1/alerts with labels {category: data} (or monitor, model, ...) is a 400 naming the label; alertname is taken', async () => {
    const s = await testServer({ clock: () => NOW, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    try {
      assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA })).status, 201);
      const base = { source: 'pipeline', model: 'churn', severity: 'page', summary: 'x' };
      for (const labels of [{ category: 'data' }, { team: 'ml', monitor: 'churn-psi' }, { model: 'fraud' }, { slo: 'x' }, { version: '2' }, { metric: 'psi:x' }, { segment: 'a=b' }, { severity: 'info' }]) {
        const r = await call(s.url, 'POST', '/v1/alerts', { ...base, labels });
        assert.equal(r.status, 400, `${JSON.stringify(labels)} -> ${r.status} ${JSON.stringify(r.body)}`);
        const err = r.body['error'] as { code: string; message: string };
        assert.equal(err.code, 'validation_failed');
        assert.match(err.message, new RegExp(`"${Object.keys(labels).at(-1) as string}"`));
      }
      assert.deepEqual((await call(s.url, 'GET', '/v1/alerts')).body['alerts'], [], 'none raised');
      const ok = await call(s.url, 'POST', '/v1/alerts', { ...base, labels: { alertname: 'FeaturePipelineLate', team: 'ml' } });
      assert.equal(ok.status, 201, JSON.stringify(ok.body));
      const a = ok.body['alert'] as AlertRecord;
      assert.equal(a.labels['alertname'], 'FeaturePipelineLate');
      assert.equal(a.labels['category'], 'external');
    } finally {
      await s.close();
    }
  });
});

describe('audit 7 (alerting): a hanging notifier does not hold back the evaluation rounds', { timeout: 90_000 }, () => {
  test('the webhook hangs (4 attempts of 2 s): evaluations go on every second meanwhile, and the server stops within one attempt', async (t) => {
    const hung = await hungReceiver();
    // one real second is one minute of the server clock: the 1m monitor has a window to evaluate at every round
    const t0 = Date.now();
    const clock = (): number => NOW + (Date.now() - t0) * 60;
    const s = await testServer({
      clock,
      configure: (c) => {
        c.alerting = {
          evaluationInterval: '1s', groupWait: '30s', groupInterval: '10m', repeatInterval: '4h',
          notifiers: [{ id: 'hung', kind: 'webhook', url: `${hung.url}/hook`, timeoutMs: 2000, retries: 3, backoffMs: 10 }],
        };
      },
    });
    let closed = false;
    try {
      assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA })).status, 201);
      assert.equal((await call(s.url, 'POST', '/v1/monitors', { id: 'churn-p99', model: 'churn', metric: 'latencyP99', window: '1m', levels: [{ severity: 'page', threshold: 800 }] })).status, 201);
      assert.equal((await call(s.url, 'POST', '/v1/alerts', { source: 'pipeline', model: 'churn', severity: 'page', summary: 'late' })).status, 201);
      const evaluations = async (): Promise<number> => ((await call(s.url, 'GET', `/v1/monitors/churn-p99/evaluations?from=${NOW - 86_400_000}&to=${clock() + 1}`)).body['evaluations'] as unknown[]).length;
      const w0 = performance.now();
      // the delivery (4 attempts of 2 s) hangs for 8 s from its first connection
      while (hung.connections() === 0 && performance.now() - w0 < 10_000) await new Promise((r) => setTimeout(r, 50));
      assert.ok(hung.connections() > 0, 'the page went to the hung receiver');
      // for 6 s of the ~8 s the delivery hangs: when did new evaluations come?
      const start = performance.now();
      let last = await evaluations();
      let lastAt = start;
      let gap = 0;
      let rounds = 0;
      while (performance.now() - start < 6000) {
        await new Promise((r) => setTimeout(r, 100));
        const n = await evaluations();
        if (n > last) {
          gap = Math.max(gap, performance.now() - lastAt);
          lastAt = performance.now();
          rounds++;
          last = n;
        }
      }
      gap = Math.max(gap, performance.now() - lastAt);
      assert.ok(rounds >= 3, `${rounds} evaluation rounds in 6 s while the notifier hung (longest wait ${Math.round(gap)} ms)`);
      assert.ok(gap < 4000, `the longest wait for an evaluation round was ${Math.round(gap)} ms`);
      const c0 = performance.now();
      await s.close();
      closed = true;
      const took = performance.now() - c0;
      t.diagnostic(`${rounds} rounds in 6 s, longest wait ${Math.round(gap)} ms, stop ${Math.round(took)} ms`);
      assert.ok(took < 4500, `stopping took ${Math.round(took)} ms (the retries of the delivery in flight are not waited for)`);
    } finally {
      if (!closed) await s.close();
      await hung.close();
    }
  });
});

describe('audit 7 (alerting): a resolve owed after a failed delivery goes with the group, in one notification', { timeout: 60_000 }, () => {
  test('two alerts paged, one resolves while the receiver fails (503): once back it gets one "firing,resolved", not "resolved" then "firing"', async () => {
    const hook = await Receiver.start();
    let clock = NOW;
    const s = await testServer({
      clock: () => clock,
      configure: (c) => {
        c.alerting = { evaluationInterval: 0, groupWait: '1m', groupInterval: '5m', repeatInterval: '4h', notifiers: [{ id: 'hook', kind: 'webhook', url: `${hook.url}/hook`, retries: 1, backoffMs: 10 }] };
      },
    });
    const post = poster(() => s.url);
    const sent = (from: number): string[] => hook.received.slice(from).map((m) => (m.body as { alerts: Array<{ status: string }> }).alerts.map((a) => a.status).sort().join(','));
    const run = async (minutes: number): Promise<void> => {
      for (let i = 0; i < minutes; i++) {
        clock += MIN;
        await post('/v1/monitors/run', {});
      }
    };
    try {
      await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
      const a = await post('/v1/alerts', { source: 'pipeline', model: 'churn', severity: 'page', summary: 'late' });
      await post('/v1/alerts', { source: 'features', model: 'churn', severity: 'page', summary: 'stale' });
      await run(2);
      assert.deepEqual(sent(0), ['firing,firing']);
      hook.status = 503;
      await post(`/v1/alerts/${(a['alert'] as AlertRecord).id}/resolve`, {});
      await run(5);
      const failed = hook.received.length;
      assert.deepEqual(sent(1), ['firing,resolved', 'firing,resolved'], 'the flush with the resolve failed (2 attempts)');
      hook.status = 200;
      await run(30);
      assert.deepEqual(sent(failed), ['firing,resolved'], 'one notification carries the owed resolve and the alert still firing');
    } finally {
      await s.close();
      await hook.close();
    }
  });
});
