import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { registryContract } from '../registry-contract.js';
import { DuckDbStore } from './store.js';

const dir = mkdtempSync(join(tmpdir(), 'lookout-registry-duckdb-'));
after(() => rm(dir, { recursive: true, force: true }));

registryContract('duckdb', () => DuckDbStore.open(join(dir, 'registry.duckdb')));

test('a store made before the rollout index gets it on open; its rollouts read the same', async () => {
  const path = join(dir, 'old.duckdb');
  const db = await DuckDBInstance.create(path);
  const conn = await db.connect();
  // the rollouts table as the version before the index created it, with history in it
  await conn.run(`CREATE TABLE registry_rollouts (id TEXT PRIMARY KEY, model TEXT NOT NULL, state TEXT NOT NULL,
    created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, data TEXT NOT NULL)`);
  await conn.run(`INSERT INTO registry_rollouts SELECT 'ro-' || i, 'm' || (i % 20), 'rolled_back', 1700000000000 + i, 1700000000000 + i, '{}'
    FROM range(1, 2001) t(i)`);
  conn.closeSync();
  db.closeSync();
  const store = await DuckDbStore.open(path);
  try {
    await store.init();
    const r = store.registry();
    await r.init();
    await r.init(); // idempotent
    const before = (await r.listRolloutPage('m7', 2)).map((x) => x.id);
    assert.deepEqual(before, ['ro-1987', 'ro-1967']);
    await r.putRollout({ id: 'ro-new', model: 'm7', state: 'running', createdAt: 1800000000000, updatedAt: 1800000000000, data: {} });
    await r.putRollout({ id: 'ro-new', model: 'm7', state: 'promoted', createdAt: 1800000000000, updatedAt: 1800000000001, data: { a: 1 } });
    assert.deepEqual((await r.listRolloutPage('m7', 2)).map((x) => [x.id, x.state]), [['ro-new', 'promoted'], ['ro-1987', 'rolled_back']]);
    assert.equal((await r.latestRollouts()).find((x) => x.model === 'm7')?.id, 'ro-new');
  } finally {
    await store.close();
  }
  const db2 = await DuckDBInstance.create(path);
  const c2 = await db2.connect();
  try {
    const idx = (await c2.runAndReadAll(`SELECT index_name, sql FROM duckdb_indexes() WHERE table_name = 'registry_rollouts'`)).getRowObjectsJS();
    assert.ok(idx.some((i) => i.index_name === 'registry_rollouts_model_created'), `indexes: ${JSON.stringify(idx)}`);
  } finally {
    c2.closeSync();
    db2.closeSync();
  }
});
