import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig } from '../src/config.js';
import { startServer, type Server } from '../src/server.js';
import { answerChecker, ANSWERS2_OPS, type AnswerChecker } from './helpers/answers.js';
import { tempDir } from './helpers/cli.js';
import { testSchemas } from './helpers/pg-schemas.js';
import { Receiver } from './helpers/receiver.js';
import { declareChurn } from './helpers/registry.js';
import { call } from './helpers/server.js';
import { defaultAnswer, startModelServer, type ModelServer } from './helpers/upstream.js';

/*
 * The successful answers of the registry, the gateway, rollouts, SLOs, monitor statistics, notifications, actions,
 * snapshots and /healthz, as GET /v1/openapi.json declares them: on a real server (DuckDB file, injected clock,
 * alerts sent to real webhook receivers, one answering 500; retrain and rollback actions waiting for approval) with
 * real model servers on loopback behind the gateway; the same on PostgreSQL when LOOKOUT_TEST_PG_URL is set (until audit 22
 * DuckDB only: an answer built from what PostgreSQL reads back, its numbers and times, was never validated), each operation is called with ordinary and edge inputs (a version
 * only declared, an external artifact reference without digest, a paused version, a static fallback, a shadow without
 * a candidate, a rollout paused, resumed, aborted, paged) and each real answer is validated with Ajv 2020 against the
 * schema the document declares for it. Negative controls: a required field removed, a wrong type, an unknown enum
 * value fail validation. Last: every operation of the document declares its success answer, or is in EXCEPTIONS.
 */

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

/**
 * The operations whose success answer is not a JSON body the document can describe: each says why. A new route must
 * declare its answer (config.answer, src/http/answers/) or be added here with its reason.
 */
const EXCEPTIONS: Record<string, string> = {
  'get /metrics': 'Prometheus text exposition format, not JSON',
  'get /v1/openapi.json': 'the OpenAPI document itself (OpenAPI 3.1, checked by test/openapi against its official schema)',
  'get /v1/artifacts/{sha256}': 'a file download: the artifact\'s bytes (application/octet-stream)',
  'get /': 'a redirect to the dashboard (/ui/)',
};

/** Described answers that PostgreSQL cannot give: each says why (its refusal is validated instead). */
const NOT_ON_POSTGRES: Record<string, string> = {
  'post /v1/admin/snapshots 201': 'snapshots copy the embedded store\'s files: on PostgreSQL (pg_dump is its backup) the answer is 409',
  'delete /v1/admin/snapshots/{name} 204': 'no snapshot is made on PostgreSQL: deleting one answers 404',
};

const pgUrl = process.env['LOOKOUT_TEST_PG_URL'];
const pgSchemas = testSchemas('lookout_oapi2', pgUrl);

