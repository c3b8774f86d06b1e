import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from '../src/server.js';
import { tempDir } from './helpers/cli.js';
import { testSchemas } from './helpers/pg-schemas.js';
import { pgProxy } from './helpers/pg-proxy.js';
import { many, predict } from './helpers/predict.js';
import { spawnServe } from './helpers/process.js';
import { declareChurn } from './helpers/registry.js';
import { call, testServer } from './helpers/server.js';
import { startModelServer } from './helpers/upstream.js';

// Audit 11: control-plane operations fired at once, and interrupted, on both stores.
const pgUrl = process.env['LOOKOUT_TEST_PG_URL'];
const schemaName = testSchemas('lookout_a11races', pgUrl).name;
let interrupted = 0;

interface Store { name: string; skip: string | false; storage: (tag: string) => string | undefined }
const STORES: Store[] = [
  { name: 'DuckDB', skip: false, storage: () => undefined },
  {
    name: 'PostgreSQL', skip: pgUrl ? false : 'LOOKOUT_TEST_PG_URL not set: the PostgreSQL tests are skipped',
    storage: (tag) => `${pgUrl as string}?schema=${schemaName(tag)}`,
  },
];

interface Deployment { alias: string; from: string | null; to: string; kind: string }

const VERSIONS = ['1.0.0', '1.1.0', '1.2.0', '1.3.0'];

async function registryServer(store: Store, tag: string, upstream?: string): Promise<Server> {
  const storage = store.storage(tag);
  const srv = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; if (storage !== undefined) c.storage = storage; } });
  await declareChurn(srv.url, VERSIONS.map((version) => ({ version, ...(upstream !== undefined && { upstream }) })), '1.0.0');
  return srv;
}

/** The alias's history must chain: each entry starts where the one before it ended, and the last ends where the alias is. */
async function assertChained(url: string, alias: string): Promise<Deployment[]> {
  const ds = ((await call(url, 'GET', '/v1/models/churn/deployments')).body['deployments'] as Deployment[]).filter((d) => d.alias === alias);
  const breaks = ds.slice(1).flatMap((d, i) => (d.from === ds[i]?.to ? [] : [`#${i + 1} ${ds[i]?.from}->${ds[i]?.to} then ${d.from}->${d.to}`]));
  assert.deepStrictEqual(breaks, [], `the history of "${alias}" chains (${ds.length} entries)`);
  const aliases = (await call(url, 'GET', '/v1/models/churn/aliases')).body['aliases'] as Record<string, string>;
  assert.equal(aliases[alias], ds.at(-1)?.to, 'the alias is where its last recorded change put it');
  return ds;
}

