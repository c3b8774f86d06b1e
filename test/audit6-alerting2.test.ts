import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { AlertRecord } from '../src/storage/alerts.js';
import { lookoutAsync, tempDir } from './helpers/cli.js';
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

describe('audit 6 (alerting 2): a monitor\'s labels cannot override the labels Lookout sets', { timeout: 60_000 }, () => {
  const MON = { id: 'churn-p99', model: 'churn', metric: 'latencyP99', window: '1h', levels: [{ severity: 'page', threshold: 800 }] };

  test('POST /v1/monitors and /v1/slos with labels {model: ...} (or alertname, severity, ...) is a 400 naming the reserved labels', async () => {
    const s = await testServer({ clock: () => NOW, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    try {
      assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA })).status, 201);
      for (const labels of [{ model: 'fraud' }, { alertname: 'x' }, { monitor: 'other' }, { severity: 'info' }, { team: 'ml', category: 'data' }]) {
        const r = await call(s.url, 'POST', '/v1/monitors', { ...MON, labels });
        assert.equal(r.status, 400, `${JSON.stringify(labels)} -> ${r.status} ${JSON.stringify(r.body)}`);
        const err = r.body['error'] as { code: string; message: string };
        assert.equal(err.code, 'validation_failed');
        assert.match(err.message, /reserved/);
        assert.match(err.message, new RegExp(`"${Object.keys(labels).at(-1) as string}"`));
      }
      const slo = await call(s.url, 'POST', '/v1/slos', { id: 'churn-av', model: 'churn', kind: 'availability', objective: 0.999, labels: { slo: 'x' } });
      assert.equal(slo.status, 400, JSON.stringify(slo.body));
      assert.deepEqual((await call(s.url, 'GET', '/v1/monitors?model=churn')).body['monitors'], [], 'none stored');
      // labels of one's own are fine
      assert.equal((await call(s.url, 'POST', '/v1/monitors', { ...MON, labels: { team: 'ml' } })).status, 201);
    } finally {
      await s.close();
    }
  });

  test('a monitor declared in lookout.yaml with labels {model: fraud} stops `lookout serve` (exit 2) naming the reserved label', async () => {
    const dir = tempDir('lookout-audit6-reserved-');
    const path = join(dir, 'lookout.yaml');
    writeFileSync(path, `
dataDir: ${dir}/data
server: { port: 0 }
models:
  - name: churn
    outputKind: binary
    classes: ["0", "1"]
    inputSchema: { type: object, properties: { x: { type: number } } }
    versions: [{ version: "1" }]
monitors:
  - { id: churn-p99, model: churn, metric: latencyP99, window: 1h, levels: [{ severity: page, threshold: 800 }], labels: { model: fraud } }
`);
    const r = await lookoutAsync(['serve', '--config', path, '--port', '0'], 20_000);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /reserved.*"model"|"model".*reserved/);
  });
});
