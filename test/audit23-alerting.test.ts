import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { Receiver } from './helpers/receiver.js';
import { call, poster, testServer } from './helpers/server.js';

/*
 * Audit 23 (alerting), found against a real server with loopback receivers:
 * - an alert raised by other code (POST /v1/alerts, a rollout's rollback) reached Slack as "*feed* [page] fraud: feed =
 *   - (baseline -, threshold -)" and Alertmanager with the summary annotation "fraud: feed = ": its summary, the only
 *   thing saying what happened, was in neither;
 * - config errors that did not say where: a notifier without an id (which of the list?), a retrain or rollback
 *   `cooldown` named `alerting.cooldown` (no such key); a notifier URL with a user and password started the server,
 *   and every delivery then failed (Node's fetch refuses such a URL);
 * - POST /v1/silences with an endsAt in the past (epoch seconds) and no startsAt answered "endsAt must be after
 *   startsAt": the message written for it (in the past, epoch milliseconds) was never reached;
 * - POST /v1/alerts read source, model, severity, summary and labels only: version and context, which the docs list,
 *   and a misspelt field (lables: the alert went out without its routing labels) were dropped without a word;
 * - POST /v1/silences with startAt (for startsAt) made a silence muting from now; an ack's notes (for note) was lost;
 * - lookout silences add --duration soon: "internal error" with a stack trace, exit 3; with --ends too, --duration was
 *   ignored without a word.
 */
const START = Date.UTC(2026, 10, 3, 9);

