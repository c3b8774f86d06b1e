import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import type { NotificationRecord } from '../src/storage/alerts.js';
import { lookoutAsync } from './helpers/cli.js';
import { parsePrometheus } from './helpers/prometheus.js';
import { Receiver } from './helpers/receiver.js';
import { call, poster, testServer } from './helpers/server.js';

/*
 * Issue 4 (notifications): the notification log (every delivery of a group to a notifier, sent or failed with its
 * error) was in GET /v1/notifications only: "did the page go out, and if not why" took curl. `lookout notifications
 * list` reads every page of a range, and /metrics counts deliveries (there was no metric of them: a failing pager
 * went unnoticed unless someone read the log). A real server with an injected clock, two real loopback webhooks (one answering
 * 500), a real alert.
 */
const START = Date.UTC(2026, 10, 3, 9);
const MIN = 60_000;

describe('issue 4: lookout notifications list', { timeout: 120_000 }, () => {
  let s: Server;
  let ok: Receiver;
  let down: Receiver;
  let now = START;
  before(async () => {
    [ok, down] = await Promise.all([Receiver.start(), Receiver.start(500)]);
    s = await testServer({
      clock: () => now,
      configure: (c) => {
        c.alerting = {
          evaluationInterval: 0, groupWait: '1m',
          notifiers: [{ id: 'pager', kind: 'webhook', url: `${ok.url}/hook` }, { id: 'chat', kind: 'webhook', url: `${down.url}/hook`, retries: 0 }],
        };
      },
    });
    const post = poster(() => s.url);
    await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
    await post('/v1/alerts', { source: 'feed', model: 'churn', severity: 'page', summary: 'feed stalled' });
    now += 2 * MIN; // past the group wait
    await post('/v1/monitors/run', {});
  });
  after(async () => {
    await s?.close();
    await ok?.close();
    await down?.close();
  });

  const cli = (...args: string[]) => lookoutAsync(['notifications', 'list', ...args, '--url', s.url]);
  const rows = (stdout: string): string[][] => stdout.trim().split('\n').slice(2).map((line) => line.split(/\s{2,}/));

  test('every delivery with its status; a failure with its error; --status and --notifier pick; --json is the API\'s', async () => {
    assert.equal(ok.received.length, 1, 'the page went out');
    const api = (await call(s.url, 'GET', '/v1/notifications')).body['notifications'] as NotificationRecord[];
    assert.deepEqual(api.map((n) => [n.notifier, n.status]).sort(), [['chat', 'failed'], ['pager', 'sent']]);

    const all = await cli();
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual(all.stdout.split('\n')[0]?.split(/\s+/), ['at', 'notifier', 'group', 'firing', 'resolved', 'status', 'attempts', 'error']);
    const listed = rows(all.stdout);
    assert.equal(listed.length, 2);
    const failed = listed.find((r) => r[1] === 'chat');
    assert.ok(failed, all.stdout);
    assert.deepEqual(failed.slice(0, 7), [new Date(START + 2 * MIN).toISOString().replace(/\.\d+Z$/, 'Z'), 'chat', api[0]?.groupKey, '1', '0', 'failed', '1']);
    assert.match(failed[7] ?? '', /500/, 'the error says why');

    const onlyFailed = await cli('--status', 'failed', '--json');
    assert.equal(onlyFailed.code, 0, onlyFailed.stderr);
    assert.deepEqual(JSON.parse(onlyFailed.stdout), api.filter((n) => n.status === 'failed'));
    assert.deepEqual(rows((await cli('--notifier', 'pager')).stdout).map((r) => [r[1], r[5]]), [['pager', 'sent']]);
    assert.deepEqual(rows((await cli('--from', new Date(START + 3 * MIN).toISOString())).stdout), [], 'none after the range start');
    const bad = await cli('--status', 'lost');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--status.*lost.*sent, failed, all/);
  });

  test('/metrics counts each delivery by notifier and status, from 0 for every configured notifier, with its time', async () => {
    const families = parsePrometheus((await call(s.url, 'GET', '/metrics')).body['raw'] as string);
    const counts = (families.get('lookout_notifications_total')?.samples ?? []).map((x) => [x.labels['notifier'], x.labels['status'], x.value]);
    assert.deepEqual(counts.sort(), [['chat', 'failed', 1], ['chat', 'sent', 0], ['pager', 'failed', 0], ['pager', 'sent', 1]]);
    const seconds = families.get('lookout_notification_seconds')?.samples.filter((x) => x.name === 'lookout_notification_seconds_count').map((x) => [x.labels['notifier'], x.value]);
    assert.deepEqual(seconds?.sort(), [['chat', 1], ['pager', 1]]);
  });

  test('a range of more than a page (10,000) is read whole, each notification once', async () => {
    const store = s.deps.store.alertStore();
    const at = START - 60 * MIN;
    // one transaction (10,003 single appends took ~55 s of DuckDB commits)
    await store.appendNotifications(Array.from({ length: 10_003 }, (_, i) => ({ id: `old-${String(i).padStart(5, '0')}`, at: at + Math.floor(i / 4), notifier: 'pager', groupKey: 'g', alertIds: [], firing: 1, resolved: 0, status: 'sent' as const, attempts: 1 })));
    const r = await cli('--from', String(at), '--to', String(START), '--json');
    assert.equal(r.code, 0, r.stderr);
    const ids = (JSON.parse(r.stdout) as NotificationRecord[]).map((n) => n.id);
    assert.equal(ids.length, 10_003);
    assert.deepEqual(ids, Array.from({ length: 10_003 }, (_, i) => `old-${String(i).padStart(5, '0')}`));
  });
});
