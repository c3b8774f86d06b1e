import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { call, testServer } from './helpers/server.js';
import { spawnServe } from './helpers/process.js';
import { tempDir } from './helpers/cli.js';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import type { Server } from '../src/server.js';

/*
 * Issue 3 (memory): DuckDB's memory limit is a setting of the server (`duckdbMemoryMb`), and /metrics exports it beside
 * what DuckDB holds, so that an operator can see the id index (never evicted) approach it before ingest fails.
 */

const MiB = 2 ** 20;
const pgUrl = process.env['LOOKOUT_TEST_PG_URL'];

async function metricsOf(s: Server): Promise<string> {
  return (await fetch(`${s.url}/metrics`)).text();
}

/**
 * A random id of 128 characters, the longest an event may have (validate-event.ts, MAX_ID). CI time (2026-12-07): the
 * id index holds each id's bytes, so these fill 64 MiB in ~240,000 events, against ~600,000 with random UUIDs (36
 * characters; probed with DuckDbStore: 236,000 and 604,000 with 2,000-event commits), and the server handles 2.5 times
 * fewer events to reach the same failed COMMIT.
 */
const longId = (): string => randomBytes(96).toString('base64url');

const limitOf = (text: string): number => Number(/^lookout_store_memory_limit_bytes (\S+)$/m.exec(text)?.[1] ?? NaN);

test('issue 3: duckdbMemoryMb sets DuckDB\'s memory limit, exported as lookout_store_memory_limit_bytes', async () => {
  const limited = await testServer({ configure: (c) => (c.duckdbMemoryMb = 256) });
  try {
    const text = await metricsOf(limited);
    assert.equal(limitOf(text), 256 * MiB);
    assert.match(text, /^lookout_store_memory_bytes\{component="ART_INDEX"\} \d+$/m, 'beside what DuckDB holds');
  } finally {
    await limited.close();
  }
  const dflt = await testServer();
  try {
    // DuckDB's default: 80% of this machine's memory.
    assert.ok(limitOf(await metricsOf(dflt)) > 256 * MiB);
  } finally {
    await dflt.close();
  }
});

