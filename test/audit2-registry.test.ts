import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { checkRolloutSpec, type Rollout } from '../src/rollout/spec.js';
import type { Server } from '../src/server.js';
import { openStore } from '../src/storage/open.js';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { CHURN_SCHEMA, churnRegistryServer, declareChurn } from './helpers/registry.js';
import { call, testServer } from './helpers/server.js';
import { startModelServer, type ModelServer } from './helpers/upstream.js';

const T0 = Date.UTC(2026, 2, 2, 9);

/** Second audit of the registry, gateway and rollouts: each defect a user hit, with its regression test. */
describe('audit 2: one rollout the controller cannot evaluate', { timeout: 60_000 }, () => {
  let server: Server;
  let url: string;
  let model: ModelServer;
  let now = T0;
  const broken: Rollout = {
    ...checkRolloutSpec({ candidate: '2.0.0', steps: [10, 100], stepDurationMs: 0 }), id: 'ro-broken', model: 'fraud', alias: 'production',
    primary: '1.0.0', step: 0, weight: 10, state: 'running', stepStartedAt: T0, createdAt: T0, updatedAt: T0, by: 'ops', reason: 'old rollout',
    promotedAt: null, endedAt: null, endReason: null, analyses: [],
  };
  before(async () => {
    // a running rollout of "fraud" whose primary is not (any more) in the registry: rolling it back throws unknown_version
    const dataDir = tempDir('lookout-audit2-');
    const store = await openStore(`duckdb:${join(dataDir, 'lookout.duckdb')}`);
    await store.init();
    await store.registry().init();
    await store.registry().putRollout({ id: broken.id, model: broken.model, state: broken.state, createdAt: T0, updatedAt: T0, data: { ...broken } as unknown as Record<string, unknown> });
    await store.close();
    server = await testServer({ clock: () => now, configure: (c) => { c.dataDir = dataDir; c.registry = { tickMs: 0, refreshMs: 0 }; } });
    url = server.url;
    model = await startModelServer();
    await declareChurn(url, [{ version: '1.0.0', upstream: model.url }, { version: '1.1.0', upstream: model.url }], '1.0.0');
    const fraud = await call(url, 'POST', '/v1/models', { name: 'fraud', outputKind: 'binary', inputSchema: CHURN_SCHEMA, classes: ['no', 'yes'] });
    assert.equal(fraud.status, 201, JSON.stringify(fraud.body));
  });
  after(async () => {
    await server.close();
    await model.close();
  });

  test('audit 2: a rollout whose evaluation throws no longer stalls every other model\'s rollout; its error is shown on the rollout', async () => {
    // no traffic at all and no time to wait for it: the first evaluation rolls churn's rollout back
    const started = await call(url, 'POST', '/v1/models/churn/rollout', { candidate: '1.1.0', stepDurationMs: 0, reason: 'ship 1.1.0' });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    now += 1000;
    const tick = await call(url, 'POST', '/v1/rollouts/tick', {});
    assert.equal(tick.status, 200, JSON.stringify(tick.body));
    assert.equal(tick.body.ok, false);
    const errors = tick.body.errors as Array<{ model: string; rollout: string; message: string }>;
    assert.deepStrictEqual(errors.map((e) => [e.model, e.rollout]), [['fraud', 'ro-broken']]);
    assert.match(errors[0]?.message ?? '', /has no version "1\.0\.0"/);
    const churn = (await call(url, 'GET', '/v1/models/churn/rollout')).body.rollout as Rollout;
    assert.equal(churn.state, 'rolled_back', 'the other model\'s rollout was evaluated');
    assert.match(String(churn.endReason), /not enough traffic/);
    const fraud = (await call(url, 'GET', '/v1/models/fraud/rollout')).body.rollout as Rollout;
    assert.equal(fraud.state, 'running');
    assert.deepStrictEqual(fraud.analyses, [], 'a failed evaluation leaves the rollout as it was');
    assert.equal(fraud.lastError?.at, now);
    assert.match(String(fraud.lastError?.message), /has no version "1\.0\.0"/);
    // and `lookout rollout status` says so (it printed only "running at 0%", as if the rollout were merely slow)
    const st = await lookoutAsync(['rollout', 'status', 'fraud', '--url', url]);
    assert.equal(st.code, 0, st.stderr);
    assert.match(st.stdout, /: running at \d+% \(step 1 of \d+\)\nits evaluation is failing \(last at \d{4}-[\d-]+T[\d:.]+Z\): .*has no version "1\.0\.0"/);
    // the next round fails again the same way, without piling up analyses
    now += 1000;
    assert.equal((await call(url, 'POST', '/v1/rollouts/tick', {})).status, 200);
    const again = (await call(url, 'GET', '/v1/models/fraud/rollout')).body.rollout as Rollout;
    assert.deepStrictEqual([again.analyses.length, again.lastError?.at], [0, now]);
    // once the primary is registered the rollback goes through and the error is cleared
    assert.equal((await call(url, 'PUT', '/v1/models/fraud/versions/1.0.0', {})).status, 201);
    now += 1000;
    assert.deepStrictEqual((await call(url, 'POST', '/v1/rollouts/tick', {})).body, { ok: true, errors: [] });
    const ended = (await call(url, 'GET', '/v1/models/fraud/rollout')).body.rollout as Rollout;
    // its alias does not point to its primary (unset): ended without an analysis since audit 23, which ends a rollout
    // whose alias was moved off its primary at the next tick (before, an analysis of no traffic rolled it back)
    assert.deepStrictEqual([ended.state, ended.lastError, ended.analyses.length], ['rolled_back', undefined, 0]);
    assert.match(String(ended.endReason), /"production" was moved off 1\.0\.0 during the rollout \(now unset\)/);
  });

  test('audit 2: pausing a paused rollout (or resuming a running one) is a 200 that changes nothing, not a 409 "no running rollout"', async () => {
    assert.equal((await call(url, 'POST', '/v1/models/churn/rollout', { candidate: '1.1.0', reason: 'ship 1.1.0 again' })).status, 201);
    const act = async (verb: string): Promise<{ rollout: Rollout; changed: boolean }> => {
      const r = await call(url, 'POST', `/v1/models/churn/rollout/${verb}`, { reason: 'r' });
      assert.equal(r.status, 200, `${verb}: ${JSON.stringify(r.body)}`);
      return r.body as unknown as { rollout: Rollout; changed: boolean };
    };
    const paused = await act('pause');
    assert.deepStrictEqual([paused.rollout.state, paused.changed], ['paused', true]);
    now += 1000;
    const again = await act('pause');
    assert.deepStrictEqual([again.rollout.state, again.changed, again.rollout.updatedAt], ['paused', false, paused.rollout.updatedAt]);
    assert.deepStrictEqual([(await act('resume')).changed, (await act('resume')).changed], [true, false]);
    assert.equal((await act('abort')).rollout.state, 'rolled_back');
    // with no rollout left to pause, it still is a 409
    assert.equal((await call(url, 'POST', '/v1/models/churn/rollout/pause', {})).status, 409);
  });

  test('audit 2: two rollouts of one model started at once: one is refused (both were started, the first one lost)', async () => {
    assert.equal((await call(url, 'PUT', '/v1/models/churn/versions/1.2.0', { upstream: model.url })).status, 201);
    const starts = await Promise.all(['1.1.0', '1.2.0'].map((candidate) => call(url, 'POST', '/v1/models/churn/rollout', { candidate, reason: `ship ${candidate}` })));
    assert.deepStrictEqual(starts.map((r) => r.status).sort(), [201, 409], JSON.stringify(starts.map((r) => r.body)));
    const winner = (starts.find((r) => r.status === 201)?.body.rollout as Rollout).candidate;
    const aliases = (await call(url, 'GET', '/v1/models/churn/aliases')).body.aliases as Record<string, string>;
    assert.equal(aliases['canary'], winner);
    assert.equal(((await call(url, 'GET', '/v1/models/churn/rollout')).body.rollout as Rollout).candidate, winner);
    assert.equal((await call(url, 'POST', '/v1/models/churn/rollout/abort', { reason: 'done' })).status, 200);
  });
});

