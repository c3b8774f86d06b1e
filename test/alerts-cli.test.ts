import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import type { AlertRecord } from '../src/storage/alerts.js';
import { lookoutAsync } from './helpers/cli.js';
import { call, testServer } from './helpers/server.js';

const NOW = Date.UTC(2026, 2, 2, 9, 30);

describe('issue 4: alert lifecycle and silences through the API and the CLI', { timeout: 60_000 }, () => {
  let s: Server;
  let base = '';
  let ids: string[] = [];
  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    base = s.url;
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'eta', outputKind: 'regression', inputSchema: { type: 'object' } })).status, 201);
    ids = [];
    for (const source of ['rollout', 'pipeline']) {
      const r = await call(base, 'POST', '/v1/alerts', { source, model: 'eta', severity: 'page', summary: `${source} trouble`, labels: { team: 'ml' } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      ids.push((r.body['alert'] as AlertRecord).id);
    }
    // raising the same source + labels again is deduplicated
    const again = await call(base, 'POST', '/v1/alerts', { source: 'rollout', model: 'eta', severity: 'page', summary: 'again', labels: { team: 'ml' } });
    assert.equal((again.body['alert'] as AlertRecord).id, ids[0]);
  });
  after(() => s?.close());

  test('alerts list, ack, resolve, false-positive', async () => {
    const list = await lookoutAsync(['alerts', 'list', '--url', base, '--state', 'open']);
    assert.equal(list.code, 0, list.stderr);
    for (const id of ids) assert.match(list.stdout, new RegExp(id));
    assert.match(list.stdout, /open\s+page\s+eta\s+external:rollout/);
    const ack = await lookoutAsync(['alerts', 'ack', ids[0] as string, '--url', base, '--by', 'alice', '--note', 'on it']);
    assert.equal(ack.code, 0, ack.stderr);
    assert.match(ack.stdout, /acknowledged/);
    const fp = await lookoutAsync(['alerts', 'false-positive', ids[1] as string, '--url', base]);
    assert.match(fp.stdout, /resolved \(false positive\)/);
    const res = await lookoutAsync(['alerts', 'resolve', ids[0] as string, '--url', base]);
    assert.match(res.stdout, /resolved/);
    const again = await lookoutAsync(['alerts', 'resolve', ids[0] as string, '--url', base]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /HTTP 409 conflict: alert .* is already resolved/);
    const missing = await lookoutAsync(['alerts', 'ack', 'nope', '--url', base]);
    assert.match(missing.stderr, /HTTP 404 not_found/);
    const json = JSON.parse((await lookoutAsync(['alerts', 'list', '--url', base, '--state', 'all', '--json'])).stdout) as AlertRecord[];
    const first = json.find((a) => a.id === ids[0]);
    assert.equal(first?.acknowledgedBy, 'alice');
    assert.equal(first?.note, 'on it');
    assert.equal(first?.state, 'resolved');
    assert.equal(first?.context['dashboardUrl'], undefined, 'no dashboardUrl configured: no (relative) link');
    assert.equal(first?.context['summary'], 'again', 'a duplicate updates the context of the open alert');
    assert.equal(json.find((a) => a.id === ids[1])?.falsePositive, true);
    const stats = (await call(base, 'GET', `/v1/monitors/stats?from=${NOW - 86_400_000}&to=${NOW + 6 * 86_400_000}`)).body['monitors'] as Array<Record<string, unknown>>;
    assert.deepEqual(stats.find((m) => m['id'] === 'external:pipeline'), { id: 'external:pipeline', model: 'eta', alerts: 1, falsePositives: 1, falsePositiveRate: 1, alertsPerWeek: 1 });
  });

  test('silences add, list, expire; bad matchers and bodies are structured 4xx', async () => {
    const add = await lookoutAsync(['silences', 'add', '--url', base, '--matcher', 'model=eta', '--matcher', 'alertname=~roll.*', '--duration', '2h', '--created-by', 'bob', '--comment', 'deploy']);
    assert.equal(add.code, 0, add.stderr);
    const id = /silence ([\w-]+) created, until 2026-03-02T11:30:00.000Z/.exec(add.stdout)?.[1];
    assert.ok(id, add.stdout);
    const list = await lookoutAsync(['silences', 'list', '--url', base]);
    assert.match(list.stdout, new RegExp(`${id}\\s+active\\s+model=eta,alertname=~roll\\.\\*`));
    const ex = await lookoutAsync(['silences', 'expire', id as string, '--url', base]);
    assert.match(ex.stdout, /expired at 2026-03-02T09:30:00.000Z/);
    const silences = (await call(base, 'GET', '/v1/silences')).body['silences'] as Array<{ id: string; active: boolean }>;
    assert.deepEqual(silences.map((x) => [x.id, x.active]), [[id, false]]);
    const bad = await lookoutAsync(['silences', 'add', '--url', base, '--matcher', 'no-operator', '--created-by', 'x', '--comment', 'y']);
    assert.equal(bad.code, 2);
    for (const body of [{ matchers: [], endsAt: NOW + 1, createdBy: 'a', comment: 'b' }, { matchers: [{ name: 'a', value: '(', isRegex: true }], endsAt: NOW + 1, createdBy: 'a', comment: 'b' },
      { matchers: [{ name: 'a', value: 'b' }], endsAt: NOW - 1, createdBy: 'a', comment: 'b' }, { matchers: [{ name: 'a', value: 'b' }], endsAt: NOW + 1 }, [1, 2]]) {
      const r = await call(base, 'POST', '/v1/silences', body);
      assert.ok(r.status === 400, `${JSON.stringify(body)} -> ${r.status}`);
      assert.equal(typeof (r.body['error'] as { code: string }).code, 'string');
    }
    assert.equal((await call(base, 'DELETE', '/v1/silences/nope')).status, 404);
  });

  test('monitor and SLO definitions are validated with readable errors', async () => {
    const cases: Array<[Record<string, unknown>, number, RegExp]> = [
      [{ model: 'eta', metric: 'nope', levels: [{ severity: 'page', threshold: 1 }] }, 400, /unknown metric "nope"; known metrics: .*accuracy.*latencyP99/],
      [{ model: 'eta', metric: 'drift', levels: [{ severity: 'page', threshold: 1 }] }, 400, /needs a feature/],
      [{ model: 'eta', metric: 'drift:x', method: 'magic', levels: [{ severity: 'page', threshold: 1 }] }, 400, /unknown drift method "magic"; known methods/],
      [{ model: 'eta', metric: 'mae', levels: [] }, 400, /levels/],
      [{ model: 'eta', metric: 'mae', window: '90s', levels: [{ severity: 'page', threshold: 1 }] }, 400, /whole minutes/],
      [{ model: 'eta', metric: 'mae', kind: 'magic', levels: [{ severity: 'page', threshold: 1 }] }, 400, /kind/],
      [{ model: 'ghost', metric: 'mae', levels: [{ severity: 'page', threshold: 1 }] }, 404, /unknown model/],
    ];
    for (const [body, status, msg] of cases) {
      const r = await call(base, 'POST', '/v1/monitors', body);
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.match((r.body['error'] as { message: string }).message, msg);
    }
    const ok = await call(base, 'POST', '/v1/monitors', { id: 'eta-mae', model: 'eta', metric: 'mae', kind: 'baseline', levels: [{ severity: 'warning', threshold: 0.1 }] });
    assert.equal(ok.status, 201);
    assert.deepEqual((ok.body['monitor'] as Record<string, unknown>)['direction'], 'above');
    assert.equal((await call(base, 'POST', '/v1/slos', { model: 'eta', kind: 'latency', objective: 0.99 })).status, 400);
    assert.equal((await call(base, 'POST', '/v1/slos', { id: 'eta-mae', model: 'eta', kind: 'availability', objective: 0.99 })).status, 409);
    const slo = await call(base, 'POST', '/v1/slos', { id: 'eta-avail', model: 'eta', kind: 'availability', objective: 0.999 });
    assert.equal(slo.status, 201);
    const slos = (await call(base, 'GET', '/v1/slos')).body['slos'] as Array<{ id: string; errorBudgetRemaining: number | null; burnRates: Record<string, number | null> }>;
    assert.deepEqual(slos.map((x) => [x.id, x.errorBudgetRemaining, x.burnRates['1h']]), [['eta-avail', null, null]], 'no traffic: nothing to say');
    const run = await call(base, 'POST', '/v1/monitors/run', {});
    assert.equal(run.status, 200);
    const ev = (await call(base, 'GET', '/v1/monitors/eta-mae/evaluations')).body['evaluations'] as Array<{ status: string }>;
    // a new monitor backfills up to 48 windows at its first tick; no traffic: no verdict on any
    assert.equal(ev.length, 48);
    assert.ok(ev.every((e) => e.status === 'insufficient_data'));
  });
});
