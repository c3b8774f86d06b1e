import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { Server } from '../src/server.js';
import { declareChurn } from './helpers/registry.js';
import { call, testServer } from './helpers/server.js';

// Audit 11: control-plane operations fired at once, and interrupted, on both stores.
const pgUrl = process.env['LOOKOUT_TEST_PG_URL'];
const schemas: string[] = [];
const schemaName = (tag: string): string => {
  const s = `lookout_a11races_${tag}_${process.pid}`;
  schemas.push(s);
  return s;
};

after(async () => {
  if (!pgUrl || schemas.length === 0) return;
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await client.end();
});

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

async function registryServer(store: Store, tag: string): Promise<Server> {
  const storage = store.storage(tag);
  const srv = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; if (storage !== undefined) c.storage = storage; } });
  await declareChurn(srv.url, VERSIONS.map((version) => ({ version })), '1.0.0');
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
  });
}
