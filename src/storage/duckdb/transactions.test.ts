import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { UnavailableError } from '../../io/errors.js';
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

/** An event of model m with a random id: random ids fill the id index ~12 times faster than Lookout's own. */
function randomEvent(features: EventRecord['features']): EventRecord {
  return { id: randomUUID(), model: 'm', version: '1', ts: 1_000, segment: '', prediction: 'a', score: null, scores: null, latencyMs: null, error: null, costUsd: null, features };
}

/** Reopens the store at `path` (DuckDB's default memory limit): it holds the `stored` events and `batch` can be stored. */
async function reopenAndStore(path: string, stored: number, batch: EventRecord[], check: (s: DuckDbStore) => Promise<void> = async () => undefined): Promise<void> {
  const again = await DuckDbStore.open(path, { summaryFilesBytes: 0 });
  try {
    await again.init();
    assert.equal(again.failure(), null);
    assert.equal(await again.countEvents('m'), stored);
    await check(again);
    await again.appendEvents(batch);
    assert.equal(await again.countEvents('m'), stored + batch.length);
  } finally {
    await again.close();
  }
}

/**
 * CI time (2026-12-07): lowers the store's memory limit to 16 MiB with DuckDB's own SET (the store accepts no less than 64
 * MiB from its config: MIN_MEMORY_LIMIT_MB). The id index then fills it in ~65,000-80,000 random-id events instead of
 * ~600,000, and the COMMIT that no longer fits fails the same way, "TransactionContext Error: Failed to commit" (probed:
 * every run, with 2,000- and 5,000-event commits, with and without the beside commits). Not for the FATAL rollback: that
 * one came only at 64 MiB with 2,000-event commits in the probes (16, 24, 32, 40 and 48 MiB failed cleanly), so that
 * test keeps 64 MiB.
 */
