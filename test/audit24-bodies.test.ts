import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Fastify from 'fastify';
import type { Server } from '../src/server.js';
import { declaredBodies, OWN_BODY, useBodyFields, type RouteBody } from '../src/http/body-fields.js';
import { twoVersionGateway, type TwoVersionGateway } from './helpers/registry.js';
import { call, poster, testServer } from './helpers/server.js';

/**
 * Audit 24 (bodies), against a real server:
 * - a POST with `Content-Type: application/json` and an empty body (curl -X POST -H 'content-type: application/json',
 *   fetch wrappers setting the header on every request) was answered 400 invalid_json "Body cannot be empty", on routes
 *   taking no body (POST /v1/admin/snapshots, /v1/monitors/run) as on an ack whose body is optional;
 * - a route taking no body ignored one it was sent: `{"keep": 1}` to POST /v1/admin/snapshots made a snapshot and
 *   removed none (keep is a query parameter); the routes whose body is optional (a pause's reason, a rollback's alias)
 *   ignored a misspelt field (`reson`).
 * Every POST, PUT, PATCH and DELETE route is enumerated from the app (its route config `body`, required of each).
 */
const NOW = Date.UTC(2026, 10, 20, 12, 30);
const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };
const EMPTY_JSON = { 'content-type': 'application/json' };

type ErrorBody = { error: { code: string; message: string; details: { unknown?: string[]; known?: string[]; suggestions?: Record<string, string> } } };
const errorOf = (body: Record<string, unknown>): ErrorBody['error'] | undefined => (body as unknown as Partial<ErrorBody>).error;

/** A concrete path of a route: its model is `m`, its version 1.0.0, any other parameter names nothing that exists. */
const pathOf = (url: string): string => url.replace(/:([A-Za-z_]\w*)/g, (_m, p: string) => (p === 'name' ? 'm' : p === 'version' ? '1.0.0' : p === 'alias' ? 'staging' : `no-such-${p}`));

describe('audit 24 (bodies): body-fields unit', () => {
  test('a POST, PUT, PATCH or DELETE route without a body declaration makes the app fail to start, naming it', async () => {
    const app = Fastify();
    useBodyFields(app);
    app.get('/read', async () => ({}));
    app.post('/declared', { config: { body: [] } }, async () => ({}));
    await assert.rejects(async () => {
      await app.register(async (child) => {
        child.delete('/v1/forgotten', async () => ({}));
      });
      await app.ready();
    }, /route DELETE \/v1\/forgotten declares no body/);
    await app.close().catch(() => undefined);
  });
});

