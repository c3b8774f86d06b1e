import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import type { Server } from '../src/server.js';
import { hashKey } from '../src/http/auth.js';
import { ApiError } from '../src/http/errors.js';
import { ANY_QUERY, closest, declaredQueries, useKnownQuery, type RouteQuery } from '../src/http/known-query.js';
import { editDistance } from '../src/core/text/edit-distance.js';
import { call, poster, testServer } from './helpers/server.js';

/**
 * Audit 18: every endpoint refuses a query parameter it does not read (400 unknown_parameter naming it, the nearest
 * known one and the known ones). Until then they were ignored: `/drift?segmnet=region=eu` answered for the whole
 * traffic, `/v1/alerts?stat=open` listed every alert, `/timeseries?granulrity=day` used the default granularity.
 */

const SCHEMA = { type: 'object', properties: { x: { type: 'number' }, c: { type: 'string' } } };
const MIN = 60_000;
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12, 30);
const ADMIN = 'audit18-admin-key';

type ErrorBody = { error: { code: string; message: string; details: { unknown: string[]; known: string[]; suggestions: Record<string, string> } } };
const errorOf = (body: Record<string, unknown>): ErrorBody['error'] => (body as unknown as ErrorBody).error;

describe('audit 18 (query): known-query unit', () => {
  test('editDistance counts an adjacent transposition as one edit', () => {
    assert.equal(editDistance('segmnet', 'segment'), 1);
    assert.equal(editDistance('granulrity', 'granularity'), 1);
    assert.equal(editDistance('stat', 'state'), 1);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });

  test('closest suggests a known name within 2 edits (case aside), none for a short or far name or a tie', () => {
    const known = ['from', 'to', 'version', 'segment', 'granularity', 'metric', 'method', 'threshold', 'driftShare'];
    assert.equal(closest('segmnet', known), 'segment');
    assert.equal(closest('granulrity', known), 'granularity');
    assert.equal(closest('frm', known), 'from');
    assert.equal(closest('driftshare', known), 'driftShare');
    assert.equal(closest('versoin', known), 'version');
    assert.equal(closest('x', known), null, 'one letter is no typo of "to"');
    assert.equal(closest('colour', known), null);
    assert.equal(closest('metho', ['method', 'metric', 'methods']), 'method');
    assert.equal(closest('ab', ['ac', 'ad']), null, 'a tie suggests nothing');
  });

  test('a route without a query declaration makes the app fail to start, naming it', async () => {
    const app = Fastify();
    useKnownQuery(app);
    app.get('/declared', { config: { query: ['a'] } }, async () => ({}));
    await assert.rejects(async () => {
      await app.register(async (child) => {
        child.post('/v1/forgotten', async () => ({}));
      });
      await app.ready();
    }, /route POST \/v1\/forgotten declares no query parameters/);
    await app.close().catch(() => undefined);
  });

  test('a declared route refuses unknown parameters; [] takes none; ANY_QUERY takes any', async () => {
    const app = Fastify();
    useKnownQuery(app);
    app.setErrorHandler((e, _req, reply) => (e instanceof ApiError ? reply.status(e.status).send(e.toJSON()) : reply.send(e)));
    app.get('/a', { config: { query: ['limit', 'after'] } }, async (req) => ({ q: req.query }));
    app.post('/b', { config: { query: [] } }, async () => ({ ok: true }));
    app.get('/c', { config: { query: ANY_QUERY } }, async () => ({ ok: true }));
    await app.ready();
    assert.equal((await app.inject('/a?limit=1&after=x')).statusCode, 200);
    assert.equal((await app.inject('/a')).statusCode, 200);
    const bad = await app.inject('/a?lmit=1&zzz=2');
    assert.equal(bad.statusCode, 400);
    const e = (bad.json() as ErrorBody).error;
    assert.equal(e.code, 'unknown_parameter');
    assert.equal(e.message, 'unknown query parameters "lmit" (did you mean "limit"?), "zzz": GET /a takes limit, after');
    assert.deepEqual(e.details, { unknown: ['lmit', 'zzz'], known: ['limit', 'after'], suggestions: { lmit: 'limit' } });
    const none = await app.inject({ method: 'POST', url: '/b?x=1', payload: {} });
    assert.equal(none.statusCode, 400);
    assert.match((none.json() as ErrorBody).error.message, /POST \/b takes no query parameters/);
    assert.equal((await app.inject('/c?v=2&utm_source=mail')).statusCode, 200);
    // the automatic HEAD route of a GET route is declared alike
    assert.equal((await app.inject({ method: 'HEAD', url: '/a?lmit=1' })).statusCode, 400);
    await app.close();
  });
});

