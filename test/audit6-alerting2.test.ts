import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AlertRecord } from '../src/storage/alerts.js';
import { call, testServer } from './helpers/server.js';

const NOW = Date.UTC(2026, 0, 26, 10);
const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };

describe('audit 6 (alerting 2): alert identity is injective', { timeout: 60_000 }, () => {
  test('labels {x: "1", y: "2"} and {"x=1,y": "2"} are two alerts, not one', async () => {
    const s = await testServer({ clock: () => NOW, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    try {
      assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA })).status, 201);
      const ids: string[] = [];
      for (const labels of [{ x: '1', y: '2' }, { 'x=1,y': '2' }]) {
        const r = await call(s.url, 'POST', '/v1/alerts', { source: 'pipeline', model: 'churn', severity: 'page', summary: 'x', labels });
        assert.equal(r.status < 300, true, JSON.stringify(r.body));
        ids.push((r.body['alert'] as AlertRecord).id);
      }
      assert.notEqual(ids[0], ids[1], 'two different label sets are two alerts');
      const open = (await call(s.url, 'GET', '/v1/alerts?state=open')).body['alerts'] as AlertRecord[];
      assert.equal(open.length, 2);
      assert.notEqual(open[0]?.fingerprint, open[1]?.fingerprint);
    } finally {
      await s.close();
    }
  });
});
