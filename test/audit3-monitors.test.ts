import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import type { AlertRecord, EvaluationRecord } from '../src/storage/alerts.js';
import { Receiver } from './helpers/receiver.js';
import { call, lastEvaluation, poster, testServer } from './helpers/server.js';
import { Traffic } from './helpers/traffic.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };

describe('audit 3 (monitors): redefining a monitor while it fires', { timeout: 60_000 }, () => {
  let now = Date.UTC(2026, 0, 26, 10);
  let s: Server;
  let rx: Receiver;
  const post = poster(() => s.url);
  const alerts = async (state: string, monitor: string): Promise<AlertRecord[]> =>
    ((await call(s.url, 'GET', `/v1/alerts?state=${state}`)).body['alerts'] as AlertRecord[]).filter((a) => a.monitorId === monitor);
  const sent = (monitor: string): Array<[string, string[]]> => rx.received.map((r) => r.body as { status: string; alerts: Array<{ status: string; labels: Record<string, string> }> })
    .filter((p) => p.alerts.some((a) => a.labels['monitor'] === monitor))
    .map((p) => [p.status, p.alerts.map((a) => `${a.labels['alertname']}:${a.status}`)]);
  // no traffic at all: throughput 0 is below 10 at every window, so such a monitor pages
  const paging = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ id, model: 'quiet', metric: 'throughput', window: '1h', minSamples: 0, levels: [{ severity: 'page', threshold: 10 }], ...extra });
  const fire = async (id: string): Promise<AlertRecord> => {
    await post('/v1/monitors', paging(id));
    await post('/v1/monitors/run', {});
    now += 2 * MIN;
    await post('/v1/monitors/run', {});
    const [open] = await alerts('open', id);
    assert.ok(open, 'the monitor should page');
    return open;
  };
  const hours = async (n: number): Promise<void> => {
    for (let h = 0; h < n; h++) {
      now += HOUR;
      await post('/v1/monitors/run', {});
      now += 2 * MIN;
      await post('/v1/monitors/run', {});
    }
  };

  before(async () => {
    rx = await Receiver.start();
    s = await testServer({
      clock: () => now,
      configure: (c) => {
        c.alerting = { evaluationInterval: 0, groupBy: ['monitor'], groupWait: '1m', groupInterval: '5m', repeatInterval: '1h', notifiers: [{ id: 'hook', kind: 'webhook', url: `${rx.url}/hook` }] };
      },
    });
    await post('/v1/models', { name: 'quiet', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
    await post('/v1/models/quiet/versions', { version: '1' });
  });
  after(async () => {
    await s.close();
    await rx.close();
  });

  test('disabling a monitor (enabled: false) resolves its firing alert instead of leaving it open and repeating forever', async () => {
    const open = await fire('tp-disable');
    await post('/v1/monitors', paging('tp-disable', { enabled: false }));
    assert.deepEqual((await alerts('open', 'tp-disable')).map((a) => a.id), [], 'a disabled monitor is never evaluated: nothing else would resolve its alert');
    await hours(3);
    assert.deepEqual(sent('tp-disable'), [['firing', ['quiet throughput:firing']], ['resolved', ['quiet throughput:resolved']]], 'one resolve, then no repeats');
    assert.equal((await alerts('resolved', 'tp-disable')).find((a) => a.id === open.id)?.state, 'resolved');
  });

  test('renaming or relabelling a firing monitor resolves the alert of the old labels; the new definition raises its own', async () => {
    const open = await fire('tp-rename');
    await post('/v1/monitors', paging('tp-rename', { name: 'quiet volume', labels: { team: 'growth' } }));
    await hours(3);
    const openNow = await alerts('open', 'tp-rename');
    assert.deepEqual(openNow.map((a) => [a.labels['alertname'], a.labels['team']]), [['quiet volume', 'growth']], 'one open alert, with the new labels');
    assert.notEqual(openNow[0]?.id, open.id);
    assert.equal((await alerts('resolved', 'tp-rename')).find((a) => a.id === open.id)?.state, 'resolved', 'the alert of the old labels is resolved');
    const statuses = sent('tp-rename');
    assert.ok(statuses.some(([, as]) => as.includes('quiet throughput:resolved')), `the old alert's resolve went out: ${JSON.stringify(statuses)}`);
    assert.ok(!statuses.slice(1).some(([, as]) => as.includes('quiet throughput:firing')), `the old alert is not repeated: ${JSON.stringify(statuses)}`);
  });

  test('changing only the threshold keeps the one open alert (no resolve and re-page)', async () => {
    const open = await fire('tp-retune');
    await post('/v1/monitors', paging('tp-retune', { levels: [{ severity: 'page', threshold: 20 }] }));
    await hours(1);
    assert.deepEqual((await alerts('open', 'tp-retune')).map((a) => a.id), [open.id]);
    assert.deepEqual(sent('tp-retune').map(([st]) => st), ['firing', 'firing'], 'first page, then the repeat after an hour');
  });
});