describe('audit 18 (query): every endpoint of a real server refuses unknown query parameters', { timeout: 180_000 }, () => {
  let s: Server;
  let routes: readonly RouteQuery[];
  const post = poster(() => s.url);
  const event = (i: number, region: string): Record<string, unknown> => ({
    id: `e${i}`, model: 'm', version: '1.0.0', timestamp: NOW - 2 * HOUR + i * MIN, features: { x: i % 7, c: i % 2 ? 'a' : 'b' }, prediction: i % 3 ? '1' : '0', score: (i % 10) / 10, segment: { region },
  });

  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => { c.alerting = { evaluationInterval: 0, notifiers: [{ id: 'ops', kind: 'command', command: ['true'] }] }; c.registry = { tickMs: 0, refreshMs: 0 }; c.ingest.sampleRate = 1; } });
    routes = declaredQueries(s.app);
    await post('/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], segmentKeys: ['region'], inputSchema: SCHEMA });
    await post('/v1/models/m/versions', { version: '1.0.0' });
    const csv = `x,c,prediction,label,score\n${Array.from({ length: 60 }, (_, i) => `${i % 5},${i % 3 ? 'a' : 'b'},${i % 2},${i % 3 ? 1 : 0},${(i % 10) / 10}`).join('\n')}\n`;
    const ref = await call(s.url, 'PUT', '/v1/models/m/versions/1.0.0/reference?label=label&prediction=prediction&score=score&positiveClass=1&decimal=.', csv, { 'content-type': 'text/csv' });
    assert.equal(ref.status, 200, JSON.stringify(ref.body));
    await post('/v1/events', { events: Array.from({ length: 40 }, (_, i) => event(i, i % 2 ? 'eu' : 'us')) });
    await post('/v1/labels', { labels: Array.from({ length: 20 }, (_, i) => ({ id: `e${i}`, label: i % 2 ? '1' : '0' })) });
    const reg = await call(s.url, 'PUT', '/v1/models/m/versions/1.0.0', {});
    assert.ok(reg.status < 300, JSON.stringify(reg.body));
    await post('/v1/monitors', { id: 'volume', model: 'm', metric: 'throughput', window: '1h', minSamples: 0, levels: [{ severity: 'page', threshold: 10 }] });
    await post('/v1/alerts', { source: 'audit18', model: 'm', severity: 'warning', summary: 'raised by the test' });
  });
  after(() => s.close());

  const refused = async (method: string, path: string, typo: string, suggestion: string | null, body?: unknown, headers?: Record<string, string>): Promise<void> => {
    const r = await call(s.url, method, path, body, headers);
    assert.equal(r.status, 400, `${method} ${path}: ${JSON.stringify(r.body)}`);
    const e = errorOf(r.body);
    assert.equal(e.code, 'unknown_parameter', `${method} ${path}`);
    assert.ok(e.details.unknown.includes(typo), `${method} ${path}: ${JSON.stringify(e.details)}`);
    assert.match(e.message, new RegExp(`"${typo}"`));
    if (suggestion !== null) {
      assert.match(e.message, new RegExp(`"${typo}" \\(did you mean "${suggestion}"\\?\\)`), e.message);
      assert.equal(e.details.suggestions[typo], suggestion);
      assert.ok(e.details.known.includes(suggestion));
    }
    for (const k of e.details.known) assert.match(e.message, new RegExp(`\\b${k}\\b`), 'the message lists the known parameters');
  };

  test('typos on representative endpoints are a 400 unknown_parameter naming the typo and the parameter meant', async () => {
    const range = `from=${NOW - 3 * HOUR}&to=${NOW}`;
    await refused('GET', `/v1/models/m/drift?${range}&segmnet=region=eu`, 'segmnet', 'segment');
    await refused('GET', `/v1/models/m/drift?${range}&treshold=0.2`, 'treshold', 'threshold');
    await refused('GET', `/v1/models/m/quality?${range}&versoin=1.0.0`, 'versoin', 'version');
    await refused('GET', `/v1/models/m/performance?${range}&metric=accuracy`, 'metric', 'metrics');
    await refused('GET', `/v1/models/m/health?frm=${NOW - HOUR}`, 'frm', 'from');
    await refused('GET', `/v1/models/m/timeseries?metric=events&${range}&granulrity=day`, 'granulrity', 'granularity');
    await refused('GET', `/v1/models/m/series?metrics=events&${range}&granulrity=day`, 'granulrity', 'granularity');
    await refused('GET', '/v1/alerts?stat=open', 'stat', 'state');
    await refused('GET', '/v1/models?lmit=10', 'lmit', 'limit');
    await refused('GET', '/v1/overview?perfomance=true', 'perfomance', 'performance');
    await refused('GET', '/v1/models/m/versions?srt=created', 'srt', 'sort');
    await refused('GET', '/v1/monitors/stats?modle=m', 'modle', 'model');
    await refused('GET', '/v1/models/m/shadow?candiate=2', 'candiate', 'candidate');
    // granularity is read by the series endpoints only (it was validated, then ignored, by the others)
    await refused('GET', `/v1/models/m/drift?${range}&granularity=day`, 'granularity', null);
    // probes and scrapers take any parameter (a load balancer's or a Prometheus job's params must not fail them)
    assert.equal((await call(s.url, 'GET', '/healthz?verbose=1')).status, 200);
    assert.equal((await call(s.url, 'GET', '/metrics?format=text')).status, 200);
    // POST and PUT: refused before the body is read or anything is stored
    await refused('POST', '/v1/events?dryRun=true', 'dryRun', null, { events: [event(900, 'eu')] });
    await refused('POST', '/v1/labels?model=m', 'model', null, { labels: [{ id: 'e1', label: '1' }] });
    await refused('PUT', '/v1/models/m/versions/1.0.0/reference?labl=label', 'labl', 'label', 'x,c,prediction,label\n1,a,1,1\n', { 'content-type': 'text/csv' });
    const stored = await call(s.url, 'GET', `/v1/models/m/health?from=${NOW - 3 * HOUR}&to=${NOW + HOUR}`);
    assert.equal(stored.body['events'], 40, 'the refused POST /v1/events stored nothing');
    const refs = await call(s.url, 'GET', '/v1/models/m');
    assert.equal((refs.body['versions'] as Array<{ reference: { rows: number } }>)[0]?.reference.rows, 60, 'the refused upload replaced no reference');
  });

  test('a typo no longer changes the answer: /v1/alerts?stat=open was the list of every alert', async () => {
    const all = await call(s.url, 'GET', '/v1/alerts');
    assert.equal(all.status, 200);
    assert.ok((all.body['alerts'] as unknown[]).length > 0);
    assert.equal((await call(s.url, 'GET', '/v1/alerts?stat=open')).status, 400);
  });

  test('several unknown parameters are all named; a name without a near one gets no suggestion', async () => {
    const r = await call(s.url, 'GET', '/v1/models/m/health?colour=red&segmnet=region=eu&to=1');
    assert.equal(r.status, 400);
    const e = errorOf(r.body);
    assert.deepEqual(e.details.unknown, ['colour', 'segmnet']);
    assert.deepEqual(e.details.known, ['from', 'to', 'version', 'segment']);
    assert.deepEqual(e.details.suggestions, { segmnet: 'segment' });
    assert.equal(e.message, 'unknown query parameters "colour", "segmnet" (did you mean "segment"?): GET /v1/models/:name/health takes from, to, version, segment');
  });

  test('every registered route declares its query parameters, and refuses any other (no side effect: refused before the handler)', async () => {
    const urls = routes.map((r) => `${r.method} ${r.url}`);
    // the routes of every plugin are there (registry, gateway, rollouts, alerting, dashboard)
    for (const r of ['GET /v1/models/:name/drift', 'PUT /v1/models/:name/versions/:version/reference', 'POST /v1/models/:name/predict', 'GET /v1/models/:name/rollouts',
      'GET /v1/alerts', 'DELETE /v1/silences/:id', 'GET /ui/*', 'GET /metrics', 'HEAD /v1/models/:name/health']) assert.ok(urls.includes(r), `${r} in ${urls.join('; ')}`);
    assert.ok(routes.length >= 100, `${routes.length} routes`);
    const path = (url: string): string => url.replace(':name', 'm').replace(':version', '1.0.0').replace(':feature', 'x').replace(':alias', 'production')
      .replace(':sha256', 'a'.repeat(64)).replace(':id', 'nope').replace('*', 'index.html');
    for (const r of routes) {
      const res = await fetch(`${s.url}${path(r.url)}?bogusParam=1`, { method: r.method, ...(!['GET', 'HEAD'].includes(r.method) && { headers: { 'content-type': 'application/json' }, body: '{}' }) });
      if (r.query === ANY_QUERY) {
        assert.notEqual(res.status, 400, `${r.method} ${r.url} takes any parameter`);
        continue;
      }
      assert.equal(res.status, 400, `${r.method} ${r.url}?bogusParam=1`);
      if (r.method === 'HEAD') continue;
      const e = errorOf(await res.json() as Record<string, unknown>);
      assert.equal(e.code, 'unknown_parameter', `${r.method} ${r.url}`);
      assert.deepEqual(e.details.known, [...r.query], `${r.method} ${r.url}`);
    }
    const models = await call(s.url, 'GET', '/v1/models');
    assert.deepEqual((models.body['models'] as Array<{ name: string }>).map((m) => m.name), ['m'], 'POST /v1/models?bogusParam=1 declared nothing');
  });

  test('no false refusal: every declared parameter of every route is accepted with a valid value', async () => {
    // every event kept (sampleRate 1): a page of one has a next
    const first = await call(s.url, 'GET', `/v1/models/m/events?from=${NOW - 3 * HOUR}&to=${NOW + HOUR}&limit=1`);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(typeof first.body['next'], 'string');
    const page = await call(s.url, 'GET', '/v1/models?limit=1');
    const alert = (await call(s.url, 'GET', '/v1/alerts')).body['alerts'] as Array<{ id: string }>;
    // the paged alerting lists' cursors are ids of their own records ('' leaves the parameter out: the list is empty)
    const firstId = async (path: string, key: string): Promise<string> => ((await call(s.url, 'GET', path)).body[key] as Array<{ id: string }>)[0]?.id ?? '';
    const cursors: Record<string, string> = {
      '/v1/alerts': alert[0]?.id ?? '', '/v1/actions': await firstId('/v1/actions', 'actions'), '/v1/silences': await firstId('/v1/silences', 'silences'),
      '/v1/notifications': await firstId(`/v1/notifications?from=${NOW - 3 * HOUR}&to=${NOW + HOUR}`, 'notifications'),
    };
    const values = (url: string): Record<string, string> => ({
      from: String(NOW - 3 * HOUR), to: String(NOW + HOUR), version: '1.0.0', segment: 'region=eu', granularity: 'hour',
      method: 'psi', threshold: '0.2', driftShare: '0.5', segments: 'false', ci: 'false', step: '1h', details: 'true',
      metrics: url.endsWith('/series') ? 'events,drift:x' : 'accuracy', metric: 'drift:x',
      limit: '5', before: cursors[url] ?? (url.endsWith('/rollouts') ? '' : String(first.body['next'])), after: cursors[url] ?? String(page.body['next'] ?? ''), prefix: 'm',
      performance: 'true', state: ({ '/v1/silences': 'active', '/v1/actions': 'pending_approval' } as Record<string, string>)[url] ?? 'open', model: 'm', sort: 'created', candidate: '1',
      activeFrom: String(NOW - 3 * HOUR), activeTo: String(NOW + HOUR), notifier: 'ops',
    });
    // parameters a route takes one group of at a time (the others refused with it): each group given in its own request
    const exclusive: Record<string, string[][]> = { '/v1/alerts': [['from', 'to'], ['activeFrom', 'activeTo']] };
    // GET routes whose every declared parameter is given at once; the answer must be a success (the path's ids exist)
    const gets = routes.filter((r) => r.method === 'GET' && r.query !== ANY_QUERY && r.query.length > 0);
    assert.ok(gets.length >= 20, gets.map((r) => r.url).join(', '));
    const checked: string[] = [];
    for (const r of gets) {
      const v = values(r.url);
      const groups = exclusive[r.url] ?? [[]];
      for (const group of groups) {
        const left = groups.flat().filter((k) => !group.includes(k));
        const q = new URLSearchParams();
        for (const k of r.query as readonly string[]) {
          assert.ok(k in v, `a test value for ${k} (${r.url})`);
          if (v[k] !== '' && !left.includes(k)) q.set(k, v[k] as string);
        }
        const path = r.url.replace(':name', 'm').replace(':feature', 'x').replace(':id', r.url.startsWith('/v1/monitors/') ? 'volume' : alert[0]?.id ?? 'nope');
        const res = await call(s.url, 'GET', `${path}?${q}`);
        assert.equal(res.status, 200, `GET ${path}?${q}: ${JSON.stringify(res.body).slice(0, 400)}`);
      }
      checked.push(r.url);
    }
    // audit 25: GET /v1/silences' activeFrom/activeTo (the values' activeFrom, activeTo)
    for (const u of ['/v1/models/:name/drift', '/v1/models/:name/timeseries', '/v1/models/:name/series', '/v1/models/:name/performance/buckets', '/v1/overview', '/v1/alerts', '/v1/silences', '/v1/models/:name/shadow']) {
      assert.ok(checked.includes(u), `${u} checked`);
    }
    // the parameters of a reference upload (PUT .../reference) and /v1/models/:name/rollouts?before=
    const csv = 'x,c,p,y,s,s0,s1\n1,a,1,1,0.9,0.1,0.9\n2,b,0,0,0.2,0.8,0.2\n3,a,1,1,0.7,0.3,0.7\n';
    const up = await call(s.url, 'PUT', '/v1/models/m/versions/1.0.0/reference?label=y&prediction=p&score=s&positiveClass=1&decimal=,', csv, { 'content-type': 'text/csv' });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    const up2 = await call(s.url, 'PUT', '/v1/models/m/versions/1.0.0/reference?label=y&prediction=p&scores=s0,s1', csv, { 'content-type': 'text/csv' });
    assert.equal(up2.status, 200, JSON.stringify(up2.body));
    const snap = await call(s.url, 'POST', '/v1/admin/snapshots?keep=1');
    assert.equal(snap.status, 201, JSON.stringify(snap.body));
    await refused('POST', '/v1/admin/snapshots?kep=1', 'kep', 'keep');
    const roll = await call(s.url, 'GET', '/v1/models/m/rollouts?limit=5&before=nope');
    assert.equal(errorOf(roll.body).code, 'bad_request', 'before is read (and checked)');
  });

  test('an unknown parameter is refused after the API key is checked, and the dashboard\'s files take any', async () => {
    const keyed = await testServer({ configure: (c) => { c.auth.keys = [{ name: 'admin', sha256: hashKey(ADMIN), scopes: ['admin', 'read', 'ingest'] }]; } });
    try {
      assert.equal((await call(keyed.url, 'GET', '/v1/models?lmit=1')).status, 401);
      const r = await call(keyed.url, 'GET', '/v1/models?lmit=1', undefined, { authorization: `Bearer ${ADMIN}` });
      assert.equal(errorOf(r.body).code, 'unknown_parameter');
      for (const p of ['/ui/?v=2', '/ui?utm_source=mail', '/?x=1']) assert.notEqual((await call(keyed.url, 'GET', p)).status, 400, p);
      // an unknown path stays a 404, whatever its query
      assert.equal((await call(keyed.url, 'GET', '/v1/nope?x=1')).status, 404);
    } finally {
      await keyed.close();
    }
  });
});