describe('audit 24 (bodies): every route of a real server reads an empty JSON body as none, and refuses fields it does not read', { timeout: 180_000 }, () => {
  let s: Server;
  let routes: readonly RouteBody[];
  const post = poster(() => s.url);
  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => { c.alerting = { evaluationInterval: 0 }; c.registry = { tickMs: 0, refreshMs: 0 }; } });
    routes = declaredBodies(s.app);
    await post('/v1/models', { name: 'm', outputKind: 'regression', inputSchema: SCHEMA });
    await post('/v1/models/m/versions', { version: '1.0.0' });
    const reg = await call(s.url, 'PUT', '/v1/models/m/versions/1.0.0', {});
    assert.ok(reg.status < 300, JSON.stringify(reg.body));
  });
  after(() => s?.close());

  test('the routes are enumerated from the app: the ones taking no body are among them', () => {
    const none = routes.filter((r) => Array.isArray(r.body) && r.body.length === 0).map((r) => `${r.method} ${r.url}`);
    for (const r of ['POST /v1/admin/snapshots', 'DELETE /v1/admin/snapshots/:name', 'POST /v1/monitors/run', 'DELETE /v1/monitors/:id', 'DELETE /v1/slos/:id', 'DELETE /v1/silences/:id', 'POST /v1/rollouts/tick']) {
      assert.ok(none.includes(r), `${r} takes no body: ${none.join('; ')}`);
    }
    assert.ok(routes.length >= 30, `${routes.length} routes with a body method`);
  });

  test('every route answers an empty body sent as application/json as it answers no body (never invalid_json)', async () => {
    for (const r of routes) {
      const path = pathOf(r.url);
      const none = await call(s.url, r.method, path);
      const empty = await call(s.url, r.method, path, '', EMPTY_JSON);
      const where = `${r.method} ${path}: no body ${none.status} ${JSON.stringify(none.body).slice(0, 200)}; empty JSON body ${empty.status} ${JSON.stringify(empty.body).slice(0, 200)}`;
      assert.notEqual(errorOf(empty.body)?.code, 'invalid_json', where);
      assert.equal(empty.status, none.status, where);
      assert.equal(errorOf(empty.body)?.code, errorOf(none.body)?.code, where);
      // a body it requires: a 4xx saying what is missing, not that JSON is invalid
      if (empty.status === 400) assert.doesNotMatch(errorOf(empty.body)?.message ?? '', /not valid JSON|cannot be empty/i, where);
      if (process.env['AUDIT24_SHOW'] !== undefined) console.log(where);
    }
  });

  test('every route taking no body or optional fields refuses a field it does not read, naming it; {} is no field', async () => {
    const checked = routes.filter((r) => r.body !== OWN_BODY);
    assert.ok(checked.length >= 15, `${checked.length} routes`);
    for (const r of checked) {
      const path = pathOf(r.url);
      const typo = await call(s.url, r.method, path, { zz_unread: 1 });
      const where = `${r.method} ${path}: ${typo.status} ${JSON.stringify(typo.body).slice(0, 300)}`;
      assert.equal(typo.status, 400, where);
      const e = errorOf(typo.body);
      assert.equal(e?.code, 'validation_failed', where);
      assert.match(e?.message ?? '', /"zz_unread"/, where);
      assert.deepEqual(e?.details.unknown, ['zz_unread'], where);
      assert.deepEqual(e?.details.known, r.body, where);
      if (r.body.length === 0) assert.match(e?.message ?? '', /takes no body/, where);
      const none = await call(s.url, r.method, path);
      const braces = await call(s.url, r.method, path, {});
      assert.equal(braces.status, none.status, `${r.method} ${path}: {} ${braces.status} ${JSON.stringify(braces.body).slice(0, 200)}, no body ${none.status}`);
    }
  });

  test('a body required by a schema: "a JSON object body is required"; one whose fields are all optional (register, update a version) may be empty', async () => {
    const model = await call(s.url, 'POST', '/v1/models', '', EMPTY_JSON);
    assert.equal(model.status, 400, JSON.stringify(model.body));
    assert.match(errorOf(model.body)?.message ?? '', /^a JSON object body is required \(none was sent\): body must be object$/);
    for (const method of ['PUT', 'PATCH']) {
      const v = await call(s.url, method, '/v1/models/m/versions/1.0.0', '', EMPTY_JSON);
      assert.equal(v.status, 200, `${method}: ${JSON.stringify(v.body)}`);
      assert.equal((v.body['version'] as { version: string }).version, '1.0.0');
    }
  });

  test('POST /v1/admin/snapshots: an empty JSON body makes a snapshot; {"keep": 1} is refused, naming keep as the query parameter, and makes none', async () => {
    const made = await call(s.url, 'POST', '/v1/admin/snapshots', '', EMPTY_JSON);
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const count = async (): Promise<number> => ((await call(s.url, 'GET', '/v1/admin/snapshots')).body['snapshots'] as unknown[]).length;
    const before = await count();
    const keep = await call(s.url, 'POST', '/v1/admin/snapshots', { keep: 1 });
    assert.equal(keep.status, 400, JSON.stringify(keep.body));
    assert.match(errorOf(keep.body)?.message ?? '', /POST \/v1\/admin\/snapshots takes no body: unknown field "keep" \("keep" is a query parameter: POST \/v1\/admin\/snapshots\?keep=\.\.\.\)/);
    assert.equal(await count(), before, 'no snapshot made');
  });

  test('optional bodies: an ack with an empty JSON body acknowledges; a resolve keeps its note; a pause\'s misspelt reason is refused with the field meant', async () => {
    const raised = await post('/v1/alerts', { source: 'audit24', model: 'm', severity: 'warning', summary: 'raised by the test' });
    const id = (raised['alert'] as { id: string }).id;
    const ack = await call(s.url, 'POST', `/v1/alerts/${id}/ack`, '', EMPTY_JSON);
    assert.equal(ack.status, 200, JSON.stringify(ack.body));
    assert.equal((ack.body['alert'] as { state: string }).state, 'acknowledged');
    const resolve = await call(s.url, 'POST', `/v1/alerts/${id}/resolve`, { note: 'fixed upstream', by: 'ops' });
    assert.equal(resolve.status, 200, JSON.stringify(resolve.body));
    assert.match(JSON.stringify(resolve.body), /fixed upstream/);

    const reson = await call(s.url, 'POST', '/v1/models/m/pause', { reson: 'incident 42' });
    assert.equal(reson.status, 400, JSON.stringify(reson.body));
    assert.equal(errorOf(reson.body)?.message, 'body has an unknown field "reson"; known: by, reason; did you mean "reason" (for "reson")?');
    assert.equal((await call(s.url, 'GET', '/v1/models/m/serving')).status, 200);
    const paused = await call(s.url, 'POST', '/v1/models/m/pause', '', EMPTY_JSON);
    assert.equal(paused.status, 200, JSON.stringify(paused.body));
    assert.equal(paused.body['paused'], true);
    const resumed = await call(s.url, 'POST', '/v1/models/m/resume', { reason: 'incident 42 over' });
    assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
    assert.equal(resumed.body['paused'], false);
    const history = await call(s.url, 'GET', '/v1/models/m/deployments');
    assert.match(JSON.stringify(history.body), /incident 42 over/);
    const notObject = await call(s.url, 'POST', '/v1/models/m/pause', [1]);
    assert.equal(notObject.status, 400);
    assert.match(errorOf(notObject.body)?.message ?? '', /must be a JSON object \(got an array\)/);
  });
});

