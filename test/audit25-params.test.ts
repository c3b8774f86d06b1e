import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { ANY_QUERY, declaredQueries } from '../src/http/known-query.js';
import { lookoutAsync } from './helpers/cli.js';
import { call, succeeding, testServer } from './helpers/server.js';

/**
 * Audit 25 (query parameters and times), on a real server and DuckDB store:
 * - a parameter given empty (`GET /v1/models/m/drift?from=&version=`) was read as left out: a script whose variable was
 *   unset (`?from=$FROM`) got the default range, the newest version or the whole traffic and took it for its answer. It is
 *   a 400 `bad_request` naming the parameter, for every route at once (src/http/known-query.ts), and the CLI refuses an
 *   empty option it would send (exit 2);
 * - a zone written `+0100` (ISO 8601's basic form: `date +%FT%T%z`) or `+01` (PostgreSQL's text) was refused in query
 *   times and event timestamps alike; both are read, and another form's refusal shows the accepted ones.
 */

const MIN = 60_000;
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12, 30);
const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };

type ErrorBody = { error: { code: string; message: string; details: { empty?: string[] } } };
const errorOf = (body: Record<string, unknown>): ErrorBody['error'] => (body as unknown as ErrorBody).error;

describe('audit 25 (params): empty query parameters and basic time-zone offsets', { timeout: 120_000 }, () => {
  let s: Server;
  const ok = succeeding(() => s.url);
  const event = (id: string, version: string, timestamp: number | string, region = 'eu'): Record<string, unknown> => ({
    id, model: 'm', version, timestamp, features: { x: 1 }, prediction: 1, segment: { region },
  });

  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => { c.alerting = { evaluationInterval: 0 }; c.registry = { tickMs: 0, refreshMs: 0 }; c.ingest.sampleRate = 1; } });
    await ok('POST', '/v1/models', { name: 'm', outputKind: 'regression', segmentKeys: ['region'], inputSchema: SCHEMA });
    await ok('POST', '/v1/models/m/versions', { version: '1.0.0' });
    await ok('POST', '/v1/models/m/versions', { version: '2.0.0' });
    // version 1.0.0: 3 events in the last hour; 2.0.0 (the newest): 1 event two days ago
    const r = await ok('POST', '/v1/events', { events: [event('a', '1.0.0', NOW - 10 * MIN), event('b', '1.0.0', NOW - 20 * MIN, 'us'), event('c', '1.0.0', NOW - 30 * MIN), event('d', '2.0.0', NOW - 48 * HOUR)] });
    assert.equal(r['accepted'], 4, JSON.stringify(r));
    await ok('POST', '/v1/alerts', { source: 'audit25', model: 'm', severity: 'warning', summary: 'raised by the test' });
  });
  after(() => s?.close());

  const refusedEmpty = async (method: string, path: string, names: string[], body?: unknown, headers?: Record<string, string>): Promise<void> => {
    const r = await call(s.url, method, path, body, headers);
    assert.equal(r.status, 400, `${method} ${path}: ${JSON.stringify(r.body).slice(0, 300)}`);
    const e = errorOf(r.body);
    assert.equal(e.code, 'bad_request', `${method} ${path}`);
    assert.deepEqual(e.details.empty, names, `${method} ${path}`);
    for (const n of names) assert.match(e.message, new RegExp(`"${n}"`), e.message);
    assert.match(e.message, names.length === 1 ? / is empty: give it a value, or leave it out of the query for its default/ : / are empty: give them values, or leave them out of the query for their defaults/, e.message);
  };

  test('GET /drift?from=&version= is a 400 naming both, not the default range of the newest version', async () => {
    await refusedEmpty('GET', '/v1/models/m/drift?from=&version=', ['from', 'version']);
    // what an empty value answered: /health?version= was the newest version's (2.0.0), none of 1.0.0's 3 events of the
    // last hour; ?from= the last 24 h, where 2.0.0's event of two days ago is not
    await refusedEmpty('GET', '/v1/models/m/health?version=', ['version']);
    await refusedEmpty('GET', '/v1/models/m/health?version=2.0.0&from=', ['from']);
    await refusedEmpty('GET', `/v1/models/m/health?from=${NOW - HOUR}&to=`, ['to']);
    await refusedEmpty('GET', '/v1/models/m/events?segment=', ['segment']);
    // a name without "=", and an empty value among repeated ones
    await refusedEmpty('GET', '/v1/models/m/health?from', ['from']);
    await refusedEmpty('GET', '/v1/models/m/health?segment=region=eu&segment=', ['segment']);
    // an unknown parameter is still named as one first
    assert.equal(errorOf((await call(s.url, 'GET', '/v1/models/m/health?from=&frm=1')).body).code, 'unknown_parameter');
    // given, they answer as before: version 1.0.0's 3 events of the last hour, 2.0.0's 1 over three days
    const v1 = await ok('GET', '/v1/models/m/health?version=1.0.0');
    assert.equal(v1['events'], 3);
    assert.equal((await ok('GET', `/v1/models/m/health?version=2.0.0&from=${NOW - 72 * HOUR}`))['events'], 1);
    // an empty segment value is a value (`region=`), not an empty parameter
    assert.equal((await ok('GET', '/v1/models/m/health?version=1.0.0&segment=region%3D'))['events'], 0);
    assert.equal((await ok('GET', '/v1/models/m/health?version=1.0.0&segment=region%3Deu'))['events'], 2);
  });

  test('every declared parameter of every route is refused empty, before its handler (no side effect), with the same answer', async () => {
    const routes = declaredQueries(s.app).filter((r) => r.query !== ANY_QUERY && r.query.length > 0 && r.method !== 'HEAD');
    assert.ok(routes.length >= 25, routes.map((r) => r.url).join(', '));
    const path = (url: string): string => url.replace(':name', 'm').replace(':version', '1.0.0').replace(':feature', 'x').replace(':id', 'nope');
    let checked = 0;
    for (const r of routes) {
      for (const name of r.query as readonly string[]) {
        const upload = r.url.endsWith('/reference');
        const body = r.method === 'GET' ? undefined : upload ? 'x,prediction\n1,1\n' : {};
        await refusedEmpty(r.method, `${path(r.url)}?${name}=`, [name], body, upload ? { 'content-type': 'text/csv' } : {});
        checked++;
      }
    }
    assert.ok(checked >= 80, `${checked} parameters`);
    const model = await ok('GET', '/v1/models/m');
    assert.equal((model['versions'] as Array<{ reference?: unknown }>).find((v) => v.reference)?.reference, undefined, 'the refused uploads stored no reference');
    assert.deepEqual((await ok('GET', '/v1/admin/snapshots'))['snapshots'], [], 'POST /v1/admin/snapshots?keep= made no snapshot');
    // the routes that take any parameter take it empty too: a probe's or a scraper's
    for (const p of ['/healthz?verbose=', '/metrics?format=', '/ui/?v=']) assert.notEqual((await call(s.url, 'GET', p)).status, 400, p);
  });

  test('times with a zone +hhmm or +hh are read in query parameters and event timestamps; another form is refused showing the forms', async () => {
    // 10:00 and 10:05 UTC, sent as `date +%FT%T%z` writes them (Paris, -05:30), PostgreSQL (+01) and +hh:mm
    const r = await ok('POST', '/v1/events', { events: [
      event('t1', '1.0.0', '2026-11-20T11:00:00+0100'), event('t2', '1.0.0', '2026-11-20 04:35:00-0530'), event('t3', '1.0.0', '2026-11-20T11:05:00+01'),
      event('t4', '1.0.0', '2026-11-20T11:05:00.500+01:00'), event('bad', '1.0.0', '2026-11-20T11:00:00+1'),
    ] });
    assert.equal(r['accepted'], 4, JSON.stringify(r));
    const rejected = (r['results'] as Array<{ id: string; status: string; code?: string; message?: string }>).find((x) => x.id === 'bad');
    assert.equal(rejected?.code, 'invalid_timestamp');
    assert.match(rejected?.message ?? '', /"2026-01-31T13:00:00\+01:00"; \+0100 and \+01 are read too/);
    const at = Date.UTC(2026, 10, 20, 10);
    const events = await ok('GET', `/v1/models/m/events?version=1.0.0&from=${at}&to=${at + 10 * MIN}`);
    assert.deepEqual((events['events'] as Array<{ id: string; ts: number }>).map((e) => [e.id, e.ts]).sort(),
      [['t1', at], ['t2', at + 5 * MIN], ['t3', at + 5 * MIN], ['t4', at + 5 * MIN + 500]]);
    // the same range in query parameters: +0100 encoded, unencoded (a space), +01, -0500
    for (const [from, to] of [['2026-11-20T11:00:00%2B0100', '2026-11-20T11:05:00%2B0100'], ['2026-11-20T11:00:00+0100', '2026-11-20T11:05+0100'],
      ['2026-11-20T11:00:00%2B01', '2026-11-20T11:05:00+01'], ['2026-11-20T05:00:00-0500', '2026-11-20T05:05:00-05']] as const) {
      const h = await ok('GET', `/v1/models/m/health?version=1.0.0&from=${from}&to=${to}`);
      assert.deepEqual([h['from'], h['to'], h['events']], [at, at + 5 * MIN, 1], `${from} ${to}`);
    }
    // alerts' activeFrom, the deployments' range: the same parser
    assert.equal((await call(s.url, 'GET', '/v1/alerts?activeFrom=2026-11-20T13:00:00%2B0100')).status, 200);
    assert.equal((await call(s.url, 'GET', '/v1/models/m/deployments?from=2026-11-20T13:00:00%2B01')).status, 200);
    for (const bad of ['2026-11-20T11:00:00%2B1', '2026-11-20T11:00:00%2B010', '2026-11-20T11:00:00%2B01:']) {
      const res = await call(s.url, 'GET', `/v1/models/m/health?from=${bad}`);
      assert.equal(res.status, 400, bad);
      assert.match(errorOf(res.body).message, /^from must be epoch milliseconds or an ISO-8601 time such as 2026-01-31T12:00:00Z, 2026-01-31T13:00:00\+01:00 \(or \+0100, \+01\)/, bad);
    }
  });

  test('the CLI refuses an empty option it would send as a parameter (exit 2), where it left it out or sent it empty', async () => {
    for (const args of [['models', 'history', 'm', '--from', ''], ['alerts', 'list', '--before', ''], ['notifications', 'list', '--to', ''], ['status', '--segment', '']]) {
      const r = await lookoutAsync([...args, '--url', s.url]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /argument '' is invalid\. an empty value: give one, or leave the option out for its default\./, args.join(' '));
    }
    const r = await lookoutAsync(['models', 'history', 'm', '--from', String(NOW - HOUR), '--url', s.url]);
    assert.equal(r.code, 0, r.stderr);
  });
});
