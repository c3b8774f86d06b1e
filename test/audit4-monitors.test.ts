import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { registerMonitorMetric } from '../src/monitors/metrics/registry.js';
import type { Server } from '../src/server.js';
import type { AlertRecord } from '../src/storage/alerts.js';
import { Receiver } from './helpers/receiver.js';
import { call, lastEvaluation, poster, testServer } from './helpers/server.js';
import { Traffic } from './helpers/traffic.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const SCHEMA = { type: 'object', properties: { x: { type: 'number' }, c: { type: 'string' } } };

// A plugin metric (registerMonitorMetric) that is NaN whatever the traffic: e.g. a ratio of two zero sums.
registerMonitorMetric({
  id: 'audit4NaN', description: 'NaN with every event counted as a sample', direction: () => 'above', feature: 'none', source: 'summary', defaultMinSamples: 10,
  value: (ctx) => ({ value: Number.NaN, samples: ctx.summary.events }),
  reference: () => null,
});

/** A server on `clock` whose alerts go to `rx` (grouped by monitor, 1m group wait, 5m group interval). */
function hookedServer(clock: () => number, rx: Receiver): Promise<Server> {
  return testServer({
    clock,
    configure: (c) => {
      c.alerting = { evaluationInterval: 0, groupBy: ['monitor'], groupWait: '1m', groupInterval: '5m', repeatInterval: '1d', notifiers: [{ id: 'hook', kind: 'webhook', url: `${rx.url}/hook` }] };
    },
  });
}

/** Every alert (open or not) of one monitor. */
async function alertsOf(url: string, monitor: string): Promise<AlertRecord[]> {
  return ((await call(url, 'GET', '/v1/alerts?state=all')).body['alerts'] as AlertRecord[]).filter((a) => a.monitorId === monitor);
}

/** The statuses (firing, resolved) a webhook receiver was sent for one monitor, in order. */
function notifiedOf(rx: Receiver, monitor: string): string[] {
  return rx.received.flatMap((r) => (r.body as { alerts: Array<{ status: string; labels: Record<string, string> }> }).alerts)
    .filter((a) => a.labels['monitor'] === monitor).map((a) => a.status);
}

describe('audit 4 (monitors): the note of a window without a verdict says the real reason', { timeout: 60_000 }, () => {
  const LIVE = Date.UTC(2026, 1, 2, 12);
  const now = LIVE + HOUR + 5 * MIN;
  let s: Server;
  const post = poster(() => s.url);

  before(async () => {
    s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
    await post('/v1/models/churn/versions', { version: '1' });
    // a reference whose x is constant (std 0): the normalised Wasserstein distance is undefined against it
    const rows = Array.from({ length: 200 }, (_, i) => `1,${'abc'[i % 3]},1,0.7,1`);
    const ref = await call(s.url, 'PUT', '/v1/models/churn/versions/1/reference', `x,c,prediction,score,label\n${rows.join('\n')}\n`, { 'content-type': 'text/csv' });
    assert.ok(ref.status < 300, JSON.stringify(ref.body));
    await post('/v1/events', { events: new Traffic(4).slice(LIVE, LIVE + HOUR, 300, {}).events });
  });
  after(() => s.close());

  test('a NaN metric with 300 samples (minSamples 10) is not "samples < minSamples": the note says NaN and the samples', async () => {
    await post('/v1/monitors', { id: 'nan', model: 'churn', metric: 'audit4NaN', window: '1h', minSamples: 10, levels: [{ severity: 'page', threshold: 1 }] });
    await post('/v1/monitors/run', {});
    const e = await lastEvaluation(s.url, 'nan', LIVE, LIVE + 2 * HOUR);
    assert.equal(e.status, 'insufficient_data');
    assert.equal(e.samples, 300);
    const note = String(e.detail?.['note']);
    assert.doesNotMatch(note, /samples < minSamples/, note);
    assert.match(note, /NaN/, note);
    assert.match(note, /300 samples/, note);
  });

  test('drift against a constant reference column: the note names the constant reference, not a generic failure', async () => {
    await post('/v1/monitors', { id: 'const', model: 'churn', metric: 'drift:x', method: 'wasserstein', window: '1h', minSamples: 10, levels: [{ severity: 'page', threshold: 0.5 }] });
    await post('/v1/monitors/run', {});
    const e = await lastEvaluation(s.url, 'const', LIVE, LIVE + 2 * HOUR);
    assert.equal(e.status, 'insufficient_data');
    assert.match(String(e.detail?.['note']), /reference is constant/, String(e.detail?.['note']));
  });
});

