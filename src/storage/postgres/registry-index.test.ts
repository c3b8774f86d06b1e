import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { latestRolloutsSql, rolloutPageSql } from '../registry-sql.js';
import { checkSchemaName } from './schema.js';
import { PostgresStore } from './store.js';

const url = process.env.LOOKOUT_TEST_PG_URL;
const skip = url === undefined || url === '' ? 'LOOKOUT_TEST_PG_URL not set: PostgreSQL rollout index plan skipped' : false;
const schema = checkSchemaName(`lookout_test_roidx_${randomBytes(6).toString('hex')}`);
const table = `"${schema}".registry_rollouts`;
let c: pg.Client;

before(async () => {
  if (skip !== false) return;
  c = new pg.Client({ connectionString: url });
  await c.connect();
  // A store made by a version before the index: its rollouts table as that version created it, with history in it
  // (200 models, 100 rollouts each).
  await c.query(`CREATE SCHEMA "${schema}"`);
  await c.query(`CREATE TABLE ${table} (id TEXT PRIMARY KEY, model TEXT NOT NULL, state TEXT NOT NULL,
    created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, data TEXT NOT NULL)`);
  await c.query(`INSERT INTO ${table} SELECT 'ro-' || i, 'm' || (i % 200), 'rolled_back', 1700000000000 + i, 1700000000000 + i,
    '{"note":"' || repeat('x', 200) || '"}' FROM generate_series(1, 20000) AS i`);
});

after(async () => {
  if (skip !== false) return;
  await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await c.end();
});

async function plan(sql: string, params: unknown[]): Promise<string> {
  const rows = (await c.query(`EXPLAIN ${sql}`, params)).rows as Array<{ 'QUERY PLAN': string }>;
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

test('a store made before the rollout index gets it on open, and the newest-rollout queries use it', { skip }, async () => {
  const store = await PostgresStore.open(url as string, { schema });
  try {
    await store.init();
    await store.registry().init();
    const idx = await c.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = 'registry_rollouts'`, [schema]);
    assert.ok(idx.rows.some((r: { indexdef: string }) => /\(model, created_at\)/.test(r.indexdef)),
      `no (model, created_at) index: ${JSON.stringify(idx.rows)}`);
    await c.query(`ANALYZE ${table}`);
    for (const [name, p] of [
      ['page', await plan(rolloutPageSql(table, false), ['m7', 1])],
      ['page after', await plan(rolloutPageSql(table, true), ['m7', 20, 1700000010007, 'ro-10007'])],
    ] as const) {
      assert.match(p, /Index Scan Backward using registry_rollouts_model_created/, `${name}:\n${p}`);
      assert.doesNotMatch(p, /Seq Scan/, `${name}:\n${p}`);
    }
    const latest = await plan(latestRolloutsSql(table), []);
    assert.match(latest, /registry_rollouts_model_created/, latest);
    // the answers are the same as without the index
    const page = await store.registry().listRolloutPage('m7', 2);
    assert.deepEqual(page.map((r) => r.id), ['ro-19807', 'ro-19607']);
    const newest = await store.registry().latestRollouts();
    assert.equal(newest.length, 200);
    assert.equal(newest.find((r) => r.model === 'm0')?.id, 'ro-20000');
  } finally {
    await store.close();
  }
});
