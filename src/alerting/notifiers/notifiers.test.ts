import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { alertmanagerAlerts } from './alertmanager/alertmanager.js';
import { createNotifier, knownNotifierKinds } from './registry.js';
import { slackMessage } from './slack/slack.js';
import type { NotificationPayload, NotifierConfig } from './types.js';
import { webhookSignature } from './webhook/webhook.js';

const payload: NotificationPayload = {
  version: '1', groupKey: 'model=churn', groupLabels: { model: 'churn' }, status: 'firing', receiver: 'x', sentAt: 1_700_000_000_000,
  alerts: [{
    id: 'a1', fingerprint: 'f1', status: 'firing', severity: 'page', model: 'churn', version: '3', labels: { alertname: 'churn drift:x', model: 'churn' },
    context: { metric: 'drift:x', observed: 0.41, baseline: null, threshold: 0.25 }, startsAt: 1_700_000_000_000, endsAt: null, acknowledged: false,
    dashboardUrl: 'http://dash/#/model/churn', runbookUrl: 'http://runbooks/drift',
  }],
};

describe('issue 4: notifiers', () => {
  const got: Array<{ headers: Record<string, unknown>; body: string }> = [];
  let url = '';
  let failFirst = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.statusCode = failFirst-- > 0 ? 503 : 200;
      res.end();
    });
  });
  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  test('registry: stable kinds; unknown kinds and bad settings fail with the known list', () => {
    assert.deepEqual(knownNotifierKinds(), ['alertmanager', 'command', 'slack', 'webhook']);
    assert.throws(() => createNotifier({ id: 'p', kind: 'pager' }), /unknown kind "pager"; known kinds: alertmanager, command, slack, webhook/);
    assert.throws(() => createNotifier({ id: 'w', kind: 'webhook' }), /needs "url"/);
    assert.throws(() => createNotifier({ id: 'c', kind: 'command', command: 'echo hi' }), /non-empty list of strings/);
    assert.throws(() => createNotifier({ id: 'm', kind: 'webhook', url, matchers: [{ name: 'x', value: '(', isRegex: true }] }), /invalid regular expression/);
  });

  test('webhook: JSON body signed with HMAC-SHA256 over "timestamp.body"', async () => {
    got.length = 0;
    await createNotifier({ id: 'w', kind: 'webhook', url: `${url}/hook`, secret: 's3cret' }).send(payload);
    const r = got[0];
    assert.ok(r);
    assert.deepEqual(JSON.parse(r.body), payload);
    assert.equal(r.headers['x-lookout-timestamp'], String(payload.sentAt));
    assert.equal(r.headers['x-lookout-signature'], `sha256=${webhookSignature('s3cret', String(payload.sentAt), r.body)}`);
    assert.notEqual(webhookSignature('other', String(payload.sentAt), r.body), webhookSignature('s3cret', String(payload.sentAt), r.body));
  });

  test('a failed attempt is an error (the pipeline retries); the next attempt succeeds', async () => {
    got.length = 0;
    failFirst = 1;
    const n = createNotifier({ id: 'w', kind: 'webhook', url });
    await assert.rejects(n.send(payload), /HTTP 503/);
    await n.send(payload);
    assert.equal(got.length, 2);
  });

  test('Slack-compatible text and Alertmanager v2 alerts carry the context and links', () => {
    const s = slackMessage(payload);
    assert.match(s.text, /1 firing: churn/);
    assert.match(s.text, /drift:x = 0\.410 \(baseline -, threshold 0\.250\) <http:\/\/dash\/#\/model\/churn\|dashboard> · <http:\/\/runbooks\/drift\|runbook>/);
    const [am] = alertmanagerAlerts({ ...payload, alerts: [{ ...(payload.alerts[0] as NotificationPayload['alerts'][0]), status: 'resolved', endsAt: 1_700_000_360_000 }] }) as Array<Record<string, Record<string, string> | string>>;
    assert.deepEqual(am?.['labels'], { alertname: 'churn drift:x', model: 'churn', severity: 'page', version: '3' });
    assert.equal(am?.['startsAt'], '2023-11-14T22:13:20.000Z');
    assert.equal(am?.['endsAt'], '2023-11-14T22:19:20.000Z');
    assert.equal(am?.['generatorURL'], 'http://dash/#/model/churn');
    assert.equal((am?.['annotations'] as Record<string, string>)['runbook_url'], 'http://runbooks/drift');
  });

  test('Alertmanager re-sends every minute by default (firing alerts carry endsAt = expiresAt); other kinds only when told', () => {
    assert.equal(createNotifier({ id: 'am', kind: 'alertmanager', url: 'http://am:9093' }).resendMs, 60_000);
    assert.equal(createNotifier({ id: 'am', kind: 'alertmanager', url: 'http://am:9093', resendInterval: '30s' }).resendMs, 30_000);
    assert.equal(createNotifier({ id: 'w', kind: 'webhook', url: 'http://w' }).resendMs, undefined);
    assert.throws(() => createNotifier({ id: 'am', kind: 'alertmanager', url: 'http://am:9093', resendInterval: 'often' }), /notifier "am"\.resendInterval must be a duration/);
    assert.throws(() => createNotifier({ id: 'am', kind: 'alertmanager', url: 'http://am:9093', resendInterval: 0 }), /more than 0/);
    const [am] = alertmanagerAlerts({ ...payload, expiresAt: 1_700_000_240_000 }) as Array<Record<string, unknown>>;
    assert.equal(am?.['endsAt'], '2023-11-14T22:17:20.000Z');
  });

  test('command hook: payload on stdin, LOOKOUT_* in the environment; a non-zero exit is a failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lookout-cmd-'));
    const out = join(dir, 'out.json');
    const script = `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>require('fs').writeFileSync(${JSON.stringify(out)},JSON.stringify({env:process.env.LOOKOUT_GROUP,body:JSON.parse(s)})))`;
    await createNotifier({ id: 'c', kind: 'command', command: [process.execPath, '-e', script] }).send(payload);
    const rec = JSON.parse(readFileSync(out, 'utf8')) as { env: string; body: NotificationPayload };
    assert.equal(rec.env, 'model=churn');
    assert.deepEqual(rec.body, payload);
    await assert.rejects(createNotifier({ id: 'c', kind: 'command', command: [process.execPath, '-e', 'process.stderr.write("boom");process.exit(3)'] }).send(payload), /exited with 3: boom/);
  });
});