describe('audit 4 (monitors): a pending duration (for:) as Prometheus', { timeout: 120_000 }, () => {
  const LIVE = Date.UTC(2026, 1, 9, 0);
  let now = LIVE + HOUR + MIN;
  let s: Server;
  let rx: Receiver;
  let hourStart = LIVE;
  let n = 0;
  const post = poster(() => s.url);
  const alerts = (monitor: string): Promise<AlertRecord[]> => alertsOf(s.url, monitor);
  const notified = (monitor: string): string[] => notifiedOf(rx, monitor);
  const events = (from: number, bad: boolean): Array<Record<string, unknown>> => Array.from({ length: 20 }, (_, i) => ({
    id: `p${n++}`, model: 'churn', version: '1', timestamp: from + i * 3 * MIN, features: { x: 1, c: 'a' }, prediction: '1', score: 0.7, ...(bad && { error: 'boom' }),
  }));
  /** One more hour of traffic (all failing when bad), then the schedule run twice (the second after the group wait). */
  const hour = async (bad: boolean): Promise<void> => {
    await post('/v1/events', { events: events(hourStart, bad) });
    hourStart += HOUR;
    now = hourStart + 2 * MIN;
    await post('/v1/monitors/run', {});
    now += 2 * MIN;
    await post('/v1/monitors/run', {});
  };
  const monitor = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    id, model: 'churn', metric: 'errorRate', window: '1h', minSamples: 10, levels: [{ severity: 'page', threshold: 0.5 }], ...extra,
  });

  before(async () => {
    rx = await Receiver.start();
    s = await hookedServer(() => now, rx);
    await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
    await post('/v1/models/churn/versions', { version: '1' });
    await post('/v1/events', { events: events(hourStart, false) });
    hourStart += HOUR;
  });
  after(async () => {
    await s.close();
    await rx.close();
  });

  test('with for: 2h on 1h windows, a 2-window blip never notifies; 3 failing windows in a row fire at the third', async () => {
    const created = (await call(s.url, 'POST', '/v1/monitors', monitor('held', { for: '2h' })));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((created.body['monitor'] as Record<string, unknown>)['for'], '2h', 'shown in the syntax of the other durations');
    await post('/v1/monitors', monitor('at-once'));
    await post('/v1/monitors/run', {});

    await hour(true);
    const got = (await call(s.url, 'GET', '/v1/monitors/held')).body['monitor'] as { last: Record<string, unknown> };
    assert.deepEqual(got.last, { ...got.last, status: 'pending', state: 'pending', pendingSeverity: 'page', activeSince: LIVE + 2 * HOUR, firesAt: LIVE + 4 * HOUR });
    assert.deepEqual(notified('at-once'), ['firing'], 'without for: the first failing window pages');
    await hour(true);
    await hour(false);
    assert.equal((await lastEvaluation(s.url, 'held', LIVE, now)).detail?.['alertState'], 'inactive', 'one good window resets it');
    assert.deepEqual(await alerts('held'), [], 'a blip of 2 windows (shorter than for) raised no alert');

    await hour(true);
    await hour(true);
    assert.deepEqual(await alerts('held'), [], 'pending for 1h of the 2h');
    assert.equal((await lastEvaluation(s.url, 'held', LIVE, now)).status, 'pending');
    await hour(true);
    const open = await alerts('held');
    assert.deepEqual(open.map((a) => [a.state, a.severity]), [['open', 'page']], 'fires at the evaluation 2h after the condition first held');
    assert.deepEqual(notified('held'), ['firing']);
    const last = ((await call(s.url, 'GET', '/v1/monitors/held')).body['monitor'] as { last: Record<string, unknown> }).last;
    assert.equal(last['status'], 'page');
    assert.equal(last['state'], 'firing');
    await hour(false);
    assert.deepEqual(notified('held'), ['firing', 'resolved'], 'a good window resolves it at once');
  });

  test('a for that is not a duration is refused (400 naming the syntax)', async () => {
    const r = await call(s.url, 'POST', '/v1/monitors', monitor('bad-for', { for: 'ten minutes' }));
    assert.equal(r.status, 400);
    assert.match(String((r.body['error'] as { message: string }).message), /for must be a duration like "30s", "5m"/);
  });
});

