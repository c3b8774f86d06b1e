import assert from 'node:assert/strict';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import type { AlertRecord } from '../src/storage/alerts.js';
import { lookoutAsync } from './helpers/cli.js';
import { Receiver } from './helpers/receiver.js';
import { call, poster, testServer } from './helpers/server.js';
import { restartable } from './helpers/alerting-restart.js';

const MIN = 60_000;
const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };


describe('audit 6 (alerting): a resolve not yet sent survives a restart', { timeout: 60_000 }, () => {
  test('firing sent, resolved within the group interval, restart: the resolve notification still goes out', async () => {
    const r = await restartable('lookout-audit6-resolve-restart-');
    const { post } = r;
    try {
      await r.start();
      await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
      const raised = await post('/v1/alerts', { source: 'pipeline', model: 'churn', severity: 'page', summary: 'late' });
      r.now += 2 * MIN;
      await post('/v1/monitors/run', {});
      assert.deepEqual(r.sent(), ['firing:page']);
      // resolved one minute later: the group interval (5m) holds the resolve; the server restarts before it is sent
      r.now += MIN;
      await post(`/v1/alerts/${(raised['alert'] as AlertRecord).id}/resolve`, {});
      await post('/v1/monitors/run', {});
      assert.deepEqual(r.sent(), ['firing:page']);
      await r.stop();

      await r.start();
      await r.runEvery(5 * MIN, 12);
      assert.deepEqual(r.sent(), ['firing:page', 'resolved:page'], 'the page is resolved for the people paged (once)');
      await r.stop();
      await r.start();
      await r.runEvery(5 * MIN, 12);
      assert.deepEqual(r.sent(), ['firing:page', 'resolved:page'], 'a second restart does not send the resolve again');
    } finally {
      await r.stop();
      await r.hook.close();
    }
  });
});

