import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import type { AlertRecord } from '../src/storage/alerts.js';
import { parseMatcher } from '../src/cli/commands/silences.js';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { Receiver } from './helpers/receiver.js';
import { call, poster, testServer } from './helpers/server.js';

/**
 * A POST that must succeed (returned), and model "m" (binary, no traffic) with a throughput monitor "volume" whose
 * page level (below 10 events/s) runs the retrain action.
 */
async function declareVolumeMonitor(url: string): Promise<(path: string, body: unknown) => Promise<unknown>> {
  const post = poster(() => url);
  await post('/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
  await post('/v1/models/m/versions', { version: '1' });
  await post('/v1/monitors', { id: 'volume', model: 'm', metric: 'throughput', window: '1h', minSamples: 0, levels: [{ severity: 'page', threshold: 10, action: 'retrain' }] });
  return post;
}

const MIN = 60_000;
const HOUR = 3_600_000;

describe('audit (alerting): alert lifecycle through a real server and a loopback webhook', { timeout: 60_000 }, () => {
  let now = Date.UTC(2026, 0, 26, 10);
  let s: Server;
  let rx: Receiver;
  const post = poster(() => s.url);
  const alerts = async (state: string): Promise<AlertRecord[]> => (await call(s.url, 'GET', `/v1/alerts?state=${state}`)).body['alerts'] as AlertRecord[];
  const statuses = (): Array<{ status: string; alerts: Array<{ id: string; status: string }> }> => rx.received.map((r) => r.body as never);

  before(async () => {
    rx = await Receiver.start();
    s = await testServer({
      clock: () => now,
      configure: (c) => {
        c.alerting = { evaluationInterval: 0, groupWait: '1m', groupInterval: '5m', repeatInterval: '1h', notifiers: [{ id: 'hook', kind: 'webhook', url: `${rx.url}/hook` }] };
      },
    });
    await post('/v1/models', { name: 'quiet', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
    await post('/v1/models/quiet/versions', { version: '1' });
  });
  after(async () => {
    await s.close();
    await rx.close();
  });

  test('deleting a monitor resolves its firing alert (one resolve notification, no more repeats)', async () => {
    // no traffic at all: throughput 0 is below 10 at every window, so this monitor pages
    await post('/v1/monitors', { id: 'tp-quiet', model: 'quiet', metric: 'throughput', window: '1h', minSamples: 0, levels: [{ severity: 'page', threshold: 10 }] });
    await post('/v1/monitors/run', {});
    now += 2 * MIN;
    await post('/v1/monitors/run', {});
    const [open] = await alerts('open');
    assert.ok(open, 'the monitor should page');
    assert.equal(open.monitorId, 'tp-quiet');
    assert.deepEqual(statuses().map((p) => p.status), ['firing']);

    const del = await call(s.url, 'DELETE', '/v1/monitors/tp-quiet');
    assert.equal(del.status, 200);
    assert.deepEqual(await alerts('open'), [], 'the alert of a deleted monitor must not stay open');
    const [closed] = (await alerts('resolved')).filter((a) => a.id === open.id);
    assert.ok(closed);
    assert.equal(closed.endsAt, now);

    // the following hours: exactly one resolve notification, then nothing (before: "firing" again every repeat interval)
    for (let h = 0; h < 4; h++) {
      now += HOUR;
      await post('/v1/monitors/run', {});
    }
    const after = statuses().slice(1);
    assert.deepEqual(after.map((p) => [p.status, p.alerts.map((a) => [a.id, a.status])]), [['resolved', [[open.id, 'resolved']]]]);
  });
});

describe('audit (alerting): a restart neither loses nor repeats notifications', { timeout: 60_000 }, () => {
  let now = Date.UTC(2026, 0, 26, 10);
  let rx: Receiver;
  const dataDir = tempDir('lookout-audit-restart-');
  const start = (): Promise<Server> => testServer({
    clock: () => now,
    configure: (c) => {
      c.dataDir = dataDir;
      c.alerting = { evaluationInterval: 0, groupWait: '1m', groupInterval: '5m', repeatInterval: '4h', notifiers: [{ id: 'hook', kind: 'webhook', url: `${rx.url}/hook` }] };
    },
  });
  before(async () => {
    rx = await Receiver.start();
  });
  after(() => rx.close());

  test('alerts raised during group wait are still sent after a restart; those already sent are not sent again', async () => {
    let s = await start();
    const post = poster(() => s.url);
    for (const name of ['churn', 'fraud']) await post('/v1/models', { name, outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
    await post('/v1/alerts', { source: 'a', model: 'churn', severity: 'page', summary: 'A' });
    now += 2 * MIN;
    await post('/v1/monitors/run', {});
    assert.equal(rx.received.length, 1, 'A is notified after group wait');

    // 10 s before the restart: B (a new group) and C (the group of A) are raised; neither group is due yet
    await post('/v1/alerts', { source: 'b', model: 'fraud', severity: 'page', summary: 'B' });
    await post('/v1/alerts', { source: 'c', model: 'churn', severity: 'critical', summary: 'C' });
    now += 10_000;
    await post('/v1/monitors/run', {});
    assert.equal(rx.received.length, 1);
    await s.close();

    s = await start();
    try {
      // an hour of ticks (well under the 4 h repeat interval)
      for (let i = 0; i < 12; i++) {
        now += 5 * MIN;
        await post('/v1/monitors/run', {});
      }
    } finally {
      await s.close();
    }
    const sent = rx.received.slice(1).map((r) => r.body as { groupKey: string; alerts: Array<{ labels: Record<string, string>; status: string }> });
    const firing = (key: string): string[][] => sent.filter((p) => p.groupKey.includes(key)).map((p) => p.alerts.map((a) => `${a.labels['alertname']}:${a.status}`).sort());
    assert.deepEqual(firing('model=fraud'), [['b:firing']], 'B is sent once');
    assert.deepEqual(firing('model=churn'), [['a:firing', 'c:firing']], 'C is sent once (with A, as for any change of the group), A is not repeated on its own');
    assert.equal(sent.length, 2);
  });
});

describe('audit (alerting): changing a monitor\'s window keeps its windows on the UTC grid', { timeout: 60_000 }, () => {
  test('1h -> 1d: the daily windows then end at midnight UTC, not at the hour of the last hourly evaluation', async () => {
    const DAY = 24 * HOUR;
    let now = Date.UTC(2026, 0, 26, 10, 3);
    const s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    try {
      const post = poster(() => s.url);
      await post('/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
      await post('/v1/models/m/versions', { version: '1' });
      const monitor = { id: 'volume', model: 'm', metric: 'throughput', minSamples: 0, levels: [{ severity: 'page', threshold: 10 }] };
      await post('/v1/monitors', { ...monitor, window: '1h' });
      await post('/v1/monitors/run', {});
      await post('/v1/monitors', { ...monitor, window: '1d' });
      const changedAt = now;
      for (let d = 0; d < 3; d++) {
        now += DAY;
        await post('/v1/monitors/run', {});
      }
      const evs = (await call(s.url, 'GET', `/v1/monitors/volume/evaluations?from=${changedAt}&to=${now + 1}`)).body['evaluations'] as Array<{ at: number }>;
      const daily = evs.filter((e) => e.at > changedAt).map((e) => new Date(e.at).toISOString());
      assert.deepEqual(daily, ['2026-01-27T00:00:00.000Z', '2026-01-28T00:00:00.000Z', '2026-01-29T00:00:00.000Z']);
    } finally {
      await s.close();
    }
  });
});

describe('audit (alerting): a level action runs once per alert, not again at every repeat', { timeout: 60_000 }, () => {
  test('an alert firing for hours keeps its one retrain job (no "skipped: cooldown" record per repeat)', async () => {
    let now = Date.UTC(2026, 0, 26, 10, 3);
    const hook = await Receiver.start();
    const retrain = await Receiver.start();
    const s = await testServer({
      clock: () => now,
      configure: (c) => {
        c.alerting = {
          evaluationInterval: 0, groupWait: '1m', groupInterval: '5m', repeatInterval: '1h',
          notifiers: [{ id: 'hook', kind: 'webhook', url: `${hook.url}/hook` }], actions: { retrain: { url: `${retrain.url}/retrain`, cooldown: '12h' } },
        };
      },
    });
    try {
      const post = await declareVolumeMonitor(s.url);
      await post('/v1/monitors/run', {});
      now += 2 * MIN;
      await post('/v1/monitors/run', {});
      for (let h = 0; h < 4; h++) {
        now += HOUR;
        await post('/v1/monitors/run', {});
      }
      assert.equal(hook.received.length, 5, 'first notification and 4 hourly repeats');
      assert.equal(retrain.received.length, 1);
      const actions = (await call(s.url, 'GET', '/v1/actions')).body['actions'] as Array<{ id: string; state: string; alertId: string }>;
      const [alert] = (await call(s.url, 'GET', '/v1/alerts?state=open')).body['alerts'] as AlertRecord[];
      assert.ok(alert);
      assert.deepEqual(actions.map((a) => [a.state, a.alertId]), [['done', alert.id]]);
      assert.equal(alert.context['actionId'], actions[0]?.id, 'the alert still links to its retrain job');
    } finally {
      await s.close();
      await hook.close();
      await retrain.close();
    }
  });
});

describe('audit (alerting): approving or rejecting an action that is not pending approval is a 409', { timeout: 60_000 }, () => {
  test('approve after reject answers 409 conflict (not 200 with the rejected action) and runs nothing', async () => {
    let now = Date.UTC(2026, 0, 26, 10, 3);
    const retrain = await Receiver.start();
    const s = await testServer({
      clock: () => now,
      configure: (c) => {
        c.alerting = { evaluationInterval: 0, groupWait: '1m', actions: { retrain: { url: `${retrain.url}/retrain`, approval: true } } };
      },
    });
    try {
      const post = await declareVolumeMonitor(s.url);
      await post('/v1/monitors/run', {});
      now += 2 * MIN;
      await post('/v1/monitors/run', {});
      const [action] = (await call(s.url, 'GET', '/v1/actions')).body['actions'] as Array<{ id: string; state: string }>;
      assert.equal(action?.state, 'pending_approval');
      await post(`/v1/actions/${action.id}/reject`, { by: 'ann' });
      for (const verb of ['approve', 'reject']) {
        const r = await call(s.url, 'POST', `/v1/actions/${action.id}/${verb}`, {});
        assert.equal(r.status, 409, `${verb}: ${JSON.stringify(r.body)}`);
        const err = r.body['error'] as { code: string; message: string };
        assert.equal(err.code, 'conflict');
        assert.match(err.message, /is rejected, not pending_approval/);
      }
      assert.equal(retrain.received.length, 0);
      assert.equal((await call(s.url, 'POST', '/v1/actions/nope/approve', {})).status, 404);
    } finally {
      await s.close();
      await retrain.close();
    }
  });
});

describe('audit (alerting): `lookout silences list` prints matchers as `--matcher` takes them', { timeout: 60_000 }, () => {
  test('name=value, name!=value, name=~regex, name!~regex survive add then list', async () => {
    const s = await testServer({ configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    try {
      const given = ['model=churn', 'env!=prod', 'alertname=~.*drift.*', 'team!~ops|sre'];
      const add = await lookoutAsync(['silences', 'add', '--url', s.url, ...given.flatMap((m) => ['--matcher', m]), '--duration', '1h', '--created-by', 'ann', '--comment', 'audit']);
      assert.equal(add.code, 0, add.stderr);
      const list = await lookoutAsync(['silences', 'list', '--url', s.url]);
      assert.equal(list.code, 0, list.stderr);
      const printed = given.join(',');
      assert.ok(list.stdout.includes(printed), `expected ${printed} in:\n${list.stdout}`);
      // what is printed can be given back to --matcher and means the same
      const stored = ((await call(s.url, 'GET', '/v1/silences')).body['silences'] as Array<{ matchers: unknown[] }>)[0]?.matchers;
      assert.deepEqual(given.reduce((acc, m) => parseMatcher(m, acc), [] as ReturnType<typeof parseMatcher>), stored);
    } finally {
      await s.close();
    }
  });
});
