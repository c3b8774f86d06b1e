import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { DuckDbStore } from '../src/storage/duckdb/store.js';
import { defaultConfig } from '../src/config.js';
import { startServer } from '../src/server.js';
import { StartStopped } from '../src/startup-errors.js';
import { openStore } from '../src/storage/open.js';
import { tempDir } from './helpers/cli.js';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { call } from './helpers/server.js';

/*
 * The data dir, the summary journal and the start-up/shutdown lifecycle of `lookout serve`, as real processes.
 */

const pgUrl = process.env['LOOKOUT_TEST_PG_URL'];
const skipPg = pgUrl ? false : 'LOOKOUT_TEST_PG_URL not set: the PostgreSQL lifecycle tests are skipped';
const schemas: string[] = [];
const schemaName = (tag: string): string => {
  const s = `audit_lifecycle_${tag}_${process.pid}_${Date.now()}`;
  schemas.push(s);
  return s;
};
const storeOf = (schema: string): string => `${pgUrl as string}?schema=${schema}`;

const MODEL = { name: 'm', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } };
const HOUR = 3_600_000;

async function declare(srv: RunningServer): Promise<void> {
  assert.equal((await call(srv.url, 'POST', '/v1/models', MODEL)).status, 201);
  assert.equal((await call(srv.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
}

async function post(srv: RunningServer, prefix: string, n: number): Promise<void> {
  const events = Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, model: 'm', version: '1', timestamp: Date.now() - 60_000, features: { x: i }, prediction: '1', score: 0.7 }));
  const r = await call(srv.url, 'POST', '/v1/events', { events });
  assert.equal(r.body['accepted'], n, JSON.stringify(r.body).slice(0, 300));
}

/** Events counted by the server's window summaries (what every query reports). */
async function summarised(srv: RunningServer): Promise<unknown> {
  const h = await call(srv.url, 'GET', `/v1/models/m/health?from=${Date.now() - HOUR}&to=${Date.now() + HOUR}`);
  assert.equal(h.status, 200, JSON.stringify(h.body));
  return h.body['events'];
}

async function storedEvents(schema: string): Promise<number> {
  const store = await openStore(storeOf(schema));
  try {
    return await store.countEvents('m');
  } finally {
    await store.close();
  }
}

async function killed(srv: RunningServer): Promise<void> {
  assert.equal(await srv.stop('SIGKILL'), null);
}

describe('two servers on PostgreSQL (two schemas) given the same data dir', { skip: skipPg }, () => {
  after(async () => {
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await client.end();
  });

  test('running side by side and both killed: each recovers its own acknowledged events from the journal, none of the other\'s', async () => {
    // Both wrote DATA_DIR/journal/ with the same journal id and the same sequence numbers: a restart replayed the
    // other server's groups into its own summaries (here 150 stored, 320 or 220 counted).
    const dir = tempDir('lookout-audit3-lifecycle-');
    const [sa, sb] = [schemaName('a'), schemaName('b')];
    const a = await spawnServe(['--data-dir', dir, '--store', storeOf(sa)]);
    const b = await spawnServe(['--data-dir', dir, '--store', storeOf(sb)]);
    await declare(a);
    await declare(b);
    await post(a, 'a1', 100);
    await post(b, 'b1', 100);
    // Acknowledged, in the journal, not yet checkpointed (a checkpoint waits 2 s after the last one) when killed.
    await post(a, 'a2', 50);
    await post(b, 'b2', 70);
    await Promise.all([killed(a), killed(b)]);
    for (const [schema, n] of [[sa, 150], [sb, 170]] as const) {
      assert.equal(await storedEvents(schema), n);
      const again = await spawnServe(['--data-dir', dir, '--store', storeOf(schema)]);
      try {
        assert.equal(await summarised(again), n, `schema ${schema}: ${again.stderr()}`);
      } finally {
        assert.equal(await again.stop(), 0);
      }
    }
  });

  test('one started while the other\'s journal holds unreplayed groups leaves them: the other recovers them at its restart', async () => {
    // The second server's start-up deleted the journal files of the first (older than its own): the first's
    // acknowledged events were stored but never counted by its summaries.
    const dir = tempDir('lookout-audit3-lifecycle-');
    const [sa, sb] = [schemaName('c'), schemaName('d')];
    const a = await spawnServe(['--data-dir', dir, '--store', storeOf(sa)]);
    await declare(a);
    await post(a, 'a1', 100);
    await post(a, 'a2', 50);
    await killed(a);
    const b = await spawnServe(['--data-dir', dir, '--store', storeOf(sb)]);
    await declare(b);
    await post(b, 'b1', 30);
    assert.equal(await summarised(b), 30);
    assert.equal(await b.stop(), 0);
    const again = await spawnServe(['--data-dir', dir, '--store', storeOf(sa)]);
    try {
      assert.equal(await summarised(again), await storedEvents(sa), again.stderr());
      assert.equal(await summarised(again), 150);
    } finally {
      assert.equal(await again.stop(), 0);
    }
  });
});

