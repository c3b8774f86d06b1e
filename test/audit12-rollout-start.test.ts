/**
 * Audit 12: a blue-green rollout's start interrupted between its two writes (the switch of the alias and the rollout's
 * record). The switch used to come first: a start whose switch committed but whose record was never saved (kill -9, a
 * lost COMMIT answer) left production on the candidate with no rollout at all, so nothing watched its bake period and
 * no abort could roll it back. PostgreSQL through a proxy that loses the answer to one COMMIT, as in audit11-races.
 */
import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers/cli.js';
import { pgProxy, type PgProxy } from './helpers/pg-proxy.js';
import { testSchemas } from './helpers/pg-schemas.js';
import { many, predict } from './helpers/predict.js';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { declareChurn } from './helpers/registry.js';
import { call, testServer } from './helpers/server.js';
import { startModelServer } from './helpers/upstream.js';

const pgUrl = process.env['LOOKOUT_TEST_PG_URL'];
const schemas = testSchemas('lookout_a12start', pgUrl);

interface RolloutView { id: string; state: string; policy: string; weight: number; promotedAt: number | null; endReason: string | null }
interface Deployment { alias: string; kind: string; from: string | null; to: string }

const rolloutOf = async (url: string): Promise<RolloutView | null> => (await call(url, 'GET', '/v1/models/churn/rollout')).body['rollout'] as RolloutView | null;
const production = async (url: string): Promise<string | undefined> => ((await call(url, 'GET', '/v1/models/churn/aliases')).body['aliases'] as Record<string, string>)['production'];
const history = async (url: string): Promise<string> => ((await call(url, 'GET', '/v1/models/churn/deployments')).body['deployments'] as Deployment[])
  .map((d) => `${d.alias} ${d.kind} ${d.from}->${d.to}`).join(', ');
const BLUE_GREEN = { candidate: '1.1.0', policy: 'blue-green', reason: 'audit12', bakeMs: 3_600_000, slo: { minSamples: 100_000 } };

describe('audit12: a blue-green rollout start interrupted between the switch and its record (PostgreSQL)', { skip: pgUrl ? false : 'LOOKOUT_TEST_PG_URL not set: the PostgreSQL tests are skipped', timeout: 120_000 }, () => {
  interface Fixture { srv: RunningServer; proxy: PgProxy; schema: string; config: string }
  let fixtures = 0;

  /** churn 1.0.0 in production, 1.1.0 declared, both on loopback model servers; the server talks to PostgreSQL through the proxy. */
  async function fixture(t: TestContext): Promise<Fixture> {
    const proxy = await pgProxy(pgUrl as string);
    const schema = schemas.name(String(++fixtures));
    const dir = tempDir('lookout-a12start-');
    const config = join(dir, 'lookout.yaml');
    writeFileSync(config, `dataDir: ${join(dir, 'data')}\nserver: { port: 0 }\nregistry: { tickMs: 0, refreshMs: 0 }\n`);
    const v1 = await startModelServer();
    const v2 = await startModelServer();
    const f: Fixture = { srv: await spawnServe(['--config', config, '--store', proxy.url(schema)]), proxy, schema, config };
    t.after(async () => {
      await f.srv.stop('SIGKILL');
      proxy.close();
      await v1.close();
      await v2.close();
    });
    await declareChurn(f.srv.url, [{ version: '1.0.0', upstream: v1.url }, { version: '1.1.0', upstream: v2.url }], '1.0.0');
    return f;
  }

  /** Starts the blue-green rollout with the answer to the COMMIT of the first write matching `writes` lost, then kills the server and starts it again on PostgreSQL directly. */
  async function interruptedStart(f: Fixture, writes: RegExp): Promise<string> {
    const cut = f.proxy.cutAfterCommit(5_000, writes);
    const pending = call(f.srv.url, 'POST', '/v1/models/churn/rollout', BLUE_GREEN).catch((e: unknown) => e);
    await cut;
    await f.srv.stop('SIGKILL');
    await pending;
    f.srv = await spawnServe(['--config', f.config, '--store', `${pgUrl as string}?schema=${f.schema}`]);
    return f.srv.url;
  }

  test('the switch committed, its answer lost, the server killed: after the restart the rollout is promoted and in its bake period (an abort rolls production back)', async (t) => {
    const f = await fixture(t);
    const url = await interruptedStart(f, /INSERT INTO \S+\.registry_deployments/);
    assert.equal(await production(url), '1.1.0', 'the switch committed before the kill');
    const tick = await call(url, 'POST', '/v1/rollouts/tick', {});
    assert.equal(tick.status, 200, JSON.stringify(tick.body));
    const r = await rolloutOf(url);
    assert.ok(r !== null, `no rollout: production on 1.1.0 with nothing watching it; history: ${await history(url)}`);
    assert.deepStrictEqual({ state: r.state, policy: r.policy, weight: r.weight }, { state: 'promoted', policy: 'blue-green', weight: 100 });
    assert.ok(r.promotedAt !== null);
    // watched: its bake period is on, so an abort rolls the switch back
    const abort = await call(url, 'POST', '/v1/models/churn/rollout/abort', { reason: 'bad build' });
    assert.equal(abort.status, 200, JSON.stringify(abort.body));
    assert.equal(await production(url), '1.0.0');
    assert.equal((await rolloutOf(url))?.state, 'rolled_back');
    assert.equal((await history(url)).split('promote').length - 1, 1, 'the switch is recorded once');
  });

  test('the record committed, its answer lost before the switch, the server killed: after the restart the rollout is ended, production stayed on the primary, a new start is accepted', async (t) => {
    const f = await fixture(t);
    const url = await interruptedStart(f, /INSERT INTO \S+\.registry_rollouts/);
    assert.equal(await production(url), '1.0.0', 'nothing switched');
    const tick = await call(url, 'POST', '/v1/rollouts/tick', {});
    assert.equal(tick.status, 200, JSON.stringify(tick.body));
    const r = await rolloutOf(url);
    assert.ok(r !== null);
    assert.equal(r.state, 'rolled_back', JSON.stringify(r));
    assert.match(r.endReason ?? '', /interrupted before its blue-green switch/);
    assert.equal(await production(url), '1.0.0');
    const again = await call(url, 'POST', '/v1/models/churn/rollout', BLUE_GREEN);
    assert.equal(again.status, 201, JSON.stringify(again.body));
    assert.equal(await production(url), '1.1.0');
    await many(20, 4, (i) => predict(url, { x: i / 20, user: `u${i}` }));
  });

  test('the switch committed, its answer lost, the server still running: the start answers an error, and the next tick finds the switch and watches the promoted candidate', async (t) => {
    const f = await fixture(t);
    const cut = f.proxy.cutAfterCommit(1_000, /INSERT INTO \S+\.registry_deployments/);
    const start = call(f.srv.url, 'POST', '/v1/models/churn/rollout', BLUE_GREEN);
    await cut;
    const s = await start;
    assert.ok(s.status >= 500, `${s.status} ${JSON.stringify(s.body)}`);
    // the store answers again
    for (let i = 0; i < 50 && (await call(f.srv.url, 'GET', '/v1/models/churn/aliases')).status !== 200; i++) await new Promise((r) => setTimeout(r, 200));
    let tick = await call(f.srv.url, 'POST', '/v1/rollouts/tick', {});
    for (let i = 0; i < 50 && tick.body['ok'] !== true; i++) {
      await new Promise((r) => setTimeout(r, 200));
      tick = await call(f.srv.url, 'POST', '/v1/rollouts/tick', {});
    }
    assert.equal(tick.body['ok'], true, JSON.stringify(tick.body));
    assert.equal(await production(f.srv.url), '1.1.0');
    const r = await rolloutOf(f.srv.url);
    assert.ok(r !== null, `no rollout after the tick; history: ${await history(f.srv.url)}`);
    assert.equal(r.state, 'promoted', JSON.stringify(r));
    // stored as promoted: a restart sees the same
    await f.srv.stop('SIGKILL');
    f.srv = await spawnServe(['--config', f.config, '--store', `${pgUrl as string}?schema=${f.schema}`]);
    assert.equal((await rolloutOf(f.srv.url))?.state, 'promoted');
  });
});

