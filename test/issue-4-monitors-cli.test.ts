import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import type { EvaluationRecord } from '../src/storage/alerts.js';
import { lookoutAsync } from './helpers/cli.js';
import { call, testServer } from './helpers/server.js';

/*
 * Issue 4 (monitors): monitors were declared in lookout.yaml or through the API, and only the API (curl) or the dashboard
 * showed how each last evaluated; `lookout monitors list|evaluations|run` is the on-call view of them from a terminal.
 * A real server with an injected clock, real events, real evaluation rounds.
 */
const H = 3_600_000;
const HOUR = Date.UTC(2026, 10, 2, 10);

describe('issue 4: lookout monitors list, evaluations, run', { timeout: 60_000 }, () => {
  let s: Server;
  let now = HOUR + 20 * 60_000;
  before(async () => {
    s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    for (const name of ['m', 'other']) {
      assert.equal((await call(s.url, 'POST', '/v1/models', { name, outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
      assert.equal((await call(s.url, 'POST', '/v1/models/' + name + '/versions', { version: '1' })).status, 201);
    }
    // 50 inferences in the hour, 10 of them failed: an error rate of 0.2
    const events = Array.from({ length: 50 }, (_, i) => ({ model: 'm', version: '1', timestamp: HOUR + i * 60_000, features: { x: i }, ...(i % 5 === 0 ? { error: 'timeout' } : { prediction: i }) }));
    assert.equal((await call(s.url, 'POST', '/v1/events', { events })).body['accepted'], 50);
    const monitors = [
      { id: 'errors', model: 'm', metric: 'errorRate', window: '1h', minSamples: 10, levels: [{ severity: 'page', threshold: 0.1 }] },
      { id: 'quiet', model: 'other', metric: 'throughput', window: '1h', minSamples: 0, enabled: false, levels: [{ severity: 'warning', threshold: 1e9 }] },
    ];
    for (const m of monitors) assert.equal((await call(s.url, 'POST', '/v1/monitors', m)).status, 201);
  });
  after(() => s?.close());

  const cli = (...args: string[]) => lookoutAsync(['monitors', ...args, '--url', s.url]);
  const rows = (stdout: string): string[][] => stdout.trim().split('\n').slice(2).map((line) => line.split(/\s{2,}/));

  test('run evaluates the windows closed since; list shows each monitor\'s last evaluation and alert state; --model picks', async () => {
    const before = await cli('list');
    assert.equal(before.code, 0, before.stderr);
    assert.deepEqual(rows(before.stdout), [
      ['errors', 'm', 'errorRate', '1h', '-', '-', '-', '-', '-'],
      ['quiet', 'other', 'throughput', '1h', '-', '-', '-', '-', '-', 'disabled'],
    ], 'nothing evaluated yet');

    now = HOUR + H + 5 * 60_000;
    const run = await cli('run');
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^evaluated [1-9]\d*, alerts changed 1, groups notified \d+\n$/);
    const list = await cli('list');
    assert.equal(list.code, 0, list.stderr);
    const api = (await call(s.url, 'GET', '/v1/monitors')).body['monitors'] as Array<{ id: string; last: { state?: string } | null }>;
    const state = api.find((m) => m.id === 'errors')?.last?.state;
    assert.ok(state, 'the server reports an alert state');
    assert.deepEqual(rows(list.stdout)[0], ['errors', 'm', 'errorRate', '1h', '2026-11-02T11:00Z', 'page', '0.2000', '0.1000', state]);
    assert.deepEqual((rows((await cli('list', '--model', 'other')).stdout)).map((r) => [r[0], r[r.length - 1]]), [['quiet', 'disabled']]);
    const json = await cli('list', '--json');
    assert.deepEqual(JSON.parse(json.stdout), api);
  });

  test('evaluations: oldest first, --from/--to pick, --json is the API\'s; an unknown id is an error naming it', async () => {
    const all = await cli('evaluations', 'errors');
    assert.equal(all.code, 0, all.stderr);
    const api = (await call(s.url, 'GET', `/v1/monitors/errors/evaluations?from=${HOUR - 7 * 24 * H}&to=${now + 1}`)).body['evaluations'] as EvaluationRecord[];
    assert.ok(api.length >= 2, `${api.length} evaluations`);
    const table = rows(all.stdout);
    assert.deepEqual(table.map((r) => r[0]), api.map((e) => new Date(e.at).toISOString().replace(':00.000Z', 'Z')));
    assert.deepEqual(table[table.length - 1], ['2026-11-02T11:00Z', 'page', '0.2000', '-', '0.1000', '50'], 'the hour 10:00-11:00, evaluated at its end');
    const one = await cli('evaluations', 'errors', '--from', '2026-11-02T10:30:00Z', '--to', '2026-11-02T11:30:00Z', '--json');
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(JSON.parse(one.stdout), api.filter((e) => e.at === HOUR + H));
    const missing = await cli('evaluations', 'nope');
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /HTTP 404 not_found: no monitor or SLO "nope"/);
  });
});
