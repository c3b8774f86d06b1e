import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { spawnServe } from './helpers/process.js';
import { Receiver } from './helpers/receiver.js';
import { call, poster, testServer } from './helpers/server.js';

/*
 * Audit 27 (on-call), found against a real `lookout serve` with a node webhook receiver:
 * - two monitors of one metric, one of all traffic and one of a segment (errorRate, errorRate of region=us), paged as
 *   two identical lines: Slack "*m errorRate* [page] m v1: errorRate = 0.484 ..." and "... = 0.404 ...",
 *   Alertmanager's summary "m: errorRate = ..." twice, and `lookout alerts list` "m errorRate: 0.4035 >= 0.2 (1m
 *   window)" with no column saying the segment: the segment, in the alert's labels only, was in none of the words an
 *   on-call reads.
 * - a notifier with `minSeverity: page` (the pager) was paged by a latency alert at page, which then went down to
 *   warning and resolved: the pager never got the resolve (the resolved alert's severity, warning, was below its
 *   minSeverity), and its incident stayed open for ever. Likewise a notifier whose matchers name `severity`.
 * - two notifiers, one answering at once and one slow: a `kill -9` (an OOM kill, a crash) while the slow one's
 *   delivery was in flight left the fast one's delivery in the notification log and no record of the slow one's; the
 *   restart took the alert as notified, and the slow receiver (the pager) was never paged (until the repeat, 4 h).
 */
const MIN = 60_000;
const LIVE = Date.UTC(2026, 11, 7, 20);

/** `n` events in [from, from + 1 min) of model m, each taking `latencyMs`. */
function slow(tag: string, from: number, n: number, latencyMs: number): Array<Record<string, unknown>> {
  return Array.from({ length: n }, (_, i) => ({
    id: `${tag}${i}`, model: 'm', version: '1', timestamp: from + Math.floor(((i + 0.5) * MIN) / n), features: { x: 1 }, latencyMs, prediction: '1', segment: { region: 'eu' },
  }));
}

/** `n` events in [from, from + 1 min) of region `region`, the first `errors` of them failed. */
function events(tag: string, from: number, n: number, region: string, errors: number): Array<Record<string, unknown>> {
  return Array.from({ length: n }, (_, i) => ({
    id: `${tag}${i}`, model: 'm', version: '1', timestamp: from + Math.floor(((i + 0.5) * MIN) / n), features: { x: 1 },
    latencyMs: 50, segment: { region }, ...(i < errors ? { error: 'boom' } : { prediction: '1' }),
  }));
}

