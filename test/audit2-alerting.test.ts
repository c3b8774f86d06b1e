import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import type { AlertRecord, EvaluationRecord } from '../src/storage/alerts.js';
import { Receiver } from './helpers/receiver.js';
import { call, lastEvaluation, poster, testServer } from './helpers/server.js';
import { HOUR, Traffic } from './helpers/traffic.js';
import { restartable } from './helpers/alerting-restart.js';

const MIN = 60_000;
const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };

interface AmAlert { labels: Record<string, string>; startsAt: string; endsAt?: string }

describe('audit 2 (alerting): Alertmanager keeps a firing alert firing for as long as Lookout does', { timeout: 60_000 }, () => {
  let now = Date.UTC(2026, 0, 26, 10);
  let s: Server;
  let am: Receiver;
  let hook: Receiver;
  const post = poster(() => s.url);

  before(async () => {
    am = await Receiver.start();
    hook = await Receiver.start();
    s = await testServer({
      clock: () => now,
      configure: (c) => {
        c.alerting = {
          evaluationInterval: 0, groupWait: '1m', groupInterval: '5m', repeatInterval: '4h', dashboardUrl: 'http://lookout.example',
          notifiers: [{ id: 'hook', kind: 'webhook', url: `${hook.url}/hook` }, { id: 'am', kind: 'alertmanager', url: am.url, resendInterval: '1m' }],
        };
      },
    });
    await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
  });
  after(async () => {
    await s.close();
    await am.close();
    await hook.close();
  });

  test('re-sent every resend interval with endsAt ahead of now (people are not paged again); endsAt = resolve time once resolved', async () => {
    const raised = await post('/v1/alerts', { source: 'pipeline', model: 'churn', severity: 'page', summary: 'feature pipeline late' });
    const id = (raised['alert'] as AlertRecord).id;
    const amAlerts = (): AmAlert[] => am.received.flatMap((r) => r.body as AmAlert[]);
    // 30 minutes of ticks every 30 s (Alertmanager's default resolve_timeout is 5 min)
    for (let i = 0; i < 60; i++) {
      now += 30_000;
      await post('/v1/monitors/run', {});
      if (now < Date.UTC(2026, 0, 26, 10, 1)) continue;
      const last = amAlerts().at(-1);
      assert.ok(last, 'Alertmanager got the alert after the group wait');
      assert.equal(am.received.at(-1)?.path, '/api/v2/alerts');
      assert.ok(last.endsAt !== undefined, `a firing alert carries endsAt (else Alertmanager resolves it after resolve_timeout): ${JSON.stringify(last)}`);
      const endsAt = Date.parse(last.endsAt);
      assert.ok(endsAt > now + 2 * MIN, `at ${new Date(now).toISOString()} Alertmanager holds it firing until ${last.endsAt}`);
      assert.ok(endsAt <= now + 5 * MIN, `endsAt is a few resend intervals ahead, not far: ${last.endsAt}`);
    }
    assert.ok(am.received.length >= 29 && am.received.length <= 31, `about one POST a minute: ${am.received.length}`);
    assert.equal(hook.received.length, 1, 'people got one notification: the repeat interval (4h) is not shortened');

    await post(`/v1/alerts/${id}/resolve`, {});
    const resolvedAt = now;
    const sentBefore = am.received.length;
    for (let i = 0; i < 20; i++) {
      now += 30_000;
      await post('/v1/monitors/run', {});
    }
    const afterResolve = am.received.slice(sentBefore).flatMap((r) => r.body as AmAlert[]);
    assert.deepEqual(afterResolve.map((a) => Date.parse(a.endsAt ?? '')), [resolvedAt], 'one resolve (endsAt = when it resolved), then nothing re-sent as firing');
    assert.equal(hook.received.length, 2);
    assert.equal((hook.received[1]?.body as { status: string }).status, 'resolved');
  });
});

describe('audit 2 (alerting): an escalation not yet sent survives a restart', { timeout: 60_000 }, () => {
  test('warning sent, escalated to critical within the group interval, restart: the critical notification still goes out', async () => {
    const r = await restartable('lookout-audit2-escalation-');
    const { hook, post } = r;
    const sent = (): string[] => hook.received.map((m) => (m.body as { alerts: Array<{ severity: string; status: string }> }).alerts.map((a) => `${a.status}:${a.severity}`).join(','));
    try {
      await r.start();
      await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
      await post('/v1/alerts', { source: 'pipeline', model: 'churn', severity: 'warning', summary: 'late' });
      r.now += 2 * MIN;
      await post('/v1/monitors/run', {});
      assert.deepEqual(sent(), ['firing:warning']);
      // escalated one minute later: the group interval (5m) holds it; the server restarts before it is sent
      r.now += MIN;
      await post('/v1/alerts', { source: 'pipeline', model: 'churn', severity: 'critical', summary: 'very late' });
      await post('/v1/monitors/run', {});
      assert.deepEqual(sent(), ['firing:warning']);
      await r.stop();

      await r.start();
      await r.runEvery(5 * MIN, 12);
      assert.deepEqual(sent(), ['firing:warning', 'firing:critical'], 'the escalation is sent once (not lost until the 4h repeat)');
    } finally {
      await r.stop();
      await hook.close();
    }
  });

  test('a restart does not re-send an escalation already sent', async () => {
    const r = await restartable('lookout-audit2-escalation-sent-');
    const { hook, post } = r;
    try {
      await r.start();
      await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
      await post('/v1/alerts', { source: 'pipeline', model: 'churn', severity: 'warning', summary: 'late' });
      r.now += 2 * MIN;
      await post('/v1/monitors/run', {});
      r.now += MIN;
      await post('/v1/alerts', { source: 'pipeline', model: 'churn', severity: 'critical', summary: 'very late' });
      r.now += 5 * MIN;
      await post('/v1/monitors/run', {});
      // a duplicate at the same severity (as every later evaluation of a monitor) changes nothing to send
      r.now += MIN;
      await post('/v1/alerts', { source: 'pipeline', model: 'churn', severity: 'critical', summary: 'still very late' });
      assert.equal(hook.received.length, 2);
      await r.stop();

      await r.start();
      await r.runEvery(5 * MIN, 12);
      assert.equal(hook.received.length, 2, 'nothing sent again within the repeat interval');
    } finally {
      await r.stop();
      await hook.close();
    }
  });
});