describe('audit 2: registry API', { timeout: 60_000 }, () => {
  let server: Server;
  let url: string;
  before(async () => {
    server = await churnRegistryServer();
    url = server.url;
  });
  after(async () => {
    await server.close();
  });

  const upload = async (version: string, bytes: Buffer): Promise<number> => {
    const r = await fetch(`${url}/v1/models/churn/versions/${version}/artifact`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: bytes });
    await r.arrayBuffer();
    return r.status;
  };
  const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

  test('audit 2: an artifact upload refused with 409 leaves no file in the artifact store; a file another version uses is kept', async () => {
    const dir = join(server.deps.dataDir, 'artifacts');
    const first = Buffer.from('model 5.0.0, first build');
    const second = Buffer.from('model 5.0.0, second build');
    assert.equal((await call(url, 'PUT', '/v1/models/churn/versions/5.0.0', {})).status, 201);
    assert.equal(await upload('5.0.0', first), 201);
    assert.equal(await upload('5.0.0', second), 409);
    assert.equal(existsSync(join(dir, sha(second))), false, 'the refused bytes were left in the artifact store');
    // a version referencing an artifact kept elsewhere: an upload is refused, and nothing is stored
    assert.equal((await call(url, 'PUT', '/v1/models/churn/versions/5.1.0', { artifact: { uri: 's3://models/churn/5.1.0.tar.gz' } })).status, 201);
    assert.equal(await upload('5.1.0', second), 409);
    assert.deepStrictEqual(readdirSync(dir), [sha(first)]);
    // bytes another version owns stay when an upload of them is refused
    assert.equal((await call(url, 'PUT', '/v1/models/churn/versions/5.2.0', {})).status, 201);
    assert.equal(await upload('5.2.0', second), 201);
    assert.equal(await upload('5.0.0', second), 409);
    assert.deepStrictEqual(readdirSync(dir).sort(), [sha(first), sha(second)].sort());
    const got = await fetch(`${url}/v1/artifacts/${sha(second)}`);
    assert.deepStrictEqual(Buffer.from(await got.arrayBuffer()), second);
    // two different uploads to one version at once: one wins, the loser's bytes are not kept
    assert.equal((await call(url, 'PUT', '/v1/models/churn/versions/5.3.0', {})).status, 201);
    const racing = [Buffer.alloc(2_000_000, 1), Buffer.alloc(2_000_000, 2)];
    const statuses = await Promise.all(racing.map((b) => upload('5.3.0', b)));
    assert.deepStrictEqual([...statuses].sort(), [201, 409]);
    const kept = (await call(url, 'GET', '/v1/models/churn/versions/5.3.0')).body.version as { artifact: { sha256: string } };
    assert.deepStrictEqual(readdirSync(dir).sort(), [sha(first), sha(second), kept.artifact.sha256].sort());
  });

  test('audit 2: pausing what is already paused (or resuming what is not) writes no second deployment record and says nothing changed', async () => {
    const history = async (): Promise<string[]> => ((await call(url, 'GET', '/v1/models/churn/deployments')).body.deployments as Array<{ kind: string; to: string }>)
      .filter((d) => d.kind === 'pause' || d.kind === 'resume').map((d) => `${d.kind} ${d.to}`);
    const post = async (path: string, body: Record<string, unknown> = {}): Promise<Record<string, unknown>> => {
      const r = await call(url, 'POST', `/v1/models/churn${path}`, body);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body;
    };
    assert.deepStrictEqual(await post('/pause', { reason: 'incident 7' }), { model: 'churn', paused: true, changed: true });
    assert.deepStrictEqual(await post('/pause', { reason: 'incident 7' }), { model: 'churn', paused: true, changed: false });
    assert.deepStrictEqual(await post('/resume'), { model: 'churn', paused: false, changed: true });
    assert.deepStrictEqual(await post('/resume'), { model: 'churn', paused: false, changed: false });
    assert.deepStrictEqual(await post('/versions/1.1.0/pause'), { model: 'churn', version: '1.1.0', paused: true, changed: true });
    assert.deepStrictEqual(await post('/versions/1.1.0/pause'), { model: 'churn', version: '1.1.0', paused: true, changed: false });
    assert.deepStrictEqual(await post('/versions/1.1.0/resume'), { model: 'churn', version: '1.1.0', paused: false, changed: true });
    assert.deepStrictEqual(await post('/versions/1.1.0/resume'), { model: 'churn', version: '1.1.0', paused: false, changed: false });
    assert.deepStrictEqual(await history(), ['pause *', 'resume *', 'pause 1.1.0', 'resume 1.1.0']);
    // at once: one of them pauses, the others find it paused
    const together = await Promise.all([1, 2, 3].map(() => post('/pause', { reason: 'incident 8' })));
    assert.deepStrictEqual(together.map((b) => b.changed).sort(), [false, false, true]);
    assert.deepStrictEqual((await history()).slice(4), ['pause *']);
    await post('/resume');
  });

  test('audit 2: setting an alias to the version it already points to (or promoting that version) writes no deployment record', async () => {
    const count = async (): Promise<number> => ((await call(url, 'GET', '/v1/models/churn/deployments')).body.deployments as unknown[]).length;
    const before = await count();
    const same = await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '1.0.0', reason: 'again' });
    assert.equal(same.status, 200, JSON.stringify(same.body));
    assert.deepStrictEqual(same.body, { alias: 'production', version: '1.0.0', previous: '1.0.0' });
    const promoted = await call(url, 'POST', '/v1/models/churn/promote', { version: '1.0.0', reason: 'again' });
    assert.equal(promoted.status, 200, JSON.stringify(promoted.body));
    assert.equal(promoted.body.previous, '1.0.0');
    assert.equal(await count(), before, 'no record of a change that did not happen');
    // a real move is still recorded, and rollback still goes back to 1.0.0
    assert.equal((await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '1.1.0', reason: 'move' })).status, 200);
    assert.equal(await count(), before + 1);
    assert.equal((await call(url, 'POST', '/v1/models/churn/rollback', { reason: 'back' })).body.version, '1.0.0');
  });
});