describe('audit 27 (on-call): an alert of a segment monitor says its segment', { timeout: 60_000 }, () => {
  let s: Server;
  let slack: Receiver;
  let am: Receiver;
  let now = LIVE;
  before(async () => {
    [slack, am] = await Promise.all([Receiver.start(), Receiver.start()]);
    s = await testServer({
      clock: () => now,
      configure: (c) => {
        c.alerting = {
          evaluationInterval: 0, groupWait: '0s',
          notifiers: [{ id: 'chat', kind: 'slack', url: `${slack.url}/hook` }, { id: 'am', kind: 'alertmanager', url: am.url }],
        };
      },
    });
    const post = poster(() => s.url);
    await post('/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], segmentKeys: ['region'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
    await post('/v1/models/m/versions', { version: '1' });
    const levels = [{ severity: 'page', threshold: 0.2 }];
    await post('/v1/monitors', { id: 'err', model: 'm', metric: 'errorRate', window: '1m', delay: '0s', minSamples: 10, levels });
    await post('/v1/monitors', { id: 'err-us', model: 'm', metric: 'errorRate', window: '1m', delay: '0s', minSamples: 10, segment: 'region=us', levels });
    await post('/v1/events', { events: [...events('eu', LIVE, 20, 'eu', 10), ...events('us', LIVE, 20, 'us', 5)] });
    now = LIVE + MIN + 1000;
    await post('/v1/monitors/run', {});
  });
  after(async () => {
    await s?.close();
    await slack?.close();
    await am?.close();
  });

  test('Slack\'s line and Alertmanager\'s summary name the segment (the two alerts read alike)', () => {
    assert.equal(slack.received.length, 1);
    const lines = String((slack.received[0]?.body as { text: string }).text).split('\n').filter((l) => l.includes('errorRate ='));
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.equal(lines.filter((l) => l.includes('region=us')).length, 1, lines.join('\n'));
    assert.match(lines.find((l) => l.includes('region=us')) ?? '', /m v1 \(segment region=us\): errorRate = 0\.25/);
    const summaries = (am.received[0]?.body as Array<{ annotations: { summary: string } }>).map((a) => a.annotations.summary).sort();
    assert.deepEqual(summaries, ['m (segment region=us): errorRate = 0.25', 'm: errorRate = 0.375']);
  });

  test('lookout alerts list: the segment alert\'s summary names it', async () => {
    const r = await lookoutAsync(['alerts', 'list', '--url', s.url]);
    assert.equal(r.code, 0, r.stderr);
    const rows = r.stdout.split('\n').filter((l) => /errorRate/.test(l));
    assert.match(rows.find((l) => / err-us /.test(l)) ?? '', /m errorRate \(segment region=us\): 0\.25 >= 0\.2 \(1m window\)/);
    assert.match(rows.find((l) => / err /.test(l)) ?? '', /m errorRate: 0\.375 >= 0\.2 \(1m window\)$/);
  });
});

describe('audit 27 (on-call): a pager (minSeverity: page) gets the resolve of an alert that went down to warning first', { timeout: 60_000 }, () => {
  test('page, then warning, then ok: the pager gets the firing page and its resolve; the team hook gets each change', async () => {
    const [pager, sev, hook] = await Promise.all([Receiver.start(), Receiver.start(), Receiver.start()]);
    let now = LIVE;
    const s = await testServer({
      clock: () => now,
      configure: (c) => {
        c.alerting = {
          evaluationInterval: 0, groupWait: '0s', groupInterval: '30s',
          notifiers: [
            { id: 'pager', kind: 'webhook', url: `${pager.url}/p`, minSeverity: 'page' },
            { id: 'sev', kind: 'webhook', url: `${sev.url}/s`, matchers: [{ name: 'severity', value: 'page' }] },
            { id: 'hook', kind: 'webhook', url: `${hook.url}/h` },
          ],
        };
      },
    });
    try {
      const post = poster(() => s.url);
      await post('/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], segmentKeys: ['region'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
      await post('/v1/models/m/versions', { version: '1' });
      await post('/v1/monitors', { id: 'p95', model: 'm', metric: 'latencyP95', window: '1m', delay: '0s', minSamples: 10, levels: [{ severity: 'warning', threshold: 200 }, { severity: 'page', threshold: 500 }] });
      for (const [i, ms] of [800, 300, 50].entries()) {
        await post('/v1/events', { events: slow(`w${i}-`, LIVE + i * MIN, 20, ms) });
        now = LIVE + (i + 1) * MIN + 1000;
        await post('/v1/monitors/run', {});
      }
      const seen = (r: Receiver): string[] => r.received.map((m) => (m.body as { alerts: Array<{ status: string; severity: string }> }).alerts.map((a) => `${a.status}:${a.severity}`).join(','));
      assert.deepEqual(seen(hook), ['firing:page', 'firing:warning', 'resolved:warning']);
      assert.deepEqual(seen(pager), ['firing:page', 'resolved:warning'], 'the pager\'s incident is closed');
      assert.deepEqual(seen(sev), ['firing:page', 'resolved:warning'], 'so is that of a notifier matching severity=page');
    } finally {
      await s.close();
      await Promise.all([pager.close(), sev.close(), hook.close()]);
    }
  });
});

/** A webhook receiver that records the alert ids of each POST, and leaves them unanswered while `hang` is set. */
async function hangable(): Promise<{ url: string; got: string[][]; hang: boolean; close: () => Promise<void> }> {
  const held: ServerResponse[] = [];
  const r = { url: '', got: [] as string[][], hang: false, close: async (): Promise<void> => undefined };
  const server = createServer((req, res) => {
    let b = '';
    req.on('data', (c: Buffer) => (b += c.toString()));
    req.on('end', () => {
      r.got.push((JSON.parse(b) as { alerts: Array<{ id: string; status: string }> }).alerts.map((a) => `${a.status}:${a.id}`));
      if (r.hang) held.push(res);
      else res.end('{}');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  r.close = async () => {
    for (const res of held) res.destroy();
    server.closeAllConnections();
    await new Promise((ok) => server.close(ok));
  };
  return r;
}

async function until(what: string, f: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('audit 27 (on-call): kill -9 while one notifier\'s delivery is in flight', { timeout: 120_000 }, () => {
  test('after the restart the notifier whose delivery was cut gets the page; the one that got it is not paged again', async () => {
    const [fast, slowHook] = await Promise.all([hangable(), hangable()]);
    const dir = tempDir('audit27-kill9-');
    const config = join(dir, 'lookout.yaml');
    writeFileSync(config, [
      `dataDir: ${join(dir, 'data')}`,
      'models: [{ name: m, outputKind: binary, classes: ["0", "1"], inputSchema: { type: object, properties: { x: { type: number } } }, versions: [{ version: "1" }] }]',
      'alerting:',
      '  evaluationInterval: 1s',
      '  groupWait: 0s',
      '  groupInterval: 3s',
      '  notifiers:',
      `    - { id: fast, kind: webhook, url: "${fast.url}/f" }`,
      `    - { id: pager, kind: webhook, url: "${slowHook.url}/p", retries: 0, timeoutMs: 600000 }`,
    ].join('\n'));
    slowHook.hang = true;
    let srv = await spawnServe(['--config', config]);
    try {
      const raised = await poster(() => srv.url)('/v1/alerts', { source: 'feed', model: 'm', severity: 'page', summary: 'feed stalled' });
      const id = (raised['alert'] as { id: string }).id;
      await until('both deliveries', () => fast.got.length === 1 && slowHook.got.length === 1);
      // the fast one's delivery recorded (a fixed wait could end before it on a loaded machine: it would be sent again)
      const end = Date.now() + 20_000;
      const fastLogged = async (): Promise<boolean> => ((await call(srv.url, 'GET', '/v1/notifications')).body['notifications'] as Array<{ notifier: string; status: string }>)
        .some((n) => n.notifier === 'fast' && n.status === 'sent');
      while (!(await fastLogged())) {
        if (Date.now() > end) throw new Error('timed out waiting for the fast notifier\'s delivery record');
        await new Promise((r) => setTimeout(r, 50));
      }
      await srv.stop('SIGKILL');
      slowHook.hang = false;
      srv = await spawnServe(['--config', config]);
      await until('the pager paged again', () => slowHook.got.length === 2);
      assert.deepEqual(slowHook.got[1], [`firing:${id}`]);
      await new Promise((r) => setTimeout(r, 4000)); // more flushes
      assert.deepEqual(fast.got, [[`firing:${id}`]], 'the notifier that got it is not paged twice');
      assert.equal(slowHook.got.length, 2);
    } finally {
      await srv.stop('SIGKILL');
      await Promise.all([fast.close(), slowHook.close()]);
    }
  });
});
