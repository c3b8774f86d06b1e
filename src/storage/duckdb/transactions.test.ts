import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import type { EventRecord } from '../types.js';
import { DuckDbStore } from './store.js';
import { writer, WriteTransactions, type Writer } from './transactions.js';

const dir = mkdtempSync(join(tmpdir(), 'lookout-transactions-'));
after(() => rm(dir, { recursive: true, force: true }));

const FAILED = /^the store refuses writes until the server is restarted: a commit failed \(TransactionContext Error: Failed to commit: /;

async function twoWriters(): Promise<{ inst: DuckDBInstance; tx: WriteTransactions; a: Writer; b: Writer; logged: string[] }> {
  const inst = await DuckDBInstance.create(':memory:');
  const a = writer(await inst.connect());
  const b = writer(await inst.connect());
  await a.conn.run('CREATE TABLE t (id VARCHAR PRIMARY KEY)');
  const logged: string[] = [];
  return { inst, tx: new WriteTransactions(() => undefined, (l) => logged.push(l)), a, b, logged };
}

async function ids(w: Writer): Promise<string[]> {
  return (await w.conn.runAndReadAll('SELECT id FROM t ORDER BY id')).getRows().map((r) => String(r[0]));
}

test('a transaction answers its result once committed; one whose work fails is rolled back and stops nothing', async () => {
  const { inst, tx, a, logged } = await twoWriters();
  try {
    assert.equal(await tx.run(a, async () => { await a.conn.run(`INSERT INTO t VALUES ('x')`); return 7; }), 7);
    await assert.rejects(tx.run(a, async () => {
      await a.conn.run(`INSERT INTO t VALUES ('y')`);
      await a.conn.run(`INSERT INTO t VALUES ('x')`); // duplicate: fails inside the work, before COMMIT
    }), /Duplicate key/);
    assert.deepEqual(await ids(a), ['x'], 'y rolled back');
    assert.equal(tx.failure(), null);
    await tx.run(a, () => a.conn.run(`INSERT INTO t VALUES ('y')`));
    assert.deepEqual(await ids(a), ['x', 'y']);
    assert.deepEqual(logged, []);
  } finally {
    inst.closeSync();
  }
});

test('the first COMMIT that fails stops every later transaction, on every connection, with the reason, said once', async () => {
  // DuckDB checks two connections' inserts of the same key against each other at COMMIT: the second one fails there
  // (a real "Failed to commit", as out of memory gives one in the store; test/issue-3-duckdb-memory).
  const { inst, tx, a, b, logged } = await twoWriters();
  try {
    let release = (): void => undefined;
    const held = new Promise<void>((r) => { release = r; });
    const first = tx.run(a, async () => { await a.conn.run(`INSERT INTO t VALUES ('k')`); await held; });
    const second = tx.run(b, async () => { await b.conn.run(`INSERT INTO t VALUES ('k')`); release(); await first; });
    await first;
    await assert.rejects(second, /Failed to commit: PRIMARY KEY or UNIQUE constraint violation/);
    assert.match(tx.failure() ?? '', FAILED);
    let ran = false;
    for (const w of [a, b]) await assert.rejects(tx.run(w, async () => { ran = true; }), (e: Error) => e.message === tx.failure());
    assert.equal(ran, false, 'a refused transaction does not run');
    assert.equal(logged.length, 1);
    assert.equal(logged[0], `lookout: ${tx.failure() ?? ''}`);
    assert.deepEqual(await ids(a), ['k']);
  } finally {
    inst.closeSync();
  }
});

test('issue 5: once a COMMIT failed, the DuckDB store refuses the registry\'s and the alerts\' writes too (the same database and indexes); their reads still answer', async () => {
  // Random ids fill a 64 MiB memory limit with the events' id index in ~600,000 events; the COMMIT that no longer fits fails.
  const store = await DuckDbStore.open(join(dir, 'full.duckdb'), { memoryLimitMb: 64, summaryFilesBytes: 0 });
  try {
    await store.init();
    const registry = store.registry();
    await registry.init();
    const version = { model: 'm', version: '1.0.0', createdAt: 1, createdBy: 'ci', artifact: null, tags: [], notes: null, upstream: null, lineage: {} };
    assert.equal(await registry.createVersion(version), true);
    const event = (): EventRecord => ({ id: randomUUID(), model: 'm', version: '1', ts: 1_000, segment: '', prediction: 'a', score: null, scores: null, latencyMs: null, error: null, costUsd: null, features: null });
    let stored = 0;
    let refused: unknown = null;
    for (let i = 0; i < 400 && refused === null; i++) {
      try {
        await store.appendEvents(Array.from({ length: 5000 }, event));
        stored += 5000;
      } catch (e) {
        refused = e;
      }
    }
    assert.ok(refused !== null, `still storing after ${stored} events`);
    assert.match(store.failure() ?? '', FAILED);
    await assert.rejects(registry.createVersion({ ...version, version: '2.0.0' }), (e: Error) => e.message === store.failure());
    await assert.rejects(registry.setAlias({ model: 'm', alias: 'production', to: '1.0.0' }, { id: 'd1', model: 'm', at: 2, alias: 'production', from: null, to: '1.0.0', by: 'ci', reason: 'test', kind: 'set' }), (e: Error) => e.message === store.failure());
    await assert.rejects(store.alertStore().putMonitor({ id: 'mon', model: 'm', type: 'monitor', definition: {}, createdAt: 1, updatedAt: 1 }), (e: Error) => e.message === store.failure());
    assert.deepEqual((await registry.listVersions('m')).map((v) => v.version), ['1.0.0']);
    assert.deepEqual(await registry.aliases('m'), {});
    assert.equal(await store.countEvents('m'), stored);
  } finally {
    await store.close();
  }
});
