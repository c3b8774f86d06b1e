import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AlertRecord } from '../src/storage/alerts.js';
import { call, testServer } from './helpers/server.js';

const NOW = Date.UTC(2026, 0, 26, 10);
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