for (const store of ['duckdb', 'postgres'] as const) {
describe(`answers described by GET /v1/openapi.json: registry, gateway, rollouts, SLOs, notifications, actions, snapshots (real server, ${store === 'duckdb' ? 'DuckDB file' : 'PostgreSQL'})`, { skip: store === 'postgres' && !pgUrl ? 'LOOKOUT_TEST_PG_URL not set' : false }, () => {
  let now = T0;
  let s: Server;
  let config: ReturnType<typeof defaultConfig>;
  let checker: AnswerChecker;
  let v1: ModelServer;
  let v2: ModelServer;
  let hook: Receiver;
  let broken: Receiver;
  let jobs: Receiver;
  const url = (): string => s.url;
  const check: AnswerChecker['check'] = (...a) => checker.check(...a);
  const refused: AnswerChecker['refused'] = (...a) => checker.refused(...a);

  before(async () => {
    hook = await Receiver.start();
    broken = await Receiver.start(500);
    jobs = await Receiver.start();
    const c = defaultConfig();
    c.dataDir = tempDir('lookout-oapi2-');
    if (store === 'postgres') c.storage = pgSchemas.url('main');
    c.server.port = 0;
    c.registry = { tickMs: 0, refreshMs: 0 };
    c.alerting = {
      evaluationInterval: 0, groupWait: '0s', groupInterval: '5m',
      notifiers: [{ id: 'hook', kind: 'webhook', url: `${hook.url}/hook` }, { id: 'broken', kind: 'webhook', url: `${broken.url}/hook` }],
      actions: { retrain: { url: `${jobs.url}/retrain`, cooldown: '1h', approval: true }, rollback: { cooldown: '1h', approval: true } },
    } as typeof c.alerting;
    config = c;
    s = await startServer({ config: c, clock: () => now });
    v1 = await startModelServer();
    v2 = await startModelServer({ answer: (f) => ({ ...defaultAnswer(f), model: 'v2' }) });
    await declareChurn(s.url, [{ version: '1.0.0', upstream: v1.url }, { version: '1.1.0', upstream: v2.url }], '1.0.0');
    checker = await answerChecker(url);
  });
  after(async () => {
    await s?.close();
    for (const x of [v1, v2]) await x?.close();
    for (const r of [hook, broken, jobs]) await r?.close();
  });

  test('/healthz', async () => {
    const h = await check('get', '/healthz', '/healthz');
    assert.equal(h['store'], store);
    refused('get', '/healthz', h, (a) => (a['store'] = 'sqlite'), 'an unknown store');
    refused('get', '/healthz', h, (a) => delete a['time'], 'time removed');
  });

  test('registry: versions (declared only, registered, with an artifact), aliases, deployments, rollback, kill switches, serving', async () => {
    const P = '/v1/models/{name}/versions/{version}';
    await check('get', '/v1/registry/limits', '/v1/registry/limits');
    // a version only declared (no registry data), one registered with an external reference without digest
    assert.equal((await call(url(), 'POST', '/v1/models/churn/versions', { version: '0.9.0' })).status, 201);
    const reg = await check('put', P, '/v1/models/churn/versions/2.0.0', 201, {
      lineage: { gitCommit: 'abc', metrics: { auc: 0.81 } }, tags: ['candidate', 'q4'], notes: 'bigger trees', artifact: { uri: 's3://models/churn/2.0.0.pkl' }, by: 'alice',
    });
    assert.equal((reg['version'] as { artifact: { sha256: unknown } }).artifact.sha256, null);
    const again = await check('put', P, '/v1/models/churn/versions/2.0.0', 200, {
      lineage: { gitCommit: 'abc', metrics: { auc: 0.81 } }, tags: ['candidate', 'q4'], notes: 'bigger trees', artifact: { uri: 's3://models/churn/2.0.0.pkl' }, by: 'alice',
    });
    assert.equal(again['created'], false);
    const patched = await check('patch', P, '/v1/models/churn/versions/2.0.0', 200, { notes: null, tags: ['q4'] });
    assert.equal((patched['version'] as { notes: unknown }).notes, null);
    // uploaded bytes: stored (201), the same again (200)
    const bytes = new TextEncoder().encode('model weights '.repeat(100));
    const A = `${P}/artifact`;
    const up = await check('put', A, '/v1/models/churn/versions/1.1.0/artifact', 201, bytes, { 'content-type': 'application/octet-stream' });
    assert.match((up['artifact'] as { uri: string }).uri, /^artifact:[0-9a-f]{64}$/);
    await check('put', A, '/v1/models/churn/versions/1.1.0/artifact', 200, bytes, { 'content-type': 'application/octet-stream' });
    const list = await check('get', '/v1/models/{name}/versions', '/v1/models/churn/versions');
    const byName = new Map((list['versions'] as Array<{ version: string; registered: boolean; notes?: string }>).map((v) => [v.version, v]));
    assert.equal(byName.get('0.9.0')?.registered, false);
    await check('get', '/v1/models/{name}/versions', '/v1/models/churn/versions?sort=created');
    const one = await check('get', P, '/v1/models/churn/versions/1.0.0');
    assert.deepEqual((one['version'] as { aliases: string[] }).aliases, ['production']);
    refused('get', P, one, (a) => delete (a['version'] as Record<string, unknown>)['registered'], 'registered removed');
    refused('get', '/v1/models/{name}/versions', list, (a) => ((a['versions'] as Array<Record<string, unknown>>)[0]!['artifact'] = 'none'), 'an artifact that is a string');
    refused('put', P, reg, (a) => ((a['version'] as Record<string, unknown>)['artifact'] = { uri: 'x', sha256: 'not hex', size: null }), 'a digest that is not hex', 201);

    // aliases, deployments, rollback
    await check('get', '/v1/models/{name}/aliases', '/v1/models/churn/aliases');
    const staging = await check('put', '/v1/models/{name}/aliases/{alias}', '/v1/models/churn/aliases/staging', 200, { version: '2.0.0', reason: 'try it' });
    assert.equal(staging['previous'], null);
    now += 1000;
    await check('put', '/v1/models/{name}/aliases/{alias}', '/v1/models/churn/aliases/production', 200, { version: '1.1.0', reason: 'release', expectFrom: '1.0.0' });
    now += 1000;
    const back = await check('post', '/v1/models/{name}/rollback', '/v1/models/churn/rollback', 200, { reason: 'worse' });
    assert.deepEqual(back, { alias: 'production', version: '1.0.0', previous: '1.1.0' });
    refused('post', '/v1/models/{name}/rollback', back, (a) => (a['previous'] = 3), 'a previous version that is a number');

    // kill switches: a version's, the model's; again (changed false)
    const VP = '/v1/models/{name}/versions/{version}/pause';
    const paused = await check('post', VP, '/v1/models/churn/versions/1.1.0/pause', 200, { reason: 'bad outputs' });
    assert.deepEqual(paused, { model: 'churn', version: '1.1.0', paused: true, changed: true });
    assert.equal((await check('post', VP, '/v1/models/churn/versions/1.1.0/pause', 200, {}))['changed'], false);
    await check('post', '/v1/models/{name}/versions/{version}/resume', '/v1/models/churn/versions/1.1.0/resume', 200, {});
    const model = await check('post', '/v1/models/{name}/pause', '/v1/models/churn/pause', 200, { by: 'bob' });
    assert.equal(model['version'], undefined);
    await check('post', '/v1/models/{name}/resume', '/v1/models/churn/resume', 200, {});
    refused('post', VP, paused, (a) => delete a['changed'], 'changed removed');
    const deps = await check('get', '/v1/models/{name}/deployments', '/v1/models/churn/deployments');
    const kinds = (deps['deployments'] as Array<{ kind: string }>).map((d) => d.kind);
    for (const k of ['set', 'rollback', 'pause', 'resume']) assert.ok(kinds.includes(k), `${k} in ${kinds.join(',')}`);
    await check('get', '/v1/models/{name}/deployments', `/v1/models/churn/deployments?from=${T0 + 500}&to=${T0 + 1500}`);
    refused('get', '/v1/models/{name}/deployments', deps, (a) => ((a['deployments'] as Array<Record<string, unknown>>)[0]!['kind'] = 'redeploy'), 'an unknown kind');

    // serving: the defaults, then a deadline, a route key and a fallback chain ending in a static answer
    const dflt = await check('get', '/v1/models/{name}/serving', '/v1/models/churn/serving');
    assert.deepEqual((dflt['serving'] as { policy: unknown }).policy, { kind: 'single' });
    await check('put', '/v1/models/{name}/serving', '/v1/models/churn/serving', 200, {
      timeoutMs: 500, deadlineMs: 2000, routeKey: 'user', fallback: [{ version: '1.1.0' }, { static: { prediction: 'no', score: 0.1 } }],
    });
    const served = await check('get', '/v1/models/{name}/serving', '/v1/models/churn/serving');
    refused('get', '/v1/models/{name}/serving', served, (a) => ((a['serving'] as { policy: Record<string, unknown> }).policy['kind'] = 'random'), 'an unknown policy');
    refused('get', '/v1/models/{name}/serving', served, (a) => ((a['serving'] as { fallback: unknown[] }).fallback = [{ static: {} }]), 'a static answer without prediction');
  });

  test('gateway: predictions (primary, fallback, static), the shadow report, the blue-green switch', async () => {
    const PR = '/v1/models/{name}/predict';
    const p = await check('post', PR, '/v1/models/churn/predict', 200, { features: { x: 2, user: 'u1' } });
    assert.equal(p['version'], '1.0.0');
    assert.equal(p['fallback'], undefined);
    // the production version paused: the fallback version answers, then (model paused) the static answer
    assert.equal((await call(url(), 'POST', '/v1/models/churn/versions/1.0.0/pause', {})).status, 200);
    const fb = await check('post', PR, '/v1/models/churn/predict', 200, { features: { x: -1 } });
    assert.equal(fb['version'], '1.1.0');
    assert.equal(typeof fb['fallback'], 'string');
    assert.equal((await call(url(), 'POST', '/v1/models/churn/pause', {})).status, 200);
    const st = await check('post', PR, '/v1/models/churn/predict', 200, { features: { x: 1 }, id: 'req-1' });
    assert.equal(st['prediction'], 'no');
    for (const path of ['/v1/models/churn/resume', '/v1/models/churn/versions/1.0.0/resume']) assert.equal((await call(url(), 'POST', path, {})).status, 200);
    refused('post', PR, p, (a) => delete a['id'], 'id removed');
    refused('post', PR, p, (a) => (a['prediction'] = null), 'a null prediction');

    // shadow: without a candidate (pairs null), then mirrored to 1.1.0
    const SH = '/v1/models/{name}/shadow';
    const none = await check('get', SH, '/v1/models/churn/shadow');
    assert.equal(none['pairs'], null);
    assert.equal((await call(url(), 'PUT', '/v1/models/churn/serving', { policy: { kind: 'shadow', candidate: '1.1.0' } })).status, 200);
    for (let i = 0; i < 12; i++) await check('post', PR, '/v1/models/churn/predict', 200, { features: { x: i - 6 } });
    await new Promise((r) => setTimeout(r, 200)); // mirrored calls are answered after the primary's
    const shadow = await check('get', SH, '/v1/models/churn/shadow');
    assert.ok(((shadow['pairs'] as { n: number }).n) > 0, JSON.stringify(shadow));
    await check('get', SH, '/v1/models/churn/shadow?candidate=2.0.0');
    refused('get', SH, shadow, (a) => ((a['predictionDrift'] as Record<string, unknown>)['method'] = 'ks'), 'another drift method');
    refused('get', SH, shadow, (a) => delete ((a['arms'] as Record<string, Record<string, unknown>>)['primary']!)['n'], 'an arm\'s n removed');

    // blue-green: 1.1.0 standing by, switched to
    assert.equal((await call(url(), 'PUT', '/v1/models/churn/serving', { policy: { kind: 'blue-green', standby: '1.1.0' } })).status, 200);
    const sw = await check('post', '/v1/models/{name}/switch', '/v1/models/churn/switch', 200, { reason: 'release' });
    assert.deepEqual(sw, { alias: 'production', version: '1.1.0', previous: '1.0.0' });
    await check('post', '/v1/models/{name}/switch', '/v1/models/churn/switch', 200, { reason: 'back' });
    assert.equal((await call(url(), 'PUT', '/v1/models/churn/serving', { policy: { kind: 'single' } })).status, 200);
  });

  test('compare and promote: on given outputs, on rows scored through the upstreams, forced', async () => {
    const labels = ['yes', 'no', 'yes', 'yes', 'no', 'no', 'yes', 'no'];
    const testSet = {
      labels, positiveLabel: 'yes',
      current: { predictions: ['yes', 'yes', 'no', 'yes', 'no', 'yes', 'yes', 'no'], scores: [0.9, 0.6, 0.4, 0.8, 0.2, 0.7, 0.6, 0.3] },
      candidate: { predictions: labels, scores: [0.9, 0.2, 0.8, 0.7, 0.1, 0.3, 0.9, 0.2] },
    };
    const C = '/v1/models/{name}/compare';
    const cmp = await check('post', C, '/v1/models/churn/compare', 200, { current: '1.0.0', candidate: '1.1.0', testSet, seed: 7, resamples: 200 });
    assert.equal((cmp['gate'] as { pass: boolean }).pass, true);
    const rows = Array.from({ length: 20 }, (_, i) => ({ features: { x: (i - 10) / 2 }, label: i >= 10 ? 'yes' : 'no' }));
    await check('post', C, '/v1/models/churn/compare', 200, { current: '1.0.0', candidate: '1.1.0', testSet: { rows }, gate: { metric: 'accuracy', minImprovement: -1 }, resamples: 0 });
    refused('post', C, cmp, (a) => ((a['comparison'] as Record<string, unknown>)['task'] = 'ranking'), 'an unknown task');
    refused('post', C, cmp, (a) => ((a['gate'] as Record<string, unknown>)['improvementCi'] = [1]), 'an interval of one bound');
    const PM = '/v1/models/{name}/promote';
    const pm = await check('post', PM, '/v1/models/churn/promote', 200, { version: '1.1.0', testSet, seed: 7, resamples: 200, reason: 'better' });
    assert.equal(pm['version'], '1.1.0');
    assert.notEqual(pm['comparison'], null);
    const forced = await check('post', PM, '/v1/models/churn/promote', 200, { version: '1.0.0', force: true, reason: 'back' });
    assert.equal(forced['comparison'], null);
    refused('post', PM, pm, (a) => delete a['comparison'], 'comparison removed');
  });

  test('rollouts: none yet, started, paused, resumed, ticked, aborted, paged', async () => {
    const R = '/v1/models/{name}/rollout';
    // a model without any rollout: null
    assert.equal((await call(url(), 'POST', '/v1/models', { name: 'quiet', outputKind: 'regression', inputSchema: { type: 'object' } })).status, 201);
    assert.equal((await check('get', R, '/v1/models/quiet/rollout'))['rollout'], null);
    const started = await check('post', R, '/v1/models/churn/rollout', 201, { candidate: '1.1.0', steps: [10, 100], stepDurationMs: 60_000, stickyKey: 'user', reason: 'audit' });
    assert.equal((started['rollout'] as { state: string }).state, 'running');
    const pz = await check('post', `${R}/pause`, '/v1/models/churn/rollout/pause', 200, {});
    assert.equal(pz['changed'], true);
    assert.equal((await check('post', `${R}/pause`, '/v1/models/churn/rollout/pause', 200, {}))['changed'], false);
    await check('post', `${R}/resume`, '/v1/models/churn/rollout/resume', 200, {});
    for (let i = 0; i < 30; i++) assert.equal((await call(url(), 'POST', '/v1/models/churn/predict', { features: { x: i / 10, user: `u${i}` } })).status, 200);
    now += 61_000;
    const tick = await check('post', '/v1/rollouts/tick', '/v1/rollouts/tick', 200, {});
    assert.equal(tick['ok'], true);
    const cur = await check('get', R, '/v1/models/churn/rollout');
    const aborted = await check('post', `${R}/abort`, '/v1/models/churn/rollout/abort', 200, { reason: 'enough' });
    assert.equal((aborted['rollout'] as { state: string }).state, 'rolled_back');
    now += 1000;
    await check('post', R, '/v1/models/churn/rollout', 201, { candidate: '1.1.0', policy: 'shadow', reason: 'second' });
    await check('post', `${R}/abort`, '/v1/models/churn/rollout/abort', 200, { reason: 'done' });
    const RS = '/v1/models/{name}/rollouts';
    const page = await check('get', RS, '/v1/models/churn/rollouts?limit=1');
    assert.equal(typeof page['next'], 'string');
    const last = await check('get', RS, `/v1/models/churn/rollouts?limit=1&before=${String(page['next'])}`);
    assert.equal(last['next'], null);
    await check('get', RS, '/v1/models/quiet/rollouts');
    refused('get', R, cur, (a) => ((a['rollout'] as Record<string, unknown>)['state'] = 'cancelled'), 'an unknown state');
    refused('get', R, cur, (a) => delete (a['rollout'] as Record<string, unknown>)['analyses'], 'analyses removed');
    refused('get', RS, page, (a) => ((a['rollouts'] as Array<Record<string, unknown>>)[0]!['stepReached'] = 0), 'a step reached of 0');
    refused('post', '/v1/rollouts/tick', tick, (a) => ((a['errors'] as unknown[]) = [{ model: 'churn' }]), 'an error without its message');
  });

  test('SLOs, monitor runs and statistics, notifications (sent and failed), actions approved and rejected', async () => {
    // a second server (churn 1.0.0 without upstreams, alerts to the same receivers): an hour of events, most of them
    // failed; monitors whose levels run retrain and rollback actions waiting for approval fire
    const s2 = await startServer({ config: { ...config, dataDir: tempDir('lookout-oapi2-actions-'), ...(store === 'postgres' && { storage: pgSchemas.url('actions') }) }, clock: () => now });
    const main = s;
    s = s2;
    try {
    await declareChurn(url(), [{ version: '1.0.0' }], '1.0.0');
    const SL = '/v1/slos';
    assert.deepEqual((await check('get', SL, '/v1/slos'))['slos'], []);
    const slo = await check('post', SL, '/v1/slos', 201, { id: 'churn-avail', model: 'churn', name: 'availability', kind: 'availability', objective: 0.99, windowDays: 7 });
    await check('post', SL, '/v1/slos', 200, { id: 'churn-avail', model: 'churn', name: 'availability', kind: 'availability', objective: 0.995, windowDays: 7, minEvents: 5 });
    await check('post', SL, '/v1/slos', 201, { id: 'churn-fast', model: 'churn', kind: 'latency', latencyMs: 250, objective: 0.9, windowDays: 28, version: '1.0.0', labels: { team: 'ml' } });
    refused('post', SL, slo, (a) => ((a['slo'] as Record<string, unknown>)['kind'] = 'freshness'), 'an unknown kind', 201);

    now = T0 + 3 * HOUR;
    const base = now;
    const events = Array.from({ length: 60 }, (_, i) => ({
      id: `e-${i}`, model: 'churn', version: '1.0.0', timestamp: base + i * 60_000, features: { x: 1 }, latencyMs: 100 + i * 5,
      ...(i % 3 === 0 ? { prediction: 'yes', score: 0.7 } : { error: 'upstream timeout' }),
    }));
    const ev = await call(url(), 'POST', '/v1/events', { events });
    assert.equal(ev.body['accepted'], 60, JSON.stringify(ev.body).slice(0, 500));
    for (const [id, severity, action] of [['churn-errors', 'page', 'retrain'], ['churn-errors-critical', 'critical', 'rollback']] as const) {
      const m = await call(url(), 'POST', '/v1/monitors', { id, model: 'churn', metric: 'errorRate', window: '1h', minSamples: 10, levels: [{ severity, threshold: 0.2, action }] });
      assert.equal(m.status, 201, JSON.stringify(m.body));
    }
    now = base + HOUR + 60_000;
    const run = await check('post', '/v1/monitors/run', '/v1/monitors/run', 200, {});
    assert.ok((run['tick'] as { evaluated: number }).evaluated > 0, JSON.stringify(run));
    refused('post', '/v1/monitors/run', run, (a) => ((a['tick'] as Record<string, unknown>)['evaluated'] = -1), 'a negative count');

    const slos = await check('get', SL, '/v1/slos');
    assert.equal((slos['slos'] as unknown[]).length, 2);
    await check('get', SL, '/v1/slos?model=churn');
    refused('get', SL, slos, (a) => delete (a['slos'] as Array<Record<string, unknown>>)[0]!['problem'], 'problem removed');
    refused('get', SL, slos, (a) => (((a['slos'] as Array<Record<string, unknown>>)[0]!['burnRates'] as Record<string, unknown>)['2w'] = 1), 'an unknown burn window');
    const del = await check('delete', '/v1/slos/{id}', '/v1/slos/churn-fast');
    assert.equal((del['slo'] as { id: string }).id, 'churn-fast');

    const stats = await check('get', '/v1/monitors/stats', '/v1/monitors/stats');
    assert.ok((stats['monitors'] as Array<{ alerts: number }>).some((m) => m.alerts > 0), JSON.stringify(stats));
    await check('get', '/v1/monitors/stats', `/v1/monitors/stats?model=churn&from=${T0 - 1000 * HOUR}&to=${T0 - 999 * HOUR}`);
    refused('get', '/v1/monitors/stats', stats, (a) => delete (a['monitors'] as Array<Record<string, unknown>>)[0]!['falsePositiveRate'], 'falsePositiveRate removed');

    const notes = await check('get', '/v1/notifications', '/v1/notifications');
    const statuses = (notes['notifications'] as Array<{ status: string; error?: string }>).map((n) => n.status);
    assert.ok(statuses.includes('sent') && statuses.includes('failed'), statuses.join(','));
    assert.ok(hook.received.length > 0);
    await check('get', '/v1/notifications', `/v1/notifications?from=${T0 - 2 * HOUR}&to=${T0 - HOUR}`);
    refused('get', '/v1/notifications', notes, (a) => ((a['notifications'] as Array<Record<string, unknown>>)[0]!['status'] = 'queued'), 'an unknown status');

    const actions = await check('get', '/v1/actions', '/v1/actions?model=churn');
    const waiting = actions['actions'] as Array<{ id: string; kind: string; state: string }>;
    assert.deepEqual(waiting.map((a) => [a.kind, a.state]).sort(), [['retrain', 'pending_approval'], ['rollback', 'pending_approval']], JSON.stringify((await call(url(), 'GET', '/v1/monitors')).body).slice(0, 3000));
    const retrain = waiting.find((a) => a.kind === 'retrain')!;
    const rollback = waiting.find((a) => a.kind === 'rollback')!;
    const ok = await check('post', '/v1/actions/{id}/approve', `/v1/actions/${retrain.id}/approve`, 200, { by: 'alice' });
    assert.notEqual((ok['action'] as { state: string }).state, 'pending_approval');
    const no = await check('post', '/v1/actions/{id}/reject', `/v1/actions/${rollback.id}/reject`, 200, { by: 'alice' });
    assert.equal((no['action'] as { state: string }).state, 'rejected');
    await check('get', '/v1/actions', '/v1/actions');
    refused('get', '/v1/actions', actions, (a) => ((a['actions'] as Array<Record<string, unknown>>)[0]!['state'] = 'paused'), 'an unknown state');
    refused('post', '/v1/actions/{id}/reject', no, (a) => delete (a['action'] as Record<string, unknown>)['alertId'], 'alertId removed');
    } finally {
      s = main;
      await s2.close();
    }
  });

  test('snapshots: made, made again keeping one, listed, deleted (204); on PostgreSQL refused (409), none listed', async () => {
    const SN = '/v1/admin/snapshots';
    if (store === 'postgres') {
      const no = await check('post', SN, SN, 409);
      assert.match(String((no['error'] as { message: string }).message), /pg_dump/, JSON.stringify(no));
      assert.deepEqual((await check('get', SN, SN))['snapshots'], []);
      await check('delete', `${SN}/{name}`, `${SN}/20261206T055012Z-3f9a1c`, 404);
      return;
    }
    const first = await check('post', SN, SN, 201);
    now += 2000;
    const second = await check('post', SN, `${SN}?keep=1`, 201);
    assert.deepEqual(second['removed'], [first['name']]);
    const list = await check('get', SN, SN);
    assert.equal((list['snapshots'] as unknown[]).length, 1);
    await check('delete', `${SN}/{name}`, `${SN}/${String(second['name'])}`, 204);
    assert.deepEqual((await check('get', SN, SN))['snapshots'], []);
    refused('post', SN, second, (a) => (a['removed'] = 'all'), 'removed that is not a list', 201);
    refused('get', SN, list, (a) => delete (a['snapshots'] as Array<Record<string, unknown>>)[0]!['bytes'], 'bytes removed');
  });

  test('every operation declares its success answer (or is an explained exception), and each of this file\'s was checked on real answers', () => {
    const undescribed: string[] = [];
    for (const [path, ops] of Object.entries(checker.doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const ok = Object.keys(op.responses).filter((k) => k !== 'default');
        const key = `${method} ${path}`;
        if (key in EXCEPTIONS) assert.deepEqual(ok, ['2XX'], `${key} is an exception but declares ${ok.join(',')}: remove it from EXCEPTIONS`);
        else if (ok.includes('2XX') || ok.length === 0) undescribed.push(key);
      }
    }
    assert.deepEqual(undescribed, [], 'operations answering an undescribed 2XX: declare their answer (config.answer, src/http/answers/) or add them to EXCEPTIONS with the reason');
    for (const key of Object.keys(EXCEPTIONS)) assert.ok(checker.doc.paths[key.split(' ')[1]!]?.[key.split(' ')[0]!], `exception ${key} is no operation any more`);
    const mine = checker.described().filter((d) => ANSWERS2_OPS.some((op) => d.startsWith(`${op} `)));
    assert.deepEqual(mine.filter((d) => !checker.validated.has(d) && !(store === 'postgres' && d in NOT_ON_POSTGRES)), [], 'described answers never validated');
    for (const op of ANSWERS2_OPS) assert.ok(mine.some((d) => d.startsWith(`${op} `)), `${op} has no described answer`);
  });
});
}
