import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { AlertRecord } from '../src/storage/alerts.js';
import type { Server } from '../src/server.js';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { Receiver } from './helpers/receiver.js';
import { call, poster, testServer } from './helpers/server.js';

const NOW = Date.UTC(2026, 0, 26, 10);
const MIN = 60_000;
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

/** A server on one data dir (restartable), a clock the test moves, two webhook notifiers: `flaky` and `ok` (wait 1m, interval 5m, repeat 4h). */
async function twoReceivers(prefix: string): Promise<{
  now: number; flaky: Receiver; ok: Receiver; start: () => Promise<void>; stop: () => Promise<void>; post: ReturnType<typeof poster>;
  run: (stepMs: number, rounds: number) => Promise<void>; statuses: (r: Receiver) => string[]; close: () => Promise<void>;
}> {
  const dataDir = tempDir(prefix);
  let s: Server | null = null;
  const r = {
    now: NOW, flaky: await Receiver.start(), ok: await Receiver.start(),
    start: async (): Promise<void> => {
      s = await testServer({
        clock: () => r.now,
        configure: (c) => {
          c.dataDir = dataDir;
          c.alerting = {
            evaluationInterval: 0, groupWait: '1m', groupInterval: '5m', repeatInterval: '4h',
            notifiers: [{ id: 'flaky', kind: 'webhook', url: `${r.flaky.url}/hook`, retries: 1, backoffMs: 10 }, { id: 'ok', kind: 'webhook', url: `${r.ok.url}/hook` }],
          };
        },
      });
    },
    stop: async (): Promise<void> => {
      await s?.close();
      s = null;
    },
    post: poster(() => (s as Server).url),
    run: async (stepMs: number, rounds: number): Promise<void> => {
      for (let i = 0; i < rounds; i++) {
        r.now += stepMs;
        await r.post('/v1/monitors/run', {});
      }
    },
    statuses: (x: Receiver): string[] => x.received.map((m) => (m.body as { status: string }).status),
    close: async (): Promise<void> => {
      await r.stop();
      await r.flaky.close();
      await r.ok.close();
    },
  };
  return r;
}

/** Page sent to both; `flaky` goes down (503); the alert resolves and its resolve goes out: `ok` gets it, `flaky` does not. */
async function resolveMissedByFlaky(r: Awaited<ReturnType<typeof twoReceivers>>): Promise<number> {
  await r.post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
  const raised = await r.post('/v1/alerts', { source: 'pipeline', model: 'churn', severity: 'page', summary: 'late' });
  await r.run(MIN, 2);
  assert.deepEqual([r.statuses(r.flaky), r.statuses(r.ok)], [['firing'], ['firing']]);
  r.flaky.status = 503;
  await r.post(`/v1/alerts/${(raised['alert'] as AlertRecord).id}/resolve`, {});
  await r.run(MIN, 6);
  assert.deepEqual(r.statuses(r.ok), ['firing', 'resolved']);
  const failed = r.flaky.received.length - 1;
  assert.ok(failed >= 1, 'the resolve reached flaky, which answered 503');
  return failed + 1;
}

describe('audit 6 (alerting 2): a resolve a notifier missed is sent to it (only) later', { timeout: 120_000 }, () => {
  test('flaky is down (503) when the resolve goes out: it gets the resolve once it is back, once; ok does not get it twice', async () => {
    const r = await twoReceivers('lookout-audit6b-owed-');
    try {
      await r.start();
      const before = await resolveMissedByFlaky(r);
      r.flaky.status = 200;
      await r.run(MIN, 30);
      assert.deepEqual(r.statuses(r.flaky).slice(before), ['resolved'], 'the page flaky opened is closed (once)');
      assert.deepEqual(r.statuses(r.ok), ['firing', 'resolved'], 'ok is not sent the resolve again');
    } finally {
      await r.close();
    }
  });

  test('flaky misses the resolve, the server restarts: flaky gets it after the restart, once; ok does not get it twice', async () => {
    const r = await twoReceivers('lookout-audit6b-owed-restart-');
    try {
      await r.start();
      const before = await resolveMissedByFlaky(r);
      await r.stop();
      r.flaky.status = 200;
      await r.start();
      await r.run(MIN, 30);
      assert.deepEqual(r.statuses(r.flaky).slice(before), ['resolved'], 'sent after the restart (once)');
      assert.deepEqual(r.statuses(r.ok), ['firing', 'resolved']);
      await r.stop();
      await r.start();
      await r.run(MIN, 30);
      assert.deepEqual(r.statuses(r.flaky).slice(before), ['resolved'], 'a second restart does not send it again');
      assert.deepEqual(r.statuses(r.ok), ['firing', 'resolved']);
    } finally {
      await r.close();
    }
  });

  test('flaky stays down: the resolve is tried again at flushes for 7 days, then given up', async () => {
    const r = await twoReceivers('lookout-audit6b-owed-giveup-');
    try {
      await r.start();
      const before = await resolveMissedByFlaky(r);
      await r.run(6 * 3_600_000, 4);
      const tried = r.flaky.received.length;
      assert.ok(tried >= before + 4, `tried again at later flushes (${tried - before} attempts in a day)`);
      await r.run(6 * 3_600_000, 4 * 7);
      const atGiveUp = r.flaky.received.length;
      await r.run(6 * 3_600_000, 8);
      assert.equal(r.flaky.received.length, atGiveUp, 'no more attempts after 7 days');
      assert.deepEqual(r.statuses(r.ok), ['firing', 'resolved']);
    } finally {
      await r.close();
    }
  });
});

describe('audit 6 (alerting 2): a resolve sent with the group is not followed by the rest of the group again', { timeout: 60_000 }, () => {
  test('two alerts paged, one resolves: "resolved,firing" goes out, then nothing for 30 minutes (the firing one is not paged again)', async () => {
    const hook = await Receiver.start();
    let clock = NOW;
    const s = await testServer({
      clock: () => clock,
      configure: (c) => {
        c.alerting = { evaluationInterval: 0, groupWait: '1m', groupInterval: '5m', repeatInterval: '4h', notifiers: [{ id: 'hook', kind: 'webhook', url: `${hook.url}/hook` }] };
      },
    });
    const post = poster(() => s.url);
    const sent = (): string[] => hook.received.map((m) => (m.body as { alerts: Array<{ status: string }> }).alerts.map((a) => a.status).sort().join(','));
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
      assert.deepEqual(sent(), ['firing,firing']);
      await post(`/v1/alerts/${(a['alert'] as AlertRecord).id}/resolve`, {});
      await run(30);
      assert.deepEqual(sent(), ['firing,firing', 'firing,resolved'], 'the alert still firing is not paged again before the repeat interval');
    } finally {
      await s.close();
      await hook.close();
    }
  });
});