test("audit 3: a notifier's keys are those of its kind, with their types; a typo or a wrong type is refused naming the key", () => {
  const at = 'alerting.notifiers[2]';
  const refused: Array<[Record<string, unknown>, RegExp]> = [
    [{ id: 'h', kind: 'webhook', url: 'http://h', secrett: 's' }, /alerting\.notifiers\[2\]\.secrett is unknown \(notifier "h", kind webhook; known keys: url, secret, id, kind, matchers,/],
    [{ id: 's', kind: 'slack', url: 'http://s', minseverity: 'page' }, /alerting\.notifiers\[2\]\.minseverity is unknown \(notifier "s", kind slack; known keys: url, id, kind,/],
    [{ id: 's', kind: 'slack', url: 'http://s', secret: 'x' }, /alerting\.notifiers\[2\]\.secret is unknown \(notifier "s", kind slack;/],
    [{ id: 'am', kind: 'alertmanager', url: 'http://am', resendinterval: '30s' }, /alerting\.notifiers\[2\]\.resendinterval is unknown \(notifier "am", kind alertmanager;/],
    [{ id: 'c', kind: 'command', comand: ['/bin/true'] }, /alerting\.notifiers\[2\]\.comand is unknown \(notifier "c", kind command; known keys: command, id,/],
    [{ id: 'h', kind: 'webhook', url: 'http://h', matcher: [{ name: 'model', value: 'churn' }] }, /alerting\.notifiers\[2\]\.matcher is unknown/],
    [{ id: 'h', kind: 'webhook', url: 'http://h', sendResolved: 'no' }, /alerting\.notifiers\[2\]\.sendResolved must be true or false \(got "no"\)/],
    [{ id: 'h', kind: 'webhook', url: 'http://h', timeoutMs: -5 }, /alerting\.notifiers\[2\]\.timeoutMs must be an integer from 1 to/],
    [{ id: 'h', kind: 'webhook', url: 'http://h', timeoutMs: '10s' }, /alerting\.notifiers\[2\]\.timeoutMs must be an integer/],
    [{ id: 'h', kind: 'webhook', url: 'http://h', retries: 2.5 }, /alerting\.notifiers\[2\]\.retries must be an integer from 0 to/],
    [{ id: 'h', kind: 'webhook', url: 'http://h', backoffMs: -1 }, /alerting\.notifiers\[2\]\.backoffMs must be an integer from 0 to/],
    [{ id: 'h', kind: 'webhook', url: 'http://h', secret: 42 }, /alerting\.notifiers\[2\]\.secret must be a string/],
    [{ id: 'h', kind: 'webhook', url: 'http://h', matchers: { name: 'model', value: 'churn' } }, /alerting\.notifiers\[2\]\.matchers must be a list of \{name, value, isRegex\?, isNegative\?\}/],
  ];
  for (const [config, message] of refused) assert.throws(() => createNotifier(config as NotifierConfig, at), message, JSON.stringify(config));
  // What docs/alerting.md shows is taken as it is.
  for (const config of [
    { id: 'ops-hook', kind: 'webhook', url: 'https://hooks.example/lookout', secret: 's3cret', sendResolved: false, retries: 0, backoffMs: 0, timeoutMs: 5000 },
    { id: 'ml-slack', kind: 'slack', url: 'https://hooks.slack.com/services/x', minSeverity: 'page' },
    { id: 'am', kind: 'alertmanager', url: 'http://alertmanager:9093', resendInterval: '1m' },
    { id: 'pager', kind: 'command', command: ['/usr/local/bin/page-oncall'], matchers: [{ name: 'team', value: 'growth' }] },
  ] as NotifierConfig[]) assert.equal(createNotifier(config, at).config.id, config.id);
});