describe('audit 4 (monitors): what a monitor does while no data arrives (noData)', { timeout: 120_000 }, () => {
  const LIVE = Date.UTC(2026, 1, 16, 0);
  let now = LIVE + HOUR + 2 * MIN;
  let s: Server;
  let rx: Receiver;
  let n = 0;
  const post = poster(() => s.url);
  const alerts = (monitor: string): Promise<AlertRecord[]> => alertsOf(s.url, monitor);
  const notified = (monitor: string): string[] => notifiedOf(rx, monitor);
  const events = (model: string, from: number, hours: number, bad: boolean): Array<Record<string, unknown>> => Array.from({ length: 20 * hours }, (_, i) => ({
    id: `n${n++}`, model, version: '1', timestamp: from + i * 3 * MIN, features: { x: 1, c: 'a' }, prediction: '1', score: 0.7, ...(bad && { error: 'boom' }),
  }));
  const run = async (): Promise<void> => {
    await post('/v1/monitors/run', {});
    now += 2 * MIN;
    await post('/v1/monitors/run', {});
  };
  const monitor = (id: string, model: string, noData?: string): Record<string, unknown> => ({
    id, model, metric: 'errorRate', window: '1h', minSamples: 10, levels: [{ severity: 'warning', threshold: 0.2 }, { severity: 'page', threshold: 0.5, action: 'rollback' }], ...(noData !== undefined && { noData }),
  });

  before(async () => {
    rx = await Receiver.start();
    s = await hookedServer(() => now, rx);
    for (const model of ['churn', 'steady']) {
      await post('/v1/models', { name: model, outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
      await post('/v1/models/' + model + '/versions', { version: '1' });
    }
    // churn fails through the hour before LIVE + 1h; steady served well for two days (every window a new monitor backfills)
    await post('/v1/events', { events: events('churn', LIVE, 1, true) });
    await post('/v1/events', { events: events('steady', LIVE - 48 * HOUR, 25, false) });
    await post('/v1/events', { events: events('steady', LIVE - 23 * HOUR, 24, false) });
  });
  after(async () => {
    await s.close();
    await rx.close();
  });

  test('then the traffic stops: keep (the default) leaves the alert firing, ok resolves it, alerting fires with a "no data" reason', async () => {
    await post('/v1/monitors', monitor('keep', 'churn'));
    await post('/v1/monitors', monitor('ok', 'churn', 'ok'));
    const got = await post('/v1/monitors', monitor('alerting', 'steady', 'alerting'));
    assert.equal((got['monitor'] as Record<string, unknown>)['noData'], 'alerting', 'shown on the monitor');
    await run();
    assert.deepEqual([notified('keep'), notified('ok'), notified('alerting')], [['firing'], ['firing'], []]);

    now = LIVE + 2 * HOUR + 2 * MIN; // no events in the hour before: no verdict
    await run();
    assert.deepEqual((await alerts('keep')).map((a) => a.state), ['open'], 'keep: the alert stays as it was');
    assert.deepEqual((await alerts('ok')).map((a) => a.state), ['resolved'], 'ok: the alert resolves');
    assert.deepEqual(notified('ok'), ['firing', 'resolved']);
    const [noData] = await alerts('alerting');
    assert.equal(noData?.state, 'open', 'alerting: no data fires');
    assert.equal(noData?.severity, 'warning', 'at the lowest level');
    assert.match(String(noData?.context['reason']), /^no data.*0 samples < minSamples 10/);
    assert.equal(noData?.context['action'], undefined, 'no data runs no action of a level (rollback)');
    assert.deepEqual(notified('alerting'), ['firing']);
    assert.equal((await lastEvaluation(s.url, 'alerting', LIVE, now)).status, 'warning');

    now = LIVE + 3 * HOUR + MIN;
    await post('/v1/events', { events: events('steady', LIVE + 2 * HOUR, 1, false) });
    now += MIN;
    await run();
    assert.deepEqual((await alerts('alerting')).map((a) => a.state), ['resolved'], 'traffic back and good: resolved');
  });

  test('an unknown noData value is refused with the known ones', async () => {
    const r = await call(s.url, 'POST', '/v1/monitors', monitor('bad', 'churn', 'silence'));
    assert.equal(r.status, 400);
    assert.match(String((r.body['error'] as { message: string }).message), /"noData" must be one of keep, ok, alerting/);
  });
});

describe('audit 4 (monitors): a pending monitor stays pending across a restart', { timeout: 120_000 }, () => {
  test('pending since the first failing window before the restart, it fires at the evaluation 2h later after it', async () => {
    const LIVE = Date.UTC(2026, 1, 23, 0);
    let now = LIVE + HOUR + MIN;
    let dataDir = '';
    const start = (): Promise<Server> => testServer({
      clock: () => now,
      configure: (c) => {
        if (dataDir === '') dataDir = c.dataDir;
        else c.dataDir = dataDir;
        c.alerting = { evaluationInterval: 0, groupWait: '1m' };
      },
    });
    let s = await start();
    const post = poster(() => s.url);
    const failing = (from: number): Array<Record<string, unknown>> => Array.from({ length: 20 }, (_, i) => ({
      id: `r${from}-${i}`, model: 'churn', version: '1', timestamp: from + i * 3 * MIN, features: { x: 1, c: 'a' }, prediction: '1', score: 0.7, error: 'boom',
    }));
    const status = async (): Promise<unknown> => ((await call(s.url, 'GET', '/v1/monitors/held')).body['monitor'] as { last: Record<string, unknown> }).last['state'];
    try {
      await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
      await post('/v1/models/churn/versions', { version: '1' });
      await post('/v1/monitors', { id: 'held', model: 'churn', metric: 'errorRate', window: '1h', minSamples: 10, for: '2h', levels: [{ severity: 'page', threshold: 0.5 }] });
      for (let h = 0; h < 2; h++) {
        await post('/v1/events', { events: failing(LIVE + h * HOUR) });
        now = LIVE + (h + 1) * HOUR + 2 * MIN;
        await post('/v1/monitors/run', {});
      }
      assert.equal(await status(), 'pending');
      await s.close();
      s = await start();
      assert.equal(await status(), 'pending', 'read back from the stored evaluations');
      await post('/v1/events', { events: failing(LIVE + 2 * HOUR) });
      now = LIVE + 3 * HOUR + 2 * MIN;
      await post('/v1/monitors/run', {});
      assert.equal(await status(), 'firing', 'the third failing window, 2h after the first, fires (the count did not restart)');
      const open = ((await call(s.url, 'GET', '/v1/alerts?state=open')).body['alerts'] as AlertRecord[]).filter((a) => a.monitorId === 'held');
      assert.equal(open.length, 1);
    } finally {
      await s.close();
    }
  });
});

describe('audit 4 (monitors): an SLO over 7 days alerts on the burn that spends the same share of its budget', { timeout: 60_000 }, () => {
  test('5x over 1h and 5m of a 7-day SLO pages (2% of its budget in 1h: 3.36x); it was only a ticket (the 30-day 14.4x and 6x)', async () => {
    const LIVE = Date.UTC(2026, 1, 16, 0);
    const now = LIVE + 10 * MIN + 30_000;
    const s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    try {
      const post = poster(() => s.url);
      await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
      await post('/v1/models/churn/versions', { version: '1' });
      for (const [id, windowDays] of [['avail7', 7], ['avail30', 30]] as const) {
        await post('/v1/slos', { id, model: 'churn', kind: 'availability', objective: 0.99, windowDays, minEvents: 5 });
      }
      // 100 requests in the last 5 minutes, 5 of them failed: burn 5 (5% errors against a 1% budget) in every window
      await post('/v1/events', { events: Array.from({ length: 100 }, (_, i) => ({
        id: `b${i}`, model: 'churn', version: '1', timestamp: LIVE + 6 * MIN + i * 2000, features: { x: 1, c: 'a' }, prediction: '1', score: 0.7, ...(i % 20 === 0 && { error: 'boom' }),
      })) });
      await post('/v1/monitors/run', {});
      const all = (await call(s.url, 'GET', '/v1/alerts?state=all')).body['alerts'] as AlertRecord[];
      const of = (id: string): Array<[string, Array<[string, number]>]> => all.filter((a) => a.monitorId === id)
        .map((a) => [a.severity, (a.context['firing'] as Array<{ long: string; factor: number }>).map((f) => [f.long, +f.factor.toFixed(4)])]);
      assert.deepEqual(of('avail7'), [['page', [['1h', 3.36], ['6h', 1.4], ['1d', 0.7], ['3d', 0.2333]]]]);
      assert.deepEqual(of('avail30'), [['ticket', [['1d', 3], ['3d', 1]]]], 'the same burn over a 30-day SLO is a ticket');
    } finally {
      await s.close();
    }
  });
});