async function lowerMemoryLimit(store: DuckDbStore): Promise<void> {
  await store['main'].conn.run("SET memory_limit = '16MiB'");
  const rows = (await store['main'].conn.runAndReadAll("SELECT current_setting('memory_limit')")).getRows();
  assert.equal(String(rows[0]?.[0]), '16.0 MiB');
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
  // Random ids fill a 16 MiB memory limit with the events' id index in ~65,000 events (64 MiB: ~600,000; see
  // lowerMemoryLimit); the COMMIT that no longer fits fails.
  const path = join(dir, 'full.duckdb');
  let refusedBatch: EventRecord[] = [];
  let stored = 0;
  const store = await DuckDbStore.open(path, { memoryLimitMb: 64, summaryFilesBytes: 0 });
  try {
    await store.init();
    await lowerMemoryLimit(store);
    const registry = store.registry();
    await registry.init();
    const version = { model: 'm', version: '1.0.0', createdAt: 1, createdBy: 'ci', artifact: null, tags: [], notes: null, upstream: null, lineage: {} };
    assert.equal(await registry.createVersion(version), true);
    const event = (): EventRecord => randomEvent(null);
    let refused: unknown = null;
    for (let i = 0; i < 400 && refused === null; i++) {
      const batch = Array.from({ length: 5000 }, event);
      try {
        await store.appendEvents(batch);
        stored += 5000;
      } catch (e) {
        [refused, refusedBatch] = [e, batch];
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
  // The failed COMMIT's ids are not in the reopened store's index (the next test shows how they could be).
  await reopenAndStore(path, stored, refusedBatch);
});

test('issue 3: a COMMIT that DuckDB cannot roll back invalidates the database: every read and write is refused with the reason (503), and a restart recovers every committed event', async () => {
  // With 2,000-event commits, the one that no longer fits the 64 MiB limit fails and so does DuckDB's rollback of it
  // ("FATAL Error: Failed to rollback transaction", every run with DuckDB 1.5, at 604,000 events); DuckDB then fails
  // every statement, reads too. With 5,000-event commits the COMMIT fails cleanly instead (the test above). Seen in CI
  // through the server (test/issue-3-duckdb-memory), where a read then answered 500.
  const path = join(dir, 'invalidated.duckdb');
  const event = (): EventRecord => randomEvent({ x: 1 });
  const first = event();
  let stored = 1; // `first`
  let refused: unknown = null;
  const store = await DuckDbStore.open(path, { memoryLimitMb: 64, summaryFilesBytes: 0 });
  try {
    await store.init();
    await store.registry().init();
    await store.appendEvents([first]);
    for (let i = 0; i < 1000 && refused === null; i++) {
      try {
        await store.appendEvents(Array.from({ length: 2000 }, event));
        stored += 2000;
      } catch (e) {
        refused = e;
      }
    }
    assert.match(String(refused), /FATAL Error: Failed to rollback transaction/, `after ${stored} events`);
    const failure = store.failure() ?? '';
    assert.match(failure, /^the store refuses reads and writes until the server is restarted: a commit failed \(FATAL Error: Failed to rollback transaction\. Cannot continue operation\.\), after which DuckDB invalidated the database; a restart reopens it, nothing acknowledged is lost$/);
    const refusedWithReason = (e: Error): boolean => e instanceof UnavailableError && e.message === failure;
    // Every read path: the read connections, events by id on the write connection, the registry's and the alerts' reads.
    await assert.rejects(store.countEvents('m'), refusedWithReason);
    await assert.rejects(store.getEvents([first.id]), refusedWithReason);
    await assert.rejects(store.registry().listVersions('m'), refusedWithReason);
    await assert.rejects(store.alertStore().listMonitors(), refusedWithReason);
    await assert.rejects(store.appendEvents([event()]), refusedWithReason);
  } finally {
    await store.close();
  }
  await reopenAndStore(path, stored, Array.from({ length: 10 }, event), async (again) => {
    assert.deepEqual((await again.getEvents([first.id])).map((e) => e.id), [first.id]);
  });
});

test('issue 3: a failed COMMIT\'s ids are not kept in the file\'s index: after a restart they can be stored (no checkpoint at shutdown once a COMMIT failed)', async () => {
  // Events commit on the first connection while the ingest checkpoints commit on the second, as in the server. When
  // the events' COMMIT fails, DuckDB keeps its ids in the in-memory index (WriteTransactions); its checkpoint at
  // shutdown wrote them into the file, and every later start refused them as duplicates although no row has them (7
  // runs in 9 before the fix; found as the server's resend of a refused request in test/issue-3-duckdb-memory).
  // At 16 MiB (CI time, 2026-12-07) it still fails without the fix: 4 runs in 5 with DuckDbStore.close's PRAGMA removed.
  const path = join(dir, 'phantom.duckdb');
  const event = (): EventRecord => randomEvent({ x: 1 });
  let stored = 0;
  let refused: unknown = null;
  let refusedBatch: EventRecord[] = [];
  const store = await DuckDbStore.open(path, { memoryLimitMb: 64, summaryFilesBytes: 0 });
  try {
    await store.init();
    await lowerMemoryLimit(store); // CI time (2026-12-07): ~72,000 events instead of ~600,000
    let refusedBefore: string | null = null;
    for (let i = 0; i < 1000 && refused === null; i++) {
      const batch = Array.from({ length: 2000 }, event);
      refusedBefore = store.failure();
      const [events] = await Promise.allSettled([store.appendEvents(batch), store.commit({ beside: true, state: [[`k${i}`, 'v'.repeat(1000)]] })]);
      if (events.status === 'fulfilled') stored += batch.length;
      else [refused, refusedBatch] = [events.reason, batch];
    }
    assert.match(String(refused), /a commit failed \(TransactionContext Error: Failed to commit: /, `after ${stored} events`);
    assert.equal(refusedBefore, null, 'the events\' own COMMIT failed (the store did not refuse them before they began)');
    assert.equal(await store.countEvents('m'), stored);
  } finally {
    await store.close();
  }
  await reopenAndStore(path, stored, refusedBatch);
});

test('a statement DuckDB refuses for its memory limit is answered "short of memory, retry later" (503, not 500), in a read or a write, and stops nothing', async () => {
  // Found as a /health read answering 500 in test/issue-3-duckdb-memory once the store neared its memory limit.
  const inst = await DuckDBInstance.create(':memory:', { memory_limit: '16MB' });
  try {
    const a = writer(await inst.connect());
    await a.conn.run('CREATE TABLE t (id VARCHAR PRIMARY KEY)');
    const logged: string[] = [];
    const tx = new WriteTransactions(() => undefined, (l) => logged.push(l));
    // One string of ~150 MB: more than the 16 MB DuckDB may hold, whatever it spills.
    const hungry = "SELECT length(string_agg(i::VARCHAR || repeat('x', 50), ',')) AS n FROM range(3000000) t(i)";
    const shortOfMemory = (e: unknown): boolean => {
      assert.ok(e instanceof UnavailableError, String(e));
      assert.match(e.message, /^the store is short of memory for this request \(Out of Memory Error: failed to allocate data of size .*\); retry later, or raise duckdbMemoryMb$/);
      return true;
    };
    await assert.rejects(tx.read(() => a.conn.runAndReadAll(hungry)), shortOfMemory);
    await assert.rejects(tx.run(a, async () => {
      await a.conn.run(`INSERT INTO t VALUES ('kept-out')`);
      await a.conn.runAndReadAll(hungry);
    }), shortOfMemory);
    // Nothing stopped: the write was rolled back, and reads and writes go on.
    assert.equal(tx.failure(), null);
    assert.deepEqual(logged, []);
    await tx.run(a, () => a.conn.run(`INSERT INTO t VALUES ('after')`));
    assert.deepEqual(await tx.read(() => ids(a)), ['after']);
    // Any other error is passed on as it is (a caller's mistake stays a 500 or its own code).
    await assert.rejects(tx.read(() => a.conn.run('SELECT * FROM missing_table')), (e: Error) => !(e instanceof UnavailableError) && /Catalog Error/.test(e.message));
  } finally {
    inst.closeSync();
  }
});
