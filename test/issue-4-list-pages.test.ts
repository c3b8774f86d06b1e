import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { ACTION_STATES, type ActionRecord, type EvaluationRecord } from '../src/storage/alerts.js';
import { answerChecker, type AnswerChecker } from './helpers/answers.js';
import { lookoutAsync } from './helpers/cli.js';
import { call, testServer } from './helpers/server.js';

/*
 * Issue 4 (alerting): GET /v1/actions, /v1/silences, /v1/notifications and /v1/monitors/:id/evaluations answered every
 * stored record at once (an SLO's evaluations: one a minute, 525,600 a year; an automation's actions pile up), and
 * GET /v1/alerts at most `limit` with no way to the rest. Each is now a page (`limit`) with `next`, the cursor of the
 * following page. A real server on a real DuckDB store; the records are stored through its alert store.
 */
const NOW = Date.UTC(2026, 10, 20, 12);
const MIN = 60_000;
const DAY_MS = 86_400_000;

type Body = Record<string, unknown>;

describe('issue 4: list answers come in pages', { timeout: 120_000 }, () => {
  let s: Server;
  let check: AnswerChecker;
  const actions: ActionRecord[] = [];
  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    check = await answerChecker(() => s.url);
    assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/monitors', { id: 'mon', model: 'm', metric: 'errorRate', window: '1m', levels: [{ severity: 'page', threshold: 0.1 }] })).status, 201);
    const store = s.deps.store.alertStore();
    // 1,050 actions, three to a minute (ties on the time), one in five waiting for approval
    for (let i = 0; i < 1050; i++) {
      actions.push({ id: `act-${String(i).padStart(4, '0')}`, at: NOW - 2000 * MIN + Math.floor(i / 3) * MIN, kind: 'retrain', model: 'm', alertId: null, state: i % 5 === 0 ? 'pending_approval' : ACTION_STATES[3 + (i % 4)] ?? 'done', detail: {}, updatedAt: NOW });
    }
    for (const a of actions) await s.deps.store.alertStore().putAction(a);
    for (let i = 0; i < 40; i++) {
      await store.putAlert({
        id: `al-${String(i).padStart(2, '0')}`, fingerprint: `fp-${i}`, monitorId: 'mon', model: 'm', version: null, severity: 'page', state: i % 2 ? 'open' : 'resolved',
        falsePositive: false, labels: {}, startsAt: NOW - 100 * MIN + Math.floor(i / 4) * MIN, endsAt: i % 2 ? null : NOW, updatedAt: NOW, silenced: false, inhibited: false, context: {},
      });
      // a third expired, a third active, a third pending
      const startsAt = i % 3 === 2 ? NOW + 60 * MIN : NOW - 60 * MIN;
      await store.putSilence({ id: `sil-${String(i).padStart(2, '0')}`, matchers: [{ name: 'model', value: 'm' }], startsAt, endsAt: i % 3 === 0 ? NOW - MIN : NOW + (100 + (i % 7)) * MIN, createdBy: 't', comment: 'c', createdAt: NOW - 60 * MIN });
      await store.appendNotifications([{ id: `ntf-${String(i).padStart(2, '0')}`, at: NOW - 50 * MIN + Math.floor(i / 5) * MIN, notifier: 'hook', groupKey: 'model=m', alertIds: [], firing: 1, resolved: 0, status: 'sent', attempts: 1 }]);
    }
    // 10,050 evaluations, one a minute: more than a page of the default 10,000
    const evaluations: EvaluationRecord[] = Array.from({ length: 10_050 }, (_, i) => ({ monitorId: 'mon', at: NOW - 10_050 * MIN + i * MIN, status: 'ok', value: i, baseline: null, threshold: 0.1, samples: 1 }));
    await store.appendEvaluations(evaluations);
  });
  after(() => s?.close());

  /** Every page of a list: the ids in the order given, each page checked against the API document's schema. */
  async function walk(path: string, docPath: string, key: string, param: 'before' | 'after', limit: number, query = ''): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 2000, 'the pages end');
      const body = await check.check('get', docPath, `${path}?limit=${limit}${query}${cursor === null ? '' : `&${param}=${cursor}`}`) as Body;
      const list = body[key] as Array<{ id: string }>;
      ids.push(...list.map((x) => x.id));
      cursor = body['next'] as string | null;
      if (cursor === null) return ids;
      assert.equal(list.length, limit, `${path}: a page before the last is full`);
      assert.equal(cursor, list.at(-1)?.id);
    }
  }

  test('actions: at most 1,000 by default, then page by page with before, the state filter filling each page', async () => {
    const newestFirst = [...actions].sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
    const first = await check.check('get', '/v1/actions', '/v1/actions') as Body;
    assert.equal((first['actions'] as unknown[]).length, 1000, 'the default page');
    assert.equal(first['next'], newestFirst[999]?.id);
    assert.deepStrictEqual(await walk('/v1/actions', '/v1/actions', 'actions', 'before', 97), newestFirst.map((a) => a.id));
    assert.deepStrictEqual(await walk('/v1/actions', '/v1/actions', 'actions', 'before', 16, '&state=pending_approval&model=m'), newestFirst.filter((a) => a.state === 'pending_approval').map((a) => a.id));
  });

  test('alerts, silences, notifications: every page once, in the list order', async () => {
    const all = async (path: string, key: string): Promise<string[]> => ((await call(s.url, 'GET', path)).body[key] as Array<{ id: string }>).map((x) => x.id);
    const alerts = await all('/v1/alerts', 'alerts');
    assert.equal(alerts.length, 40);
    assert.deepStrictEqual(await walk('/v1/alerts', '/v1/alerts', 'alerts', 'before', 3), alerts);
    assert.deepStrictEqual(await walk('/v1/alerts', '/v1/alerts', 'alerts', 'before', 4, '&state=open'), alerts.filter((id) => Number(id.slice(3)) % 2 === 1));
    const silences = await all('/v1/silences', 'silences');
    assert.equal(silences.length, 40);
    assert.deepStrictEqual(await walk('/v1/silences', '/v1/silences', 'silences', 'before', 5), silences);
    const unexpired = await all('/v1/silences?state=active,pending', 'silences');
    assert.equal(unexpired.length, 26);
    assert.deepStrictEqual(await walk('/v1/silences', '/v1/silences', 'silences', 'before', 3, '&state=active,pending'), unexpired);
    const span = `&from=${NOW - DAY_MS}&to=${NOW + 1}`;
    const notifications = await all(`/v1/notifications?from=${NOW - DAY_MS}&to=${NOW + 1}`, 'notifications');
    assert.equal(notifications.length, 40);
    assert.deepStrictEqual(await walk('/v1/notifications', '/v1/notifications', 'notifications', 'after', 6, span), notifications);
  });

  test('evaluations: at most 10,000 a page, next the from of the rest; lookout monitors evaluations prints the whole range', async () => {
    const from = NOW - 20_000 * MIN;
    const first = await check.check('get', '/v1/monitors/{id}/evaluations', `/v1/monitors/mon/evaluations?from=${from}&to=${NOW}`) as Body;
    const page = first['evaluations'] as EvaluationRecord[];
    assert.equal(page.length, 10_000);
    assert.equal(first['next'], (page.at(-1)?.at ?? 0) + 1);
    const rest = await check.check('get', '/v1/monitors/{id}/evaluations', `/v1/monitors/mon/evaluations?from=${String(first['next'])}&to=${NOW}`) as Body;
    assert.deepStrictEqual((rest['evaluations'] as EvaluationRecord[]).map((e) => e.value), Array.from({ length: 50 }, (_, i) => 10_000 + i));
    assert.equal(rest['next'], null);
    const small = await call(s.url, 'GET', `/v1/monitors/mon/evaluations?from=${from}&to=${NOW}&limit=3`);
    assert.deepStrictEqual((small.body['evaluations'] as EvaluationRecord[]).map((e) => e.value), [0, 1, 2]);

    const cli = await lookoutAsync(['monitors', 'evaluations', 'mon', '--from', String(from), '--to', String(NOW), '--json', '--url', s.url]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepStrictEqual((JSON.parse(cli.stdout) as EvaluationRecord[]).map((e) => e.value), Array.from({ length: 10_050 }, (_, i) => i), 'both pages, once each');
  });

  test('the list commands print the next page\'s command', async () => {
    const first = await lookoutAsync(['actions', 'list', '--state', 'pending_approval', '--limit', '2', '--url', s.url]);
    assert.equal(first.code, 0, first.stderr);
    const more = /^more: lookout actions list --state pending_approval --limit 2 --before (\S+)$/m.exec(first.stdout);
    assert.ok(more, first.stdout);
    const second = await lookoutAsync(['actions', 'list', '--state', 'pending_approval', '--limit', '2', '--before', more[1] as string, '--json', '--url', s.url]);
    assert.equal(second.code, 0, second.stderr);
    const pending = [...actions].filter((a) => a.state === 'pending_approval').sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
    assert.deepStrictEqual((JSON.parse(second.stdout) as ActionRecord[]).map((a) => a.id), pending.slice(2, 4).map((a) => a.id));
    assert.match(second.stderr, /^more: lookout actions list --state pending_approval --limit 2 --json --before \S+$/m, 'with --json the hint goes to stderr');
    for (const args of [['alerts', 'list', '--state', 'all'], ['silences', 'list', '--state', 'all']]) {
      const r = await lookoutAsync([...args, '--limit', '39', '--url', s.url]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^more: lookout ${args[0] as string} list --state all --limit 39 --before \\S+$`, 'm'));
      const last = await lookoutAsync([...args, '--limit', '40', '--url', s.url]);
      assert.doesNotMatch(last.stdout, /more:/, 'all of them: no hint');
    }
  });

  test('a bad limit or cursor is a 400 that says what is expected', async () => {
    for (const [path, max] of [['/v1/actions', 10_000], ['/v1/alerts', 10_000], ['/v1/silences', 10_000], ['/v1/notifications', 100_000], ['/v1/monitors/mon/evaluations', 100_000]] as const) {
      for (const bad of ['0', String(max + 1), 'ten', '2.5']) {
        const r = await call(s.url, 'GET', `${path}?limit=${bad}`);
        assert.equal(r.status, 400, `${path} limit=${bad}`);
        assert.equal((r.body['error'] as Body)['code'], 'bad_request');
        assert.match(String((r.body['error'] as Body)['message']), new RegExp(`limit must be an integer from 1 to ${max}`));
      }
    }
    const cases: Array<[string, RegExp]> = [
      ['/v1/actions?before=nope', /"before" must be the id of an action \(the previous page's "next"\); no action "nope"/],
      ['/v1/alerts?before=act-0001', /"before" must be the id of an alert .*no alert "act-0001"/],
      // an empty cursor: refused as every empty query parameter is (audit 25)
      ['/v1/silences?before=', /query parameter "before" is empty/],
      ['/v1/notifications?after=al-01', /"after" must be the id of a notification .*no notification "al-01"/],
      ['/v1/monitors/mon/evaluations?before=x', /before/],
    ];
    for (const [path, message] of cases) {
      const r = await call(s.url, 'GET', path);
      assert.equal(r.status, 400, path);
      assert.match(String((r.body['error'] as Body)['message']), message, path);
    }
  });
});