for (const store of STORES) {
  describe(`audit11 races (${store.name})`, { skip: store.skip }, () => {
    test('40 alias moves of one alias at once: the deployment history is in the order they were applied, and a rollback follows it', async () => {
      const srv = await registryServer(store, 'moves');
      try {
        const rs = await Promise.all(Array.from({ length: 40 }, (_, i) => call(srv.url, 'PUT', '/v1/models/churn/aliases/production', { version: VERSIONS[(i + 1) % 4], reason: `move ${i}` })));
        assert.deepStrictEqual(rs.filter((r) => r.status !== 200).map((r) => r.body), []);
        const ds = await assertChained(srv.url, 'production');
        // every move that changed the alias is recorded once: those answered with previous != version
        assert.equal(ds.length, 1 + rs.filter((r) => r.body['previous'] !== r.body['version']).length);
        // the rollback goes back to where the last move came from
        const last = ds.at(-1) as Deployment;
        const rb = await call(srv.url, 'POST', '/v1/models/churn/rollback', { reason: 'back' });
        assert.equal(rb.status, 200, JSON.stringify(rb.body));
        assert.deepStrictEqual([rb.body['previous'], rb.body['version']], [last.to, last.from]);
        await assertChained(srv.url, 'production');
      } finally {
        await srv.close();
      }
    });

    test('30 declarations of one new model at once, with different schemas and classes: one answered 201 (created), the others 200, and one of them whole is what stands', async () => {
      const storage = store.storage('declare');
      const srv = await testServer({ configure: (c) => { if (storage !== undefined) c.storage = storage; } });
      try {
        const kinds = ['number', 'string', 'boolean'];
        const classes = [['a', 'b'], ['c', 'd'], ['e', 'f']];
        const rs = await Promise.all(Array.from({ length: 30 }, (_, i) => call(srv.url, 'POST', '/v1/models', {
          name: 'm', outputKind: 'binary', inputSchema: { type: 'object', properties: { x: { type: kinds[i % 3] } } }, classes: classes[i % 3],
        })));
        assert.deepStrictEqual(rs.map((r) => r.status).sort((a, b) => a - b), [...Array.from({ length: 29 }, () => 200), 201], 'one created it, the others redeclared it');
        const m = (await call(srv.url, 'GET', '/v1/models/m')).body as { inputSchema: { properties: { x: { type: string } } }; classes: string[] };
        const k = kinds.indexOf(m.inputSchema.properties.x.type);
        assert.deepStrictEqual(m.classes, classes[k], 'the schema and the classes of one declaration, never a mix');
      } finally {
        await srv.close();
      }
    });

    test('a blue-green switch racing with PUT .../serving: the serving change acknowledged meanwhile is kept (the switch wrote back the config it had read before)', async () => {
      const up = await startModelServer();
      const srv = await registryServer(store, 'switch', up.url);
      try {
        for (let i = 0; i < 8; i++) {
          const primary = ((await call(srv.url, 'GET', '/v1/models/churn/aliases')).body['aliases'] as Record<string, string>)['production'] as string;
          const standby = primary === '1.0.0' ? '1.1.0' : '1.0.0';
          const cfg = { alias: 'production', timeoutMs: 500, policy: { kind: 'blue-green', standby } };
          assert.equal((await call(srv.url, 'PUT', '/v1/models/churn/serving', cfg)).status, 200);
          const [sw, put] = await Promise.all([
            call(srv.url, 'POST', '/v1/models/churn/switch', { reason: `switch ${i}` }),
            call(srv.url, 'PUT', '/v1/models/churn/serving', { ...cfg, timeoutMs: 900 + i }),
          ]);
          assert.deepStrictEqual([sw.status, put.status], [200, 200], JSON.stringify([sw.body, put.body]));
          const after = (await call(srv.url, 'GET', '/v1/models/churn/serving')).body['serving'] as { timeoutMs: number; policy: { standby: string } };
          const now = ((await call(srv.url, 'GET', '/v1/models/churn/aliases')).body['aliases'] as Record<string, string>)['production'];
          assert.equal(now, standby, 'switched');
          assert.equal(after.timeoutMs, 900 + i, `round ${i}: the timeoutMs PUT meanwhile (answered 200) is kept`);
        }
      } finally {
        await srv.close();
        await up.close();
      }
    });
  });
}

interface RolloutView { id: string; state: string; step: number; promotedAt: number | null; endReason: string | null; lastError?: unknown }

/**
 * A rollout's alias flip whose COMMIT reached PostgreSQL but whose answer did not (the connection cut right after it),
 * then the server killed (-9) and started again on the same schema: what the rollout record says must match where the
 * aliases are and what the deployment history records.
 */
