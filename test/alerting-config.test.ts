import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../src/config.js';
import { startServer } from '../src/server.js';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { call } from './helpers/server.js';

const yaml = (dir: string, alerting: string): string => `
dataDir: ${dir}/data
server: { port: 0 }
models:
  - name: churn
    outputKind: binary
    classes: ["0", "1"]
    inputSchema: { type: object, properties: { x: { type: number } } }
    versions: [{ version: "1" }]
monitors:
  - { id: churn-p99, model: churn, metric: latencyP99, window: 1h, levels: [{ severity: warning, threshold: 300 }, { severity: page, threshold: 800 }] }
  - { id: churn-acc, model: churn, metric: accuracy, kind: baseline, window: 6h, levels: [{ severity: warning, threshold: 0.02 }, { severity: page, threshold: 0.05 }, { severity: critical, threshold: 0.1, action: rollback }] }
slos:
  - { id: churn-availability, model: churn, kind: availability, objective: 0.999 }
alerting:
${alerting}
`;

describe('issue 4: monitors, SLOs and notifiers declared in the config file', () => {
  test('declared monitors and SLOs are served; alerting settings are applied', async () => {
    const dir = tempDir('lookout-alerting-config-');
    const path = join(dir, 'lookout.yaml');
    writeFileSync(path, yaml(dir, `  groupWait: 10s
  groupInterval: 2m
  notifiers: [{ id: ops, kind: slack, url: "http://127.0.0.1:9/hook" }]
  inhibitRules: [{ source: [{ name: category, value: data }], target: [{ name: category, value: drift }], equal: [model] }]
  timeWindows: [{ name: sunday-retrain, weekdays: [0], startTime: "02:00", endTime: "04:00" }]
  actions: { retrain: { url: "http://127.0.0.1:9/retrain", cooldown: 12h, approval: true } }`));
    const s = await startServer({ config: loadConfig(path), clock: () => Date.UTC(2026, 0, 1) });
    try {
      const mons = (await call(s.url, 'GET', '/v1/monitors?model=churn')).body['monitors'] as Array<Record<string, unknown>>;
      assert.deepEqual(mons.map((m) => [m['id'], m['kind'], m['direction'], m['window']]), [['churn-acc', 'baseline', 'below', '6h'], ['churn-p99', 'threshold', 'above', '1h']]);
      assert.deepEqual((mons[0]?.['levels'] as unknown[])[2], { severity: 'critical', threshold: 0.1, action: 'rollback' });
      const slos = (await call(s.url, 'GET', '/v1/slos')).body['slos'] as Array<Record<string, unknown>>;
      assert.deepEqual(slos.map((x) => [x['id'], x['objective'], x['windowDays']]), [['churn-availability', 0.999, 30]]);
      const a = s.deps.alerting;
      assert.ok(a);
      assert.equal(a.settings.pipeline.groupWaitMs, 10_000);
      assert.equal(a.settings.pipeline.groupIntervalMs, 120_000);
      assert.deepEqual(a.notifiers.map((n) => [n.config.id, n.config.kind]), [['ops', 'slack']]);
      assert.deepEqual(a.settings.actions.retrain, { url: 'http://127.0.0.1:9/retrain', cooldownMs: 12 * 3_600_000, approval: true });
      assert.equal(a.settings.pipeline.timeWindows[0]?.name, 'sunday-retrain');
    } finally {
      await s.close();
    }
  });

  test('a bad alerting section stops `lookout serve` with a readable error (exit 2)', async () => {
    const dir = tempDir('lookout-alerting-config-');
    const path = join(dir, 'lookout.yaml');
    writeFileSync(path, yaml(dir, '  notifiers: [{ id: pager, kind: pagerduty }]'));
    const r = await lookoutAsync(['serve', '--config', path, '--port', '0']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /invalid config \S+: alerting: notifier "pager": unknown kind "pagerduty"; known kinds: alertmanager, command, slack, webhook/);
    writeFileSync(path, yaml(dir, '  groupWait: soon').replace('metric: latencyP99', 'metric: latencyP42'));
    const r2 = await lookoutAsync(['serve', '--config', path, '--port', '0']);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /invalid config \S+: alerting\.groupWait must be a duration/);
  });
});