/** Starts `lookout serve ARGS`, sends `signal` when stderr matches `when`; the exit code and the seconds it took to exit. */
async function signalledAt(args: string[], when: RegExp, signal: NodeJS.Signals): Promise<{ code: number | null; exitSignal: string | null; seconds: number; stderr: string }> {
  const proc = spawn(process.execPath, [join(process.cwd(), 'bin', 'lookout.js'), 'serve', '--port', '0', '--quiet', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let sentAt = 0;
  proc.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (sentAt === 0 && when.test(stderr)) {
      sentAt = performance.now();
      proc.kill(signal);
    }
  });
  const [code, exitSignal] = await new Promise<[number | null, string | null]>((resolve) => proc.once('exit', (c, s) => resolve([c, s])));
  assert.ok(sentAt > 0, `exited before ${String(when)}:\n${stderr}`);
  return { code, exitSignal, seconds: (performance.now() - sentAt) / 1000, stderr };
}

describe('a signal during start-up', () => {
  test('SIGTERM during the --demo fill: a prompt clean exit 0 (store closed, everything acknowledged counted); the next --demo refuses, a plain start serves what was stored', async () => {
    // Before, the signal killed the process where it stood (no exit code, the DuckDB WAL left to replay, the journal's
    // groups to recover).
    const dir = tempDir('lookout-audit3-lifecycle-');
    const r = await signalledAt(['--demo', '--data-dir', dir], /demo: models churn@1\.0\.0 and eta@2\.1\.0 declared/, 'SIGTERM');
    assert.deepEqual([r.code, r.exitSignal], [0, null], r.stderr);
    console.log(`exit ${r.code} ${r.seconds.toFixed(1)} s after SIGTERM`);
    assert.ok(r.seconds < 30, `exited ${r.seconds.toFixed(1)} s after the signal`);
    assert.match(r.stderr, /stopped during start-up.*demo.*incomplete.*delete the data dir/s);
    assert.doesNotMatch(r.stderr, /listening on|internal error/);
    assert.equal(existsSync(join(dir, 'lookout.duckdb.wal')), false, 'the store was closed (checkpointed)');
    const refused = await spawnServe(['--demo', '--data-dir', dir]).then(async (s) => `served: ${String(await s.stop())}`, (e: Error) => e.message);
    assert.match(refused, /exited with 2 before listening[^]*demo data .*incomplete/);
    const store = await DuckDbStore.open(join(dir, 'lookout.duckdb'));
    const stored = await store.countEvents('churn');
    await store.close();
    const plain = await spawnServe(['--data-dir', dir]);
    try {
      assert.doesNotMatch(plain.stderr(), /recovered/, 'nothing left to replay: the stop checkpointed');
      const h = await call(plain.url, 'GET', `/v1/models/churn/health?from=${Date.now() - 40 * 86_400_000}&to=${Date.now() + HOUR}`);
      assert.equal(h.body['events'], stored);
    } finally {
      assert.equal(await plain.stop(), 0);
    }
  });
});