test('issue 3: once the id index fills duckdbMemoryMb, ingest answers 503 and keeps nothing of those requests; the store then refuses writes until a restart, which recovers everything', async () => {
  // Random ids (~94 bytes of index each for a UUID, against ~8 for Lookout's own time-ordered ones) fill 64 MiB in
  // ~600,000 events; random ids of 128 characters (longId) in ~240,000.
  // The commit that fails leaves its ids in DuckDB's index (rows gone): writing them again would fail for ever, so the
  // store refuses every write from then on and /healthz says so; a restart reopens the database, without those ids.
  const dataDir = tempDir('lookout-duckdb-memory-');
  const events = (n: number): unknown[] => Array.from({ length: n }, (_, j) => ({ id: longId(), model: 'm', version: '1', features: { x: j }, prediction: 1 }));
  const health = async (url: string): Promise<Awaited<ReturnType<typeof call>>> => call(url, 'GET', `/v1/models/m/health?from=${Date.now() - 3_600_000}&to=${Date.now() + 60_000}`);
  let acknowledged = 0;
  let refusedBatch: unknown[] = [];
  const s = await testServer({ configure: (c) => { c.dataDir = dataDir; c.duckdbMemoryMb = 64; c.ingest.sampleRate = 0; } });
  try {
    assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
    let refused: Awaited<ReturnType<typeof call>> | null = null;
    // 2,000-event requests: with them DuckDB sometimes also fails to roll the failed COMMIT back (the fatal branch
    // below), and without the fix in DuckDbStore.close (no checkpoint at shutdown) the refused request's ids were kept
    // in the file's index in 7 of 9 probe runs, so that sending it again after the restart failed.
    // With longId (CI time, 2026-12-07) it still does: 5 runs in 5 failed here with DuckDbStore.close's PRAGMA removed.
    for (let i = 0; i < 1000 && refused === null; i++) {
      const batch = events(2000);
      const r = await call(s.url, 'POST', '/v1/events', batch);
      if (r.status === 200) acknowledged += r.body['accepted'] as number;
      else if ((s.deps.store.failure?.() ?? '') === '') {
        // a statement refused for memory without a failed COMMIT (seen under load, audit 12): nothing kept, the store
        // still writes, so "retry later"; the test goes on until a COMMIT fails
        assert.deepEqual([r.status, (r.body['error'] as { message?: string } | undefined)?.message?.endsWith('retry later')], [503, true], JSON.stringify(r.body));
      } else [refused, refusedBatch] = [r, batch];
    }
    assert.ok(refused, `still accepting after ${acknowledged} events`);
    assert.equal(refused.status, 503);
    // The reason the store gives, and to send it again after the restart ("retry later" until audit 11: never succeeds before it).
    assert.deepEqual(refused.body, { error: { code: 'unavailable', message: `events could not be stored: ${s.deps.store.failure?.() ?? ''}; nothing from this request was kept: send it again after the restart`, details: {} } });
    assert.ok(acknowledged > 100_000, String(acknowledged));
    const failure = s.deps.store.failure?.() ?? '';
    if (failure.startsWith('the store refuses reads and writes')) {
      // DuckDB could not roll the failed COMMIT back and invalidated the database (which commit sizes do it depends on
      // the group commits: src/storage/duckdb/transactions.test.ts reproduces it every run). Reads are refused too, 503.
      assert.match(failure, /: a commit failed \(FATAL Error: Failed to rollback transaction/);
      await assert.rejects(s.deps.store.countEvents('m'), (e: Error) => e.message === failure);
      const read = await call(s.url, 'GET', `/v1/models/m/events?from=${Date.now() - 3_600_000}&to=${Date.now() + 60_000}`);
      assert.equal(read.status, 503, JSON.stringify(read.body));
      assert.equal((read.body['error'] as { code: string }).code, 'unavailable');
    } else {
      assert.equal(await s.deps.store.countEvents('m'), acknowledged);
    }
    const probe = await call(s.url, 'GET', '/healthz');
    assert.equal(probe.status, 503);
    assert.equal((probe.body['error'] as { code: string }).code, 'unavailable');
    assert.equal((probe.body['error'] as { message: string }).message, failure);
    assert.match(failure, /^the store refuses (reads and )?writes until the server is restarted: a commit failed \((TransactionContext Error: Failed to commit: |FATAL Error: Failed to rollback transaction)/);
    assert.equal((await call(s.url, 'POST', '/v1/events', events(10))).status, 503, 'new events too');
    // Every other write too (the same database and indexes): the catalog, the registry, the alerts; 503 with the reason.
    for (const [method, path, body] of [
      ['POST', '/v1/models', { name: 'n', outputKind: 'regression', inputSchema: { type: 'object' } }],
      ['PUT', '/v1/models/m/versions/2.0.0', { notes: 'refused' }],
      ['POST', '/v1/monitors', { id: 'mon', model: 'm', metric: 'errorRate', window: '1h', levels: [{ severity: 'warning', threshold: 0.1 }] }],
    ] as const) {
      const r = await call(s.url, method, path, body);
      assert.equal(r.status, 503, `${method} ${path}: ${JSON.stringify(r.body)}`);
      assert.equal((r.body['error'] as { code: string }).code, 'unavailable');
      assert.equal((r.body['error'] as { message: string }).message, failure);
    }
    // A read whose checkpoint the store refuses is told to retry; what the store has is still readable.
    const afterRead = await health(s.url);
    assert.ok([200, 503].includes(afterRead.status), `/health answered ${afterRead.status}: ${JSON.stringify(afterRead.body).slice(0, 500)}`);
  } finally {
    await s.close().catch(() => undefined); // its last checkpoint is refused: the journal keeps it
  }
  const restarted = await testServer({ configure: (c) => { c.dataDir = dataDir; c.ingest.sampleRate = 0; } });
  try {
    assert.equal((await call(restarted.url, 'GET', '/healthz')).status, 200);
    const h = await health(restarted.url);
    assert.equal(h.status, 200, JSON.stringify(h.body));
    assert.equal(h.body['events'], acknowledged, 'the summaries count exactly what was acknowledged');
    // The refused request can be sent again: its ids were never stored.
    const again = await call(restarted.url, 'POST', '/v1/events', refusedBatch);
    assert.equal(again.status, 200, JSON.stringify(again.body).slice(0, 300));
    assert.equal(again.body['accepted'], 2000);
    assert.equal(await restarted.deps.store.countEvents('m'), acknowledged + 2000);
  } finally {
    await restarted.close();
  }
});

test('issue 3: lookout serve whose store refuses writes says so on SIGTERM and exits 1 (whether or not its last checkpoint had anything to write)', async () => {
  const dir = tempDir('lookout-duckdb-memory-cli-');
  await writeFile(join(dir, 'lookout.yaml'), 'duckdbMemoryMb: 64\ningest: { sampleRate: 0 }\n');
  const srv = await spawnServe(['--config', join(dir, 'lookout.yaml'), '--data-dir', join(dir, 'data')]);
  let code: number | null;
  try {
    assert.equal((await call(srv.url, 'POST', '/v1/models', { name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
    assert.equal((await call(srv.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
    let status = 200;
    for (let i = 0; i < 400 && status === 200; i++) {
      status = (await call(srv.url, 'POST', '/v1/events', Array.from({ length: 5000 }, (_, j) => ({ id: longId(), model: 'm', version: '1', features: { x: j }, prediction: 1 })))).status;
    }
    assert.equal(status, 503);
    assert.equal((await call(srv.url, 'GET', '/healthz')).status, 503);
  } finally {
    code = await srv.stop('SIGTERM');
  }
  assert.equal(code, 1, srv.stderr().slice(-2000));
  // "reads and writes" when DuckDB could not roll the failed COMMIT back (see the test above).
  assert.match(srv.stderr(), /lookout: the store refuses (reads and )?writes until the server is restarted: a commit failed/);
  assert.match(srv.stderr(), /lookout: shutdown: the store refuses (reads and )?writes until the server is restarted/);
});

test('issue 3: a read whose checkpoint the store refuses is answered 503 (retry), not 500; nothing acknowledged is lost', async () => {
  const s = await testServer();
  try {
    assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/events', Array.from({ length: 10 }, (_, j) => ({ model: 'm', version: '1', features: { x: j }, prediction: 1 })))).status, 200);
    // The store refuses checkpoints (its `beside` commits) as DuckDB does when out of memory; the rest works.
    const store = s.deps.store;
    const commit = store.commit.bind(store);
    store.commit = async (b) => (b.beside === true ? Promise.reject(new Error('Out of Memory Error: failed to allocate data of size 16.0 KiB (64.0 MiB/64.0 MiB used)')) : commit(b));
    const path = `/v1/models/m/health?from=${Date.now() - 3_600_000}&to=${Date.now() + 60_000}`;
    const refused = await call(s.url, 'GET', path);
    assert.equal(refused.status, 503);
    assert.deepEqual(refused.body, { error: { code: 'unavailable', message: 'the window summaries could not be brought up to date (a checkpoint failed: Out of Memory Error: failed to allocate data of size 16.0 KiB (64.0 MiB/64.0 MiB used)); nothing acknowledged is lost, retry later', details: {} } });
    assert.equal((await call(s.url, 'GET', `/v1/models/m/drift?from=${Date.now() - 3_600_000}&to=${Date.now() + 60_000}`)).status, 503);
    store.commit = commit;
    const again = await call(s.url, 'GET', path);
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body['events'], 10);
  } finally {
    await s.close();
  }
});

test('issue 3: lookout_store_memory_limit_bytes is absent on PostgreSQL (its memory is not the server\'s)', { skip: pgUrl ? false : 'LOOKOUT_TEST_PG_URL not set: the PostgreSQL case is skipped' }, async () => {
  const schema = `lookout_memlimit_${process.pid}_${Date.now()}`;
  const server = await testServer({ configure: (c) => (c.storage = `${pgUrl as string}?schema=${schema}`) });
  try {
    const text = await metricsOf(server);
    assert.match(text, /^lookout_ingest_queue_events 0$/m);
    assert.doesNotMatch(text, /lookout_store_memory_limit_bytes/);
  } finally {
    await server.close();
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
});

test('issue 3: duckdbMemoryMb in the config file: a whole number of MiB >= 64', async () => {
  const file = join(tempDir('lookout-duckdb-memory-config-'), 'lookout.yaml');
  await writeFile(file, 'duckdbMemoryMb: 2048\n');
  assert.equal(loadConfig(file).duckdbMemoryMb, 2048);
  await writeFile(file, 'dataDir: x\n');
  assert.equal(loadConfig(file).duckdbMemoryMb, undefined);
  for (const bad of ['0', '10', '1.5', 'lots']) {
    await writeFile(file, `duckdbMemoryMb: ${bad}\n`);
    assert.throws(() => loadConfig(file), /invalid config .*duckdbMemoryMb/);
  }
});