describe('audit 3 (monitors): a misspelt key of a monitor or SLO definition is refused, not ignored', { timeout: 60_000 }, () => {
  let s: Server;
  const base = { id: 'lat', model: 'm', metric: 'latencyP95', window: '1h', levels: [{ severity: 'page', threshold: 300 }] };

  before(async () => {
    s = await testServer({ configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    const r = await call(s.url, 'POST', '/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
    assert.equal(r.status, 201);
  });
  after(() => s.close());

  test('minsamples, keep_firing_for, baseline.period, spc.lamda, levels[0].treshold, an SLO\'s minevents: 400 naming the key and the known keys', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['/v1/monitors', { ...base, minsamples: 100 }, /"minsamples" is unknown.*minSamples/],
      ['/v1/monitors', { ...base, keep_firing_for: '10m' }, /"keep_firing_for" is unknown.*known keys: .*delay/],
      ['/v1/monitors', { ...base, kind: 'rolling', baseline: { period: 8 } }, /"baseline\.period" is unknown.*periods/],
      ['/v1/monitors', { ...base, kind: 'ewma', spc: { lamda: 0.1 } }, /"spc\.lamda" is unknown.*lambda/],
      ['/v1/monitors', { ...base, baseline: 4 }, /"baseline" must be an object/],
      ['/v1/monitors', { ...base, levels: [{ severity: 'page', treshold: 300, threshold: 1 }] }, /"levels\[0\]\.treshold" is unknown/],
      ['/v1/slos', { id: 'avail', model: 'm', kind: 'availability', objective: 0.99, minevents: 100 }, /"minevents" is unknown.*minEvents/],
    ];
    for (const [path, body, re] of cases) {
      const r = await call(s.url, 'POST', path, body);
      const err = r.body['error'] as { code: string; message: string } | undefined;
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      assert.equal(err?.code, 'validation_failed');
      assert.match(err?.message ?? '', re);
    }
    assert.deepEqual((await call(s.url, 'GET', '/v1/monitors')).body['monitors'], [], 'none of them was stored');
  });

  test('a monitor read back (GET) can be posted again unchanged, its delay included', async () => {
    const created = await call(s.url, 'POST', '/v1/monitors', { ...base, id: 'rt', delay: '5m', kind: 'rolling', baseline: { periods: 2 } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const got = (await call(s.url, 'GET', '/v1/monitors/rt')).body['monitor'] as Record<string, unknown>;
    assert.equal(got['delay'], '5m', 'the delay is shown');
    const again = await call(s.url, 'POST', '/v1/monitors', got);
    assert.equal(again.status, 200, JSON.stringify(again.body));
    const { last: _a, ...before } = got;
    const { last: _b, ...afterPost } = (await call(s.url, 'GET', '/v1/monitors/rt')).body['monitor'] as Record<string, unknown>;
    assert.deepEqual(afterPost, before);
  });
});

describe('audit 3 (monitors): a control chart following the newest version learns from that version only', { timeout: 120_000 }, () => {
  test('after version 2 appears, an EWMA monitor without a version gives the verdict of a new monitor (not limits learned from version 1)', async () => {
    const LIVE = Date.UTC(2026, 0, 26, 12);
    let now = LIVE + 10 * MIN;
    const traffic = new Traffic(11);
    const s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    try {
      const post = poster(() => s.url);
      const send = async (version: string, scale: number, hours: number): Promise<void> => {
        for (let h = -12; h < hours; h++) {
          const { events } = traffic.slice(LIVE + h * HOUR, LIVE + (h + 1) * HOUR, scale * (100 + 37 * ((h + 12) % 5)), {});
          await post('/v1/events', { events: events.map((e) => ({ ...e, version })) });
        }
      };
      await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' }, c: { type: 'string' } } } });
      await post('/v1/models/churn/versions', { version: '1' });
      await send('1', 1, 1);
      const monitor = { model: 'churn', metric: 'throughput', window: '1h', delay: '1m', minSamples: 0, kind: 'ewma', spc: { history: 8, recent: 1 }, levels: [{ severity: 'page', threshold: 3 }] };
      await post('/v1/monitors', { ...monitor, id: 'ctl' });
      await post('/v1/monitors/run', {});
      // version 2 takes the traffic (three times as much): the monitor, pinned to no version, now watches it
      await post('/v1/models/churn/versions', { version: '2' });
      await send('2', 3, 1);
      await post('/v1/monitors', { ...monitor, id: 'fresh' });
      now += HOUR;
      await post('/v1/monitors/run', {});
      const last = (id: string): Promise<EvaluationRecord> => lastEvaluation(s.url, id, LIVE, now);
      const [ctl, fresh] = [await last('ctl'), await last('fresh')];
      assert.equal(ctl.at, LIVE + HOUR);
      assert.equal(fresh.at, ctl.at);
      assert.deepEqual([ctl.detail?.['version'], fresh.detail?.['version']], ['2', '2']);
      assert.deepEqual([ctl.status, ctl.value, ctl.baseline, ctl.threshold], [fresh.status, fresh.value, fresh.baseline, fresh.threshold], 'same definition, same version, same windows: same verdict');
    } finally {
      await s.close();
    }
  });
});