describe('audit 2 (alerting): a redefined EWMA/CUSUM monitor does not reuse the history of its old definition', { timeout: 60_000 }, () => {
  test('throughput -> latencyP95: the next verdict equals that of a new monitor with the new definition', async () => {
    const LIVE = Date.UTC(2026, 0, 26, 12);
    let now = LIVE + 10 * MIN;
    const traffic = new Traffic(7);
    const s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    try {
      const post = poster(() => s.url);
      await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' }, c: { type: 'string' } } } });
      await post('/v1/models/churn/versions', { version: '1' });
      for (let h = -12; h <= 0; h++) await post('/v1/events', traffic.slice(LIVE + h * HOUR, LIVE + (h + 1) * HOUR, 100 + 37 * ((h + 12) % 5), {}));
      const monitor = { model: 'churn', window: '1h', delay: '1m', minSamples: 0, kind: 'ewma', spc: { history: 8, recent: 1 }, levels: [{ severity: 'page', threshold: 3 }] };
      await post('/v1/monitors', { ...monitor, id: 'ctl', metric: 'throughput' });
      await post('/v1/monitors/run', {});
      // redefined: another metric, in other units (ms, not events/s)
      await post('/v1/monitors', { ...monitor, id: 'ctl', metric: 'latencyP95' });
      await post('/v1/monitors', { ...monitor, id: 'fresh', metric: 'latencyP95' });
      now += HOUR;
      await post('/v1/monitors/run', {});
      const last = (id: string): Promise<EvaluationRecord> => lastEvaluation(s.url, id, LIVE, now);
      const [ctl, fresh] = [await last('ctl'), await last('fresh')];
      assert.equal(ctl.at, LIVE + HOUR);
      assert.equal(fresh.at, ctl.at);
      assert.ok((fresh.baseline ?? 0) > 10, `the latency history is in ms: ${fresh.baseline}`);
      assert.deepEqual([ctl.status, ctl.value, ctl.baseline, ctl.threshold], [fresh.status, fresh.value, fresh.baseline, fresh.threshold], 'same definition, same windows: same verdict');
      assert.equal(ctl.detail?.['history'], 'recomputed from summaries');
    } finally {
      await s.close();
    }
  });
});

describe('audit 2 (alerting): without alerting.dashboardUrl, notifications carry no relative dashboard link', { timeout: 60_000 }, () => {
  test('webhook, Slack and Alertmanager get no "/ui/#/..." link (monitor and raised alerts); the alert API neither', async () => {
    let now = Date.UTC(2026, 0, 26, 10, 3);
    const rx = { hook: await Receiver.start(), slack: await Receiver.start(), am: await Receiver.start() };
    const s = await testServer({
      clock: () => now,
      configure: (c) => {
        c.alerting = {
          evaluationInterval: 0, groupWait: '1m',
          notifiers: [{ id: 'hook', kind: 'webhook', url: `${rx.hook.url}/hook` }, { id: 'slack', kind: 'slack', url: `${rx.slack.url}/slack` }, { id: 'am', kind: 'alertmanager', url: rx.am.url }],
        };
      },
    });
    try {
      const post = poster(() => s.url);
      await post('/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
      await post('/v1/models/m/versions', { version: '1' });
      // no traffic: throughput 0 pages
      await post('/v1/monitors', { id: 'volume', model: 'm', metric: 'throughput', window: '1h', minSamples: 0, levels: [{ severity: 'page', threshold: 10 }] });
      await post('/v1/alerts', { source: 'pipeline', model: 'm', severity: 'page', summary: 'late' });
      await post('/v1/monitors/run', {});
      now += 2 * MIN;
      await post('/v1/monitors/run', {});
      assert.ok(rx.hook.received.length > 0 && rx.slack.received.length > 0 && rx.am.received.length > 0, 'every receiver was notified');
      const raw = [...rx.hook.received, ...rx.slack.received, ...rx.am.received].map((r) => r.raw).join('\n');
      assert.doesNotMatch(raw, /\/ui\/#/, 'no dashboard link without a dashboard URL (a relative one is useless in a receiver)');
      const hookAlerts = rx.hook.received.flatMap((r) => (r.body as { alerts: Array<Record<string, unknown>> }).alerts);
      assert.equal(hookAlerts.length, 2);
      const api = (await call(s.url, 'GET', '/v1/alerts?state=open')).body['alerts'] as AlertRecord[];
      assert.deepEqual(api.map((a) => a.context['dashboardUrl']), [undefined, undefined]);
    } finally {
      await s.close();
      for (const r of Object.values(rx)) await r.close();
    }
  });

  test('a dashboardUrl that is not an absolute http(s) URL is refused at start', async () => {
    const started = await testServer({ configure: (c) => { c.alerting = { evaluationInterval: 0, dashboardUrl: '/lookout' }; } }).catch((e: unknown) => e);
    if (!(started instanceof Error)) await (started as Server).close();
    assert.match(String(started), /invalid config: alerting\.dashboardUrl must be an absolute http\(s\) URL/);
  });
});