describe('audit 23: an external alert\'s summary reaches Slack and Alertmanager', { timeout: 60_000 }, () => {
  let s: Server;
  let slack: Receiver;
  let am: Receiver;
  let now = START;
  before(async () => {
    [slack, am] = await Promise.all([Receiver.start(), Receiver.start()]);
    s = await testServer({
      clock: () => now,
      configure: (c) => {
        c.alerting = {
          evaluationInterval: 0, groupWait: '1m',
          notifiers: [{ id: 'chat', kind: 'slack', url: `${slack.url}/hook` }, { id: 'am', kind: 'alertmanager', url: am.url }],
        };
      },
    });
    const post = poster(() => s.url);
    await post('/v1/models', { name: 'fraud', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
    await post('/v1/models/fraud/versions', { version: '1' });
    await post('/v1/alerts', { source: 'feed', model: 'fraud', severity: 'page', summary: 'card feed stalled since 08:00' });
    now += 2 * 60_000; // past the group wait
    await post('/v1/monitors/run', {});
  });
  after(async () => {
    await s?.close();
    await slack?.close();
    await am?.close();
  });

  test('Slack\'s line says the summary (no figures of a metric it does not have)', () => {
    assert.equal(slack.received.length, 1);
    const text = JSON.stringify(slack.received[0]?.body);
    assert.match(text, /\*feed\* \[page\] fraud: card feed stalled since 08:00/);
    assert.doesNotMatch(text, /feed = -/);
  });

  test('a silence ending in the past says so (epoch seconds), not "endsAt must be after startsAt" of a startsAt never sent', async () => {
    const body = { matchers: [{ name: 'model', value: 'fraud' }], createdBy: 'ann', comment: 'deploy' };
    const past = await call(s.url, 'POST', '/v1/silences', { ...body, endsAt: Math.floor(now / 1000) + 3600 });
    assert.equal(past.status, 400);
    assert.match(JSON.stringify(past.body), /"endsAt\\" is in the past \(1970-01-21T.*epoch milliseconds/);
    const before = await call(s.url, 'POST', '/v1/silences', { ...body, startsAt: now + 7_200_000, endsAt: now + 3_600_000 });
    assert.equal(before.status, 400);
    assert.match(JSON.stringify(before.body), /must be after \\"startsAt/);
  });

  test('lookout silences add: a bad --duration is exit 2 naming it (an internal error with a stack, exit 3), --duration with --ends refused', async () => {
    const add = (...args: string[]) => lookoutAsync(['silences', 'add', '--matcher', 'model=fraud', '--created-by', 'ann', '--comment', 'c', ...args, '--url', s.url]);
    const soon = await add('--duration', 'soon');
    assert.equal(soon.code, 2, soon.stderr);
    assert.match(soon.stderr, /--duration.*"soon" is not a duration/);
    assert.doesNotMatch(soon.stderr, /internal error|at parseDuration/);
    assert.equal((await add('--duration', '0s')).code, 2);
    const both = await add('--duration', '1h', '--ends', new Date(now + 86_400_000).toISOString());
    assert.equal(both.code, 2, both.stderr);
    assert.match(both.stderr, /--duration.*cannot be used with option '--ends/);
    const list = await call(s.url, 'GET', '/v1/silences');
    assert.deepEqual(list.body['silences'], [], 'none was created');
  });

  test('DELETE /v1/slos/:id of a monitor\'s id names the monitor route, as DELETE /v1/monitors/:id of an SLO\'s names the SLO one', async () => {
    const post = poster(() => s.url);
    await post('/v1/monitors', { id: 'fraud-errors', model: 'fraud', metric: 'errorRate', window: '1h', levels: [{ severity: 'page', threshold: 0.5 }] });
    const r = await call(s.url, 'DELETE', '/v1/slos/fraud-errors');
    assert.equal(r.status, 404);
    assert.match(JSON.stringify(r.body), /no SLO \\"fraud-errors\\" \(it is a monitor: GET \/v1\/monitors, DELETE \/v1\/monitors\/fraud-errors\)/);
    assert.equal((await call(s.url, 'DELETE', '/v1/monitors/fraud-errors')).status, 200);
  });

  test('POST /v1/alerts takes version and context as the docs list them, and refuses a misspelt field (it was dropped)', async () => {
    const body = { source: 'batch', model: 'fraud', severity: 'warning', summary: 'nightly scoring late' };
    const typo = await call(s.url, 'POST', '/v1/alerts', { ...body, lables: { team: 'risk' } });
    assert.equal(typo.status, 400);
    assert.match(JSON.stringify(typo.body), /body has an unknown field \\"lables\\"; known: source, model, version, severity, summary, labels, context/);
    const noVersion = await call(s.url, 'POST', '/v1/alerts', { ...body, version: '9' });
    assert.equal(noVersion.status, 404, JSON.stringify(noVersion.body));
    assert.equal((noVersion.body['error'] as Record<string, unknown>)['code'], 'unknown_version');
    const badLink = await call(s.url, 'POST', '/v1/alerts', { ...body, context: { runbookUrl: 'javascript:alert(1)' } });
    assert.equal(badLink.status, 400);
    assert.match(JSON.stringify(badLink.body), /context\.runbookUrl\\" must be an http\(s\) URL/);
    const ok = await call(s.url, 'POST', '/v1/alerts', { ...body, version: '1', context: { jobId: 'j-7', observed: 42, runbookUrl: 'https://wiki.example/batch' } });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    const a = ok.body['alert'] as { version: string | null; context: Record<string, unknown> };
    assert.equal(a.version, '1');
    assert.deepEqual([a.context['jobId'], a.context['observed'], a.context['runbookUrl'], a.context['summary']], ['j-7', 42, 'https://wiki.example/batch', 'nightly scoring late']);
  });

  test('a misspelt field of a silence or an acknowledgement is refused naming it (startAt: the silence muted from now)', async () => {
    const startAt = await call(s.url, 'POST', '/v1/silences', { matchers: [{ name: 'model', value: 'fraud' }], startAt: now + 3_600_000, endsAt: now + 7_200_000, createdBy: 'ann', comment: 'tonight' });
    assert.equal(startAt.status, 400, JSON.stringify(startAt.body));
    assert.match(JSON.stringify(startAt.body), /body has an unknown field \\"startAt\\"; known: matchers, startsAt, endsAt, createdBy, comment/);
    assert.deepEqual((await call(s.url, 'GET', '/v1/silences')).body['silences'], [], 'none was created');
    const id = ((await call(s.url, 'GET', '/v1/alerts?state=open&limit=1')).body['alerts'] as Array<{ id: string }>)[0]?.id ?? '';
    const ack = await call(s.url, 'POST', `/v1/alerts/${id}/ack`, { by: 'ann', notes: 'on it' });
    assert.equal(ack.status, 400);
    assert.match(JSON.stringify(ack.body), /unknown field \\"notes\\"; known: by, note/);
    assert.equal((await call(s.url, 'GET', `/v1/alerts/${id}`)).body['alert'] !== undefined, true);
    assert.equal(((await call(s.url, 'GET', `/v1/alerts/${id}`)).body['alert'] as { state: string }).state, 'open', 'not acknowledged');
  });

  test('Alertmanager\'s summary annotation is the summary', () => {
    assert.equal(am.received.length, 1);
    const alerts = am.received[0]?.body as Array<{ annotations: Record<string, string> }>;
    assert.equal(alerts[0]?.annotations['summary'], 'fraud: card feed stalled since 08:00');
  });
});

describe('audit 23: config errors of the alerting section name the entry', { timeout: 60_000 }, () => {
  const serve = async (alerting: string): Promise<{ code: number | null; stderr: string }> => {
    const dir = tempDir('lookout-audit23-');
    const path = join(dir, 'lookout.yaml');
    writeFileSync(path, `dataDir: ${dir}/data\nserver: { port: 0 }\nalerting:\n${alerting}\n`);
    return lookoutAsync(['serve', '--config', path, '--port', '0']);
  };

  test('a notifier without an id is named by its place in the list', async () => {
    const r = await serve('  notifiers:\n    - { id: ops, kind: webhook, url: "http://127.0.0.1:9/a" }\n    - { kind: webhook, url: "http://127.0.0.1:9/b" }');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /invalid config \S+: alerting\.notifiers\[1\] needs an "id"/);
  });

  test('a notifier URL with a user and password is refused, without showing it', async () => {
    const r = await serve('  notifiers:\n    - { id: ops, kind: slack, url: "https://bot:hunter2@hooks.example/x" }');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /invalid config \S+: alerting\.notifiers\[0\]\.url must not hold a user or password/);
    assert.doesNotMatch(r.stderr, /hunter2/);
  });

  test('an action\'s cooldown is named by its own key path', async () => {
    const r = await serve('  actions:\n    retrain: { url: "http://127.0.0.1:9/retrain", cooldown: soon }');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /invalid config \S+: alerting\.actions\.retrain\.cooldown must be a duration .*\(got "soon"\)/);
  });
});