describe('audit11: a rollout interrupted after its alias flip committed (PostgreSQL, kill -9)', { skip: pgUrl ? false : 'LOOKOUT_TEST_PG_URL not set: the PostgreSQL tests are skipped', timeout: 120_000 }, () => {
  const configFile = (): string => {
    const dir = tempDir('lookout-a11races-');
    const path = join(dir, 'lookout.yaml');
    writeFileSync(path, `dataDir: ${join(dir, 'data')}\nserver: { port: 0 }\nregistry: { tickMs: 0, refreshMs: 0 }\n`);
    return path;
  };
  const rolloutOf = async (url: string): Promise<RolloutView> => (await call(url, 'GET', '/v1/models/churn/rollout')).body['rollout'] as RolloutView;
  const aliasesOf = async (url: string): Promise<Record<string, string>> => (await call(url, 'GET', '/v1/models/churn/aliases')).body['aliases'] as Record<string, string>;
  const traffic = (url: string): Promise<unknown> => many(60, 6, (i) => predict(url, { x: (i % 10) / 10, user: `u${i}` }));

  /**
   * churn 1.0.0 in production and a canary rollout of 1.1.0 (one 50% step, no minimum duration) with traffic on both
   * arms, on a server through a PostgreSQL proxy; `interrupt` starts the request whose alias flip commits but whose
   * answer is cut; the server is then killed (-9) and started again on the schema directly. Answers the new server's URL.
   */
  async function interruptedRollout(t: TestContext, interrupt: (url: string) => Promise<unknown>): Promise<{ url: string; id: string }> {
    const proxy = await pgProxy(pgUrl as string);
    const schema = schemaName(`int${interrupted++}`);
    const config = configFile();
    const v1 = await startModelServer();
    const v2 = await startModelServer();
    let srv = await spawnServe(['--config', config, '--store', proxy.url(schema)]);
    t.after(async () => {
      await srv.stop('SIGKILL');
      proxy.close();
      await v1.close();
      await v2.close();
    });
    await declareChurn(srv.url, [{ version: '1.0.0', upstream: v1.url }, { version: '1.1.0', upstream: v2.url }], '1.0.0');
    const s = await call(srv.url, 'POST', '/v1/models/churn/rollout', {
      candidate: '1.1.0', reason: 'audit', steps: [50], stepDurationMs: 0, bakeMs: 3_600_000, analysis: { minSamples: 5 }, slo: { minSamples: 100_000 },
    });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    const id = (s.body['rollout'] as RolloutView | undefined)?.id ?? (s.body as unknown as RolloutView).id;
    await traffic(srv.url);
    // the next alias flip (and its deployment record) commits; its answer never comes back
    const cut = proxy.cutAfterCommit(5_000, /INSERT INTO \S+\.registry_deployments/);
    const pending = interrupt(srv.url).catch((e: unknown) => e);
    await cut;
    await srv.stop('SIGKILL');
    await pending;
    srv = await spawnServe(['--config', config, '--store', `${pgUrl as string}?schema=${schema}`]);
    return { url: srv.url, id };
  }

  const historyOf = async (url: string): Promise<string> => ((await call(url, 'GET', '/v1/models/churn/deployments')).body['deployments'] as Deployment[])
    .map((d) => `${d.alias} ${d.kind} ${d.from}->${d.to}`).join(', ');

  test('the promotion committed, its answer lost, the server killed: after the restart the rollout is promoted (its bake watched), not rolled back with the candidate left in production', async (t) => {
    const { url, id } = await interruptedRollout(t, (u) => call(u, 'POST', '/v1/rollouts/tick', {}));
    assert.equal((await aliasesOf(url))['production'], '1.1.0', 'the promotion committed before the kill');
    await traffic(url);
    const tick = await call(url, 'POST', '/v1/rollouts/tick', {});
    assert.equal(tick.status, 200, JSON.stringify(tick.body));
    const r = await rolloutOf(url);
    const aliases = await aliasesOf(url);
    assert.equal(r.id, id);
    assert.deepStrictEqual({ state: r.state, production: aliases['production'] }, { state: 'promoted', production: '1.1.0' },
      `rollout ${r.state} (${r.endReason ?? ''}) with production on ${aliases['production']}; history: ${await historyOf(url)}`);
    assert.ok(r.promotedAt !== null);
    await assertChained(url, 'production');
    await assertChained(url, 'canary');
    // recorded once: the promotion is not applied a second time
    assert.equal((await historyOf(url)).split('promote').length - 1, 1);
  });

  test('an abort committed, its answer lost, the server killed: after the restart the rollout is rolled back, its candidate never promoted', async (t) => {
    const { url, id } = await interruptedRollout(t, (u) => call(u, 'POST', '/v1/models/churn/rollout/abort', { reason: 'wrong build' }));
    assert.equal((await aliasesOf(url))['canary'], '1.0.0', 'the abort\'s flip committed before the kill');
    await traffic(url);
    const tick = await call(url, 'POST', '/v1/rollouts/tick', {});
    assert.equal(tick.status, 200, JSON.stringify(tick.body));
    const r = await rolloutOf(url);
    const aliases = await aliasesOf(url);
    assert.equal(r.id, id);
    assert.deepStrictEqual({ state: r.state, production: aliases['production'], canary: aliases['canary'] }, { state: 'rolled_back', production: '1.0.0', canary: '1.0.0' },
      `rollout ${r.state} with production on ${aliases['production']}; history: ${await historyOf(url)}`);
    assert.match(r.endReason ?? '', /wrong build/);
    await assertChained(url, 'production');
    await assertChained(url, 'canary');
  });
});