describe('audit 24 (bodies): a rollout\'s pause and resume (real server, loopback model servers)', { timeout: 120_000 }, () => {
  let g: TwoVersionGateway;
  before(async () => {
    g = await twoVersionGateway();
  });
  after(() => g?.close());

  test('an empty JSON body pauses; the reason the dashboard sends is in the event\'s log line; a misspelt one is refused', async () => {
    const url = g.server.url;
    const started = await call(url, 'POST', '/v1/models/churn/rollout', { candidate: '2.0.0', reason: 'audit 24', steps: [50, 100], stepDurationMs: 600_000 });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const paused = await call(url, 'POST', '/v1/models/churn/rollout/pause', '', EMPTY_JSON);
    assert.equal(paused.status, 200, JSON.stringify(paused.body));
    assert.equal(paused.body['changed'], true);
    const typo = await call(url, 'POST', '/v1/models/churn/rollout/resume', { by: 'ops', reasn: 'canary looks fine' });
    assert.equal(typo.status, 400, JSON.stringify(typo.body));
    assert.match(errorOf(typo.body)?.message ?? '', /unknown field "reasn"; known: by, reason; did you mean "reason"/);
    // the event's line in the server's log (LogNotifier, on stderr: this server runs in the test's process)
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      lines.push(String(chunk));
      return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stderr.write;
    let resumed;
    try {
      resumed = await call(url, 'POST', '/v1/models/churn/rollout/resume', { by: 'ops', reason: 'canary looks fine' });
    } finally {
      process.stderr.write = write;
    }
    assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
    assert.equal(resumed.body['changed'], true);
    assert.ok(lines.some((l) => /rollout \S+ of churn resumed .*: resumed by ops: canary looks fine/.test(l)), lines.join(''));
    assert.equal((await call(url, 'POST', '/v1/models/churn/rollout/abort', { reason: 'audit 24 done' })).status, 200);
  });
});
