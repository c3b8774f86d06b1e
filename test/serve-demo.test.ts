import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { call } from './helpers/server.js';
import { tempDir } from './helpers/cli.js';
import { spawnServe, type RunningServer } from './helpers/process.js';

const DAY = 86_400_000;

describe('lookout serve --demo (real process): a newcomer sees everything at once', () => {
  let srv: RunningServer;
  const dir = tempDir('lookout-demo-');
  before(async () => {
    srv = await spawnServe(['--demo', '--data-dir', dir]);
  });
  after(async () => {
    const code = await srv.stop('SIGTERM');
    assert.equal(code, 0, 'clean shutdown on SIGTERM');
  });

  test('two models, 30 days of traffic', async () => {
    const models = await call(srv.url, 'GET', '/v1/models');
    const list = models.body['models'] as Array<{ name: string; outputKind: string; versions: Array<{ version: string; reference: { rows: number } | null }> }>;
    assert.deepEqual(list.map((m) => [m.name, m.outputKind, m.versions[0]?.version, m.versions[0]?.reference?.rows]), [['churn', 'binary', '1.0.0', 5000], ['eta', 'regression', '2.1.0', 5000]]);
    const now = Date.now();
    const h = await call(srv.url, 'GET', `/v1/models/eta/health?from=${now - 30 * DAY}&to=${now}`);
    assert.ok((h.body['events'] as number) > 100_000, `eta events: ${String(h.body['events'])}`);
  });

  test('the drift incident is visible, and absent before it', async () => {
    const now = Date.now();
    const during = await call(srv.url, 'GET', `/v1/models/churn/drift?from=${now - 9 * DAY}&to=${now - 7 * DAY}`);
    const before = await call(srv.url, 'GET', `/v1/models/churn/drift?from=${now - 20 * DAY}&to=${now - 18 * DAY}`);
    const drifted = (b: Record<string, unknown>): string[] => (b['features'] as Array<{ name: string; drifted: boolean }>).filter((f) => f.drifted).map((f) => f.name);
    assert.ok(drifted(during.body).includes('monthly_spend'), JSON.stringify(drifted(during.body)));
    assert.ok(drifted(during.body).includes('plan'));
    assert.deepEqual(drifted(before.body), []);
    const perf = await call(srv.url, 'GET', `/v1/models/churn/performance?from=${now - 9 * DAY}&to=${now - 7 * DAY}`);
    const calm = await call(srv.url, 'GET', `/v1/models/churn/performance?from=${now - 20 * DAY}&to=${now - 18 * DAY}`);
    const acc = (b: Record<string, unknown>): number => ((b['realized'] as { metrics: { accuracy: { value: number } } }).metrics.accuracy.value);
    assert.ok(acc(perf.body) < acc(calm.body) - 0.1, `accuracy during the incident ${acc(perf.body)} vs before ${acc(calm.body)}`);
  });

  test('the latency incident is visible in the eta model health', async () => {
    const now = Date.now();
    const day = Math.floor((now - 5 * DAY) / DAY) * DAY;
    const incident = await call(srv.url, 'GET', `/v1/models/eta/health?from=${day + 10 * 3_600_000}&to=${day + 14 * 3_600_000}`);
    const normal = await call(srv.url, 'GET', `/v1/models/eta/health?from=${day - DAY + 10 * 3_600_000}&to=${day - DAY + 14 * 3_600_000}`);
    const p95 = (b: Record<string, unknown>): number => (b['latencyMs'] as { p95: number }).p95;
    assert.ok(p95(incident.body) > 4 * p95(normal.body), `p95 ${p95(incident.body)} vs ${p95(normal.body)}`);
    assert.ok((incident.body['errorRate'] as number) > 0.02);
  });

  test('restarting on the same data dir keeps the data and does not add demo data twice', async () => {
    const before = (await call(srv.url, 'GET', '/v1/models/eta/health?from=0&to=9999999999999')).body['events'];
    await srv.stop('SIGTERM');
    srv = await spawnServe(['--demo', '--data-dir', dir]);
    assert.match(srv.stderr(), /already has models/);
    const afterCount = (await call(srv.url, 'GET', '/v1/models/eta/health?from=0&to=9999999999999')).body['events'];
    assert.equal(afterCount, before);
  });
});

describe('lookout serve --config: models declared in lookout.yaml', () => {
  test('models, versions and a reference file from the config; bad config is exit 2 with a message', async () => {
    const dir = tempDir('lookout-config-');
    const ref = join(dir, 'ref.csv');
    writeFileSync(ref, 'amount,kind,prediction,label\n' + Array.from({ length: 300 }, (_, i) => `${i % 97},${i % 3 === 0 ? 'a' : 'b'},${i % 2},${i % 3 === 0 ? 1 : 0}`).join('\n') + '\n');
    const cfg = join(dir, 'lookout.yaml');
    writeFileSync(cfg, [
      'dataDir: ./data',
      'ingest: { sampleRate: 0.5 }',
      'models:',
      '  - name: fraud',
      '    outputKind: binary',
      '    classes: ["0", "1"]',
      '    inputSchema:',
      '      type: object',
      '      properties: { amount: { type: number }, kind: { type: string } }',
      '    versions:',
      '      - version: "3"',
      '        reference: { file: ref.csv }',
    ].join('\n'));
    const srv = await spawnServe(['--config', cfg]);
    try {
      const m = await call(srv.url, 'GET', '/v1/models/fraud');
      const v = (m.body['versions'] as Array<{ version: string; reference: { rows: number; source: { file: string } } }>)[0];
      assert.equal(v?.version, '3');
      assert.equal(v?.reference.rows, 300);
      assert.equal(v?.reference.source.file, ref);
    } finally {
      await srv.stop();
    }
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'models:\n  - name: x\n    outputKind: sometimes\n');
    await assert.rejects(spawnServe(['--config', bad]), /invalid config .*outputKind/);
  });
});