describe('audit 6 (alerting): silences that would match too much, or at the wrong time, are refused', { timeout: 60_000 }, () => {
  const NOW = Date.UTC(2026, 0, 26, 10);
  const body = (matchers: unknown[], endsAt: unknown = NOW + 3_600_000): Record<string, unknown> => ({ matchers, endsAt, createdBy: 'ann', comment: 'audit' });

  test('a silence whose every matcher matches the empty string (it would mute every alert) is a 400 naming why', async () => {
    const s = await testServer({ clock: () => NOW, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    try {
      for (const ms of [[{ name: 'alertname', value: '.*', isRegex: true }], [{ name: 'model', value: 'churn', isNegative: true }],
        [{ name: 'modle', value: '' }], [{ name: 'env', value: 'prod', isNegative: true }, { name: 'team', value: '.*', isRegex: true }]]) {
        const r = await call(s.url, 'POST', '/v1/silences', body(ms));
        assert.equal(r.status, 400, `${JSON.stringify(ms)} -> ${r.status}`);
        const err = r.body['error'] as { code: string; message: string };
        assert.equal(err.code, 'validation_failed');
        assert.match(err.message, /every alert|empty/);
      }
      assert.deepEqual((await call(s.url, 'GET', '/v1/silences')).body['silences'], [], 'none stored');
      // with one matcher that needs a value, negative and catch-all ones are fine
      for (const ms of [[{ name: 'model', value: 'churn' }, { name: 'env', value: 'prod', isNegative: true }], [{ name: 'alertname', value: '.+', isRegex: true }]]) {
        assert.equal((await call(s.url, 'POST', '/v1/silences', body(ms))).status, 201, JSON.stringify(ms));
      }
    } finally {
      await s.close();
    }
  });

  test('a silence that ends before now (e.g. times given in seconds: 1970) is a 400, not a silence that mutes nothing', async () => {
    const s = await testServer({ clock: () => NOW, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    try {
      const secs = { ...body([{ name: 'model', value: 'churn' }], NOW / 1000 + 3600), startsAt: NOW / 1000 };
      const past = { ...body([{ name: 'model', value: 'churn' }], NOW - 60_000), startsAt: NOW - 3_600_000 };
      for (const b of [secs, past]) {
        const r = await call(s.url, 'POST', '/v1/silences', b);
        assert.equal(r.status, 400, `${JSON.stringify(b)} -> ${r.status}`);
        const err = r.body['error'] as { code: string; message: string };
        assert.equal(err.code, 'validation_failed');
        assert.match(err.message, /endsAt.*past/);
      }
      assert.deepEqual((await call(s.url, 'GET', '/v1/silences')).body['silences'], [], 'none stored');
      // a silence planned ahead (starts later) is fine
      assert.equal((await call(s.url, 'POST', '/v1/silences', { ...body([{ name: 'model', value: 'churn' }], NOW + 7_200_000), startsAt: NOW + 3_600_000 })).status, 201);
    } finally {
      await s.close();
    }
  });

  test('a silence time without a zone is UTC (as every other time of the API), whatever the server\'s time zone', async () => {
    const tz = process.env['TZ'];
    process.env['TZ'] = 'America/New_York';
    const s = await testServer({ clock: () => NOW, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    try {
      const r = await call(s.url, 'POST', '/v1/silences', { ...body([{ name: 'model', value: 'churn' }], '2026-01-26T12:00:00'), startsAt: '2026-01-26T11:00' });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const sil = r.body['silence'] as { startsAt: number; endsAt: number };
      assert.deepEqual([sil.startsAt, sil.endsAt], [Date.UTC(2026, 0, 26, 11), Date.UTC(2026, 0, 26, 12)]);
      // Date.parse read these as dates (May 2001, March 2nd): refused
      for (const bad of ['foo 5', '2026-02-30T10:00:00Z']) {
        const b = await call(s.url, 'POST', '/v1/silences', body([{ name: 'model', value: 'churn' }], bad));
        assert.equal(b.status, 400, `${bad} -> ${b.status}`);
        assert.equal((b.body['error'] as { code: string }).code, 'validation_failed');
      }
    } finally {
      await s.close();
      if (tz === undefined) delete process.env['TZ'];
      else process.env['TZ'] = tz;
    }
  });
});

describe('audit 6 (alerting): a notifier that hangs does not hold back the notifications of other groups', { timeout: 60_000 }, () => {
  test('model a\'s webhook times out (3 attempts of 1 s): model b\'s notification (another group, another notifier) arrives at once', async () => {
    // a receiver that accepts connections and never answers
    const sockets = new Set<Socket>();
    const hung = createNetServer((c) => { sockets.add(c); c.on('error', () => undefined); });
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    const hungUrl = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
    const up = await Receiver.start();
    const now = Date.UTC(2026, 0, 26, 10);
    let clock = now;
    const s = await testServer({
      clock: () => clock,
      configure: (c) => {
        c.alerting = {
          evaluationInterval: 0, groupWait: '1m', groupInterval: '5m', repeatInterval: '4h',
          notifiers: [
            { id: 'a-hook', kind: 'webhook', url: `${hungUrl}/hook`, timeoutMs: 1000, retries: 2, backoffMs: 200, matchers: [{ name: 'model', value: 'a' }] },
            { id: 'b-hook', kind: 'webhook', url: `${up.url}/hook`, matchers: [{ name: 'model', value: 'b' }] },
          ],
        };
      },
    });
    const post = poster(() => s.url);
    try {
      for (const m of ['a', 'b']) {
        await post('/v1/models', { name: m, outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
        await post('/v1/alerts', { source: 'pipeline', model: m, severity: 'page', summary: `${m} late` });
      }
      clock += 2 * MIN;
      const t0 = performance.now();
      let bAt = -1;
      const run = post('/v1/monitors/run', {});
      while (up.received.length === 0 && performance.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 20));
      bAt = performance.now() - t0;
      await run;
      const total = performance.now() - t0;
      assert.equal(up.received.length, 1, 'b was notified');
      assert.ok(total >= 3000, `a's notifier tried 3 times for 1 s each (${Math.round(total)} ms)`);
      assert.ok(bAt < 1500, `b's page arrived ${Math.round(bAt)} ms after the tick started (a's notifier took ${Math.round(total)} ms)`);
      const log = (await call(s.url, 'GET', `/v1/notifications?from=${now}&to=${clock + 1}`)).body['notifications'] as Array<{ notifier: string; status: string; attempts: number }>;
      assert.deepEqual(log.map((n) => `${n.notifier}:${n.status}:${n.attempts}`).sort(), ['a-hook:failed:3', 'b-hook:sent:1']);
    } finally {
      await s.close();
      await up.close();
      for (const c of sockets) c.destroy();
      await new Promise((r) => hung.close(r));
    }
  });
});

describe('audit 6 (alerting): a notification that failed is sent again at the next flush', { timeout: 60_000 }, () => {
  test('the receiver is down (HTTP 503) when the page goes out: it gets it one group interval later, not 4 h later; the other notifier not twice', async () => {
    const down = await Receiver.start(503);
    const ok = await Receiver.start();
    let clock = Date.UTC(2026, 0, 26, 10);
    const s = await testServer({
      clock: () => clock,
      configure: (c) => {
        c.alerting = {
          evaluationInterval: 0, groupWait: '1m', groupInterval: '5m', repeatInterval: '4h',
          notifiers: [{ id: 'flaky', kind: 'webhook', url: `${down.url}/hook`, retries: 1, backoffMs: 10 }, { id: 'ok', kind: 'webhook', url: `${ok.url}/hook` }],
        };
      },
    });
    const post = poster(() => s.url);
    const statuses = (r: Receiver): string[] => r.received.map((m) => (m.body as { status: string }).status);
    try {
      await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
      await post('/v1/alerts', { source: 'pipeline', model: 'churn', severity: 'page', summary: 'late' });
      clock += 2 * MIN;
      await post('/v1/monitors/run', {});
      assert.equal(down.received.length, 2, 'two attempts failed');
      assert.deepEqual(statuses(ok), ['firing']);
      down.status = 200;
      for (let i = 0; i < 6; i++) {
        clock += MIN;
        await post('/v1/monitors/run', {});
      }
      assert.deepEqual(statuses(down).slice(2), ['firing'], 'sent again once the group interval passed');
      assert.deepEqual(statuses(ok), ['firing'], 'the notifier that got it is not paged twice');
    } finally {
      await s.close();
      await down.close();
      await ok.close();
    }
  });
});

describe('audit 6 (alerting): a notifier\'s retries stop within the group interval (at least 10 s)', { timeout: 90_000 }, () => {
  test('retries: 12 with backoffMs: 10 (41 s of backoff) against a receiver that is down: the flush ends after the group interval (at least 10 s)', async () => {
    const down = await Receiver.start(503);
    const ok = await Receiver.start();
    let clock = Date.UTC(2026, 0, 26, 10);
    const s = await testServer({
      clock: () => clock,
      configure: (c) => {
        c.alerting = {
          evaluationInterval: 0, groupWait: '1s', groupInterval: '2s', repeatInterval: '4h',
          notifiers: [{ id: 'down', kind: 'webhook', url: `${down.url}/hook`, retries: 12, backoffMs: 10 }, { id: 'ok', kind: 'webhook', url: `${ok.url}/hook` }],
        };
      },
    });
    const post = poster(() => s.url);
    try {
      await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
      await post('/v1/alerts', { source: 'pipeline', model: 'churn', severity: 'page', summary: 'late' });
      clock += MIN;
      const t0 = performance.now();
      await post('/v1/monitors/run', {});
      const took = performance.now() - t0;
      assert.ok(took < 15_000, `the evaluation round was held ${Math.round(took)} ms by the retries`);
      const log = (await call(s.url, 'GET', `/v1/notifications?from=${clock - 2 * MIN}&to=${clock + 1}`)).body['notifications'] as Array<{ notifier: string; status: string; attempts: number; error?: string }>;
      const failed = log.find((n) => n.notifier === 'down');
      assert.equal(failed?.status, 'failed');
      assert.ok((failed?.attempts ?? 0) >= 5 && (failed?.attempts ?? 99) < 13, `attempts ${failed?.attempts}`);
      assert.equal(down.received.length, failed?.attempts);
      assert.deepEqual(ok.received.length, 1);
    } finally {
      await s.close();
      await down.close();
      await ok.close();
    }
  });
});

describe('audit 6 (alerting): grouping by severity, an escalated alert is notified once', { timeout: 60_000 }, () => {
  test('groupBy [model, severity]: warning, then critical, then resolved: three notifications, none twice', async () => {
    const hook = await Receiver.start();
    let clock = Date.UTC(2026, 0, 26, 10);
    const s = await testServer({
      clock: () => clock,
      configure: (c) => {
        c.alerting = { evaluationInterval: 0, groupBy: ['model', 'severity'], groupWait: '1m', groupInterval: '5m', repeatInterval: '4h', notifiers: [{ id: 'hook', kind: 'webhook', url: `${hook.url}/hook` }] };
      },
    });
    const post = poster(() => s.url);
    const sent = (): string[] => hook.received.map((m) => (m.body as { alerts: Array<{ severity: string; status: string }> }).alerts.map((a) => `${a.status}:${a.severity}`).join(','));
    const run = async (minutes: number): Promise<void> => {
      for (let i = 0; i < minutes; i++) {
        clock += MIN;
        await post('/v1/monitors/run', {});
      }
    };
    try {
      await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
      const raised = await post('/v1/alerts', { source: 'pipeline', model: 'churn', severity: 'warning', summary: 'late' });
      await run(2);
      await post('/v1/alerts', { source: 'pipeline', model: 'churn', severity: 'critical', summary: 'very late' });
      await run(30);
      assert.deepEqual(sent(), ['firing:warning', 'firing:critical']);
      await post(`/v1/alerts/${(raised['alert'] as AlertRecord).id}/resolve`, {});
      await run(30);
      assert.deepEqual(sent(), ['firing:warning', 'firing:critical', 'resolved:critical']);
    } finally {
      await s.close();
      await hook.close();
    }
  });
});

describe('audit 6 (alerting): a notification that failed before a restart is sent after it', { timeout: 60_000 }, () => {
  test('the only receiver is down when the page goes out, the server restarts: the page goes out at the next flush, not 4 h later', async () => {
    const r = await restartable('lookout-audit6-failed-restart-');
    const { post } = r;
    try {
      r.hook.status = 503;
      await r.start();
      await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
      await post('/v1/alerts', { source: 'pipeline', model: 'churn', severity: 'page', summary: 'late' });
      r.now += 2 * MIN;
      await post('/v1/monitors/run', {});
      const failedAttempts = r.hook.received.length;
      assert.ok(failedAttempts >= 1);
      await r.stop();
      r.hook.status = 200;
      await r.start();
      await r.runEvery(MIN, 12);
      assert.deepEqual(r.sent().slice(failedAttempts), ['firing:page'], 'sent once after the restart');
    } finally {
      await r.stop();
      await r.hook.close();
    }
  });
});

describe('audit 6 (alerting): lookout silences add --ends reads a time without a zone as UTC, as the API', { timeout: 60_000 }, () => {
  test('with TZ=America/New_York, --ends 2026-01-26T12:00:00 ends the silence at 12:00 UTC; --ends "foo 5" is refused', async () => {
    const NOW = Date.UTC(2026, 0, 26, 10);
    const tz = process.env['TZ'];
    process.env['TZ'] = 'America/New_York';
    const s = await testServer({ clock: () => NOW, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    try {
      const add = await lookoutAsync(['silences', 'add', '--url', s.url, '--matcher', 'model=churn', '--ends', '2026-01-26T12:00:00', '--created-by', 'ann', '--comment', 'audit']);
      assert.equal(add.code, 0, add.stderr);
      const silences = (await call(s.url, 'GET', '/v1/silences')).body['silences'] as Array<{ endsAt: number }>;
      assert.deepEqual(silences.map((x) => x.endsAt), [Date.UTC(2026, 0, 26, 12)]);
      const bad = await lookoutAsync(['silences', 'add', '--url', s.url, '--matcher', 'model=churn', '--ends', 'foo 5', '--created-by', 'ann', '--comment', 'audit']);
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, /ISO-8601/);
    } finally {
      await s.close();
      if (tz === undefined) delete process.env['TZ'];
      else process.env['TZ'] = tz;
    }
  });
});