test('startServer stopped by its signal during beforeListen: rejects with StartStopped, the acknowledged events checkpointed, the store closed', async () => {
  const config = defaultConfig();
  config.dataDir = tempDir('lookout-audit3-lifecycle-');
  config.server.port = 0;
  const abort = new AbortController();
  const t = Date.now() - 60_000;
  await assert.rejects(startServer({
    config, signal: abort.signal,
    beforeListen: async (deps) => {
      await deps.catalog.putModel({ ...MODEL, segmentKeys: [], createdAt: t, updatedAt: t } as Parameters<typeof deps.catalog.putModel>[0]);
      await deps.catalog.putVersion({ model: 'm', version: '1', createdAt: t });
      await deps.pipeline.submit(Array.from({ length: 40 }, (_, i) => ({
        id: `e${i}`, model: 'm', version: '1', ts: t, features: { x: i }, prediction: '1', score: 0.7, scores: null, latencyMs: null, error: null, segment: {}, costUsd: null,
      })), []);
      abort.abort();
    },
  }), StartStopped);
  assert.equal(existsSync(join(config.dataDir, 'lookout.duckdb.wal')), false, 'the store was closed');
  const store = await DuckDbStore.open(join(config.dataDir, 'lookout.duckdb'));
  try {
    const day = await store.querySummaries({ model: 'm', version: '1', segment: '', granularity: 'day', from: t - 2 * 86_400_000, to: t + HOUR });
    assert.equal(day.length, 1, 'the window summaries were checkpointed before the store closed');
  } finally {
    await store.close();
  }
  const again = await startServer({ config });
  try {
    const h = await call(again.url, 'GET', `/v1/models/m/health?from=${t - HOUR}&to=${t + HOUR}`);
    assert.equal(h.body['events'], 40);
  } finally {
    await again.close();
  }
});

/** A 256 KiB tmpfs mounted for the test (root only; null elsewhere: the test is skipped). */
function smallFilesystem(): string | null {
  const dir = tempDir('lookout-audit3-tmpfs-');
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir]);
  return r.status === 0 ? dir : null;
}

test('the journal\'s disk full: ingest answers 503 (nothing acknowledged lost), and once space is freed it accepts again without a restart', async (t) => {
  // Before, one group whose journal record could not be written stopped ingest for good: every later request was
  // 503 "retry later" (also after the space was freed), /healthz said ok and nothing was logged; only a restart helped.
  const fs = smallFilesystem();
  if (fs === null) {
    t.skip('cannot mount a tmpfs here (needs root)');
    return;
  }
  const config = defaultConfig();
  config.dataDir = tempDir('lookout-audit3-lifecycle-');
  config.server.port = 0;
  symlinkSync(fs, join(config.dataDir, 'journal'));
  let srv = await startServer({ config });
  try {
    const base = Date.now() - 60_000;
    assert.equal((await call(srv.url, 'POST', '/v1/models', MODEL)).status, 201);
    assert.equal((await call(srv.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
    const batch = async (prefix: string): Promise<number> => {
      const events = Array.from({ length: 500 }, (_, i) => ({ id: `${prefix}-${i}`, model: 'm', version: '1', timestamp: base - i * 60_000, features: { x: i }, prediction: '1', score: 0.7 }));
      const r = await call(srv.url, 'POST', '/v1/events', { events });
      assert.ok(r.status === 200 || (r.status === 503 && (r.body['error'] as { code: string }).code === 'unavailable'), JSON.stringify(r.body).slice(0, 300));
      return r.status === 200 ? 500 : 0;
    };
    let acked = await batch('ok');
    assert.equal(acked, 500);
    mkdirSync(join(fs, 'x'), { recursive: true });
    // Fill the filesystem (the write stops at ENOSPC).
    spawnSync('dd', ['if=/dev/zero', `of=${join(fs, 'x', 'filler')}`, 'bs=4k']);
    let refused = 0;
    for (let i = 0; i < 3; i++) {
      const n = await batch(`full${i}`);
      acked += n;
      if (n === 0) refused++;
    }
    assert.ok(refused > 0, 'the full disk refused a batch');
    rmSync(join(fs, 'x'), { recursive: true });
    writeFileSync(join(fs, 'probe'), 'x'); // space again
    assert.equal(await batch('again'), 500, 'accepted once space is free');
    acked += 500;
    const h = await call(srv.url, 'GET', `/v1/models/m/health?from=${base - 86_400_000}&to=${base + HOUR}`);
    assert.equal(h.body['events'], acked);
    assert.equal(await srv.deps.store.countEvents('m'), acked);
    await srv.close();
    srv = await startServer({ config });
    const again = await call(srv.url, 'GET', `/v1/models/m/health?from=${base - 86_400_000}&to=${base + HOUR}`);
    assert.equal(again.body['events'], acked, 'after a restart too');
  } finally {
    await srv.close();
    spawnSync('umount', [fs]);
  }
});