describe('audit12: the serving alias while a rollout runs or bakes', () => {
  test('PUT .../serving naming another alias is refused (409) while the rollout runs and in its bake period, accepted once it ended; other changes are accepted', async (t) => {
    let now = Date.UTC(2026, 11, 5, 12);
    const srv = await testServer({ clock: () => now, configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
    const v1 = await startModelServer();
    const v2 = await startModelServer();
    t.after(async () => {
      await srv.close();
      await v1.close();
      await v2.close();
    });
    await declareChurn(srv.url, [{ version: '1.0.0', upstream: v1.url }, { version: '1.1.0', upstream: v2.url }], '1.0.0');
    assert.equal((await call(srv.url, 'PUT', '/v1/models/churn/aliases/champion', { version: '1.0.0', reason: 'audit12' })).status, 200);
    const s = await call(srv.url, 'POST', '/v1/models/churn/rollout', { ...BLUE_GREEN, policy: 'canary', steps: [50] });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    const moved = await call(srv.url, 'PUT', '/v1/models/churn/serving', { alias: 'champion' });
    assert.equal(moved.status, 409, `a serving alias moved off the rollout's: ${JSON.stringify(moved.body)}`);
    assert.match(String((moved.body['error'] as { message: string }).message), /rollout \S+ of model "churn" is running on alias "production"/);
    assert.equal(((await call(srv.url, 'GET', '/v1/models/churn/serving')).body['serving'] as { alias: string }).alias, 'production');
    // the same alias with another timeout: accepted
    assert.equal((await call(srv.url, 'PUT', '/v1/models/churn/serving', { alias: 'production', timeoutMs: 700 })).status, 200);
    // a serving configuration without an alias means the default one ("production"): accepted too
    assert.equal((await call(srv.url, 'PUT', '/v1/models/churn/serving', { timeoutMs: 800 })).status, 200);
    assert.equal((await call(srv.url, 'POST', '/v1/models/churn/rollout/abort', { reason: 'audit12' })).status, 200);
    assert.equal((await call(srv.url, 'PUT', '/v1/models/churn/serving', { alias: 'champion' })).status, 200);
    assert.equal((await call(srv.url, 'PUT', '/v1/models/churn/serving', { alias: 'production' })).status, 200);
    // a blue-green rollout bakes for an hour after its switch
    assert.equal((await call(srv.url, 'POST', '/v1/models/churn/rollout', BLUE_GREEN)).status, 201);
    assert.equal((await call(srv.url, 'PUT', '/v1/models/churn/serving', { alias: 'champion' })).status, 409);
    now += 3_600_001;
    assert.equal((await call(srv.url, 'PUT', '/v1/models/churn/serving', { alias: 'champion' })).status, 200, 'after the bake period');
  });
});
