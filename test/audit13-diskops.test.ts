import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';
import { tempDir } from './helpers/cli.js';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { call } from './helpers/server.js';
import { fill, mountTmpfs, unmount } from './helpers/tmpfs.js';

/*
 * Audit 13: data-dir states an operator meets (a full disk, files where directories belong, permissions), with real
 * `lookout serve` processes; full disks on a small tmpfs (needs root to mount: skipped with the reason elsewhere).
 */

const MODEL = { name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } };

function events(prefix: string, n: number): object[] {
  return Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, model: 'm', version: '1', timestamp: Date.now() - 60_000, features: { x: i }, prediction: i / 2 }));
}

describe('audit13: a full disk before the first ingest', () => {
  test('the disk full before the summary journal holds a record: ingest answers 503 and so does /healthz, with the reason; once space is back both recover without a restart', async (t: TestContext) => {
    const m = mountTmpfs('24m', 'lookout-audit13-diskops-');
    if ('skip' in m) return void t.skip(m.skip);
    const data = join(m.dir, 'data');
    mkdirSync(data);
    const srv: RunningServer = await spawnServe(['--data-dir', data]);
    try {
      assert.equal((await call(srv.url, 'POST', '/v1/models', MODEL)).status, 201);
      assert.equal((await call(srv.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
      fill(m.dir, 'filler');
      const r = await call(srv.url, 'POST', '/v1/events', { events: events('a', 200) });
      assert.equal(r.status, 503, JSON.stringify(r.body).slice(0, 300));
      const err = r.body['error'] as { code: string; message: string };
      t.diagnostic(`ingest: ${err.message}`);
      assert.match(err.message, /no space left on device/i, err.message);
      assert.doesNotMatch(err.message, /restart/, "no restart is needed");
      const h = await call(srv.url, 'GET', '/healthz');
      t.diagnostic(`healthz: ${h.status} ${JSON.stringify(h.body)}`);
      assert.equal(h.status, 503, JSON.stringify(h.body));
      assert.match(JSON.stringify(h.body), /summary journal cannot be written .*no space left on device/i);
      // Space back: /healthz recovers by itself (a probe, not only an ingest request, tries again), and ingest too.
      rmSync(join(m.dir, 'filler'));
      const h2 = await call(srv.url, 'GET', '/healthz');
      assert.equal(h2.status, 200, JSON.stringify(h2.body));
      const again = await call(srv.url, 'POST', '/v1/events', { events: events('a', 200) });
      assert.equal(again.status, 200, JSON.stringify(again.body).slice(0, 300));
      assert.equal(again.body['accepted'], 200);
      const health = await call(srv.url, 'GET', `/v1/models/m/health?version=1&from=${Date.now() - 3_600_000}&to=${Date.now() + 3_600_000}`);
      assert.equal(health.body['events'], 200, 'the refused batch was not counted, the accepted one once');
    } finally {
      await srv.stop('SIGKILL');
      unmount(m.dir);
    }
  });
});

/** What a start of `lookout serve ARGS` that did not listen printed and exited with (null: it started, and was stopped). */
async function failedStart(args: string[]): Promise<{ code: number; stderr: string } | null> {
  try {
    const s = await spawnServe(args);
    await s.stop();
    return null;
  } catch (e) {
    const m = /server exited with (\S+) before listening:\n([\s\S]*)$/.exec((e as Error).message);
    assert.ok(m, (e as Error).message);
    return { code: Number(m[1]), stderr: m[2] as string };
  }
}

describe('audit13: the summary-file cache\'s directory', () => {
  test('DATA_DIR/lookout.duckdb.windows a regular file: refused in one line naming it and what to do (exit 2), the file left alone; with summaryFilesMb: 0 the server starts', async () => {
    // Before: the server started and ran without the cache, saying nothing (every cold range read went to DuckDB).
    const dir = tempDir('lookout-audit13-diskops-');
    const cache = join(dir, 'lookout.duckdb.windows');
    writeFileSync(cache, 'someone\'s notes\n');
    const failed = await failedStart(['--data-dir', dir]);
    assert.ok(failed !== null, 'the server started with a file in the way of its summary-file cache');
    assert.equal(failed.code, 2, failed.stderr);
    assert.equal(failed.stderr.trim().split('\n').length, 1, failed.stderr);
    assert.equal(failed.stderr.trim(), `lookout: error: cannot use data dir ${dir}: ${cache} is not a directory (the DuckDB summary-file cache: move it away, or set summaryFilesMb: 0 to run without it)`);
    assert.equal(readFileSync(cache, 'utf8'), 'someone\'s notes\n');
    const config = join(dir, 'lookout.yaml');
    writeFileSync(config, 'summaryFilesMb: 0\n');
    const srv = await spawnServe(['--data-dir', dir, '--config', config]);
    try {
      assert.equal((await call(srv.url, 'GET', '/healthz')).status, 200);
      assert.doesNotMatch(srv.stderr(), /summary-file cache/);
    } finally {
      assert.equal(await srv.stop(), 0, srv.stderr());
    }
  });

  test('the cache\'s directory cannot be created for another reason (a file system out of inodes): the server starts, saying so in one warning', async (t: TestContext) => {
    // Before: it started without the cache, saying nothing.
    if (process.getuid?.() !== 0) return t.skip('not root: cannot mount a tmpfs to fill');
    const mnt = tempDir('lookout-audit13-diskops-');
    const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64m,nr_inodes=64', 'tmpfs', mnt], { encoding: 'utf8' });
    if (r.status !== 0) return t.skip(`mount -t tmpfs is not permitted here (${(r.stderr || String(r.error)).trim()})`);
    let srv: RunningServer | null = null;
    try {
      const data = join(mnt, 'd');
      srv = await spawnServe(['--data-dir', data]);
      assert.equal(await srv.stop(), 0, srv.stderr());
      rmSync(join(data, 'lookout.duckdb.windows'), { recursive: true });
      for (let i = 0; ; i++) {
        try {
          writeFileSync(join(mnt, `f${i}`), '');
        } catch {
          break;
        }
      }
      srv = await spawnServe(['--data-dir', data]);
      const warnings = srv.stderr().split('\n').filter((l) => l.includes('summary-file cache'));
      assert.equal(warnings.length, 1, srv.stderr());
      assert.match(warnings[0] as string, /^lookout: warning: the DuckDB summary-file cache \S+lookout\.duckdb\.windows cannot be used \(.+\): range reads go to the store alone/);
      assert.equal((await call(srv.url, 'GET', '/healthz')).status, 200);
    } finally {
      await srv?.stop('SIGKILL');
      unmount(mnt);
    }
  });
});

/** `lookout serve` as the user nobody (root only; null when setpriv or nobody is missing): a user permissions apply to. */
async function serveAsNobody(data: string): Promise<{ url: string; stderr: () => string; stop: () => Promise<number | null> } | null> {
  const ids = spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' });
  if (ids.status !== 0 || spawnSync('setpriv', ['--version']).status !== 0) return null;
  const proc = spawn('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, join(process.cwd(), 'bin', 'lookout.js'), 'serve', '--port', '0', '--quiet', '--data-dir', data], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
  const deadline = Date.now() + 60_000;
  while (!/listening on (http:\/\/\S+)/.test(err) && proc.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const url = /listening on (http:\/\/\S+)/.exec(err)?.[1];
  if (url === undefined) {
    proc.kill('SIGKILL');
    throw new Error(`did not start as nobody:\n${err}`);
  }
  return { url, stderr: () => err, stop: () => (proc.kill('SIGTERM'), exited) };
}

describe('audit13: the journal\'s directory made read-only while the server runs', () => {
  test('ingest and /healthz answer 503 naming the journal and EACCES, a read 503 with the checkpoint\'s reason; write permission back: all recover without a restart, nothing lost', { skip: process.getuid?.() === 0 ? false : 'needs root to run the server as another user' }, async (t: TestContext) => {
    // Before: the read said 'the store failed, see the server log' (the store had not failed, and the log said nothing
    // of the checkpoint); before this audit's first fix, ingest said 'retry later' and /healthz 200.
    const root = tempDir('lookout-audit13-diskops-');
    chmodSync(root, 0o755);
    const data = join(root, 'd');
    mkdirSync(data);
    const uid = Number(spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).stdout.trim());
    if (!Number.isInteger(uid)) return void t.skip('no user nobody');
    chownSync(data, uid, -1);
    let srv = await serveAsNobody(data);
    if (srv === null) return void t.skip('no setpriv here');
    try {
      assert.equal((await call(srv.url, 'POST', '/v1/models', MODEL)).status, 201);
      assert.equal((await call(srv.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
      assert.equal((await call(srv.url, 'POST', '/v1/events', { events: events('a', 100) })).status, 200);
      const journal = join(data, 'journal', readdirSync(join(data, 'journal'))[0] as string);
      chmodSync(journal, 0o555);
      const range = `from=${Date.now() - 3_600_000}&to=${Date.now() + 3_600_000}`;
      // The next checkpoint (a read waits for it) cannot rotate the journal into a new file.
      const read = await call(srv.url, 'GET', `/v1/models/m/health?version=1&${range}`);
      assert.equal(read.status, 503, JSON.stringify(read.body));
      const rm = (read.body['error'] as { message: string }).message;
      assert.match(rm, /a checkpoint failed: EACCES: permission denied, open '.*journal-\d+\.log'/, rm);
      assert.doesNotMatch(rm, /the store failed|see the server log/, rm);
      const r = await call(srv.url, 'POST', '/v1/events', { events: events('b', 100) });
      assert.equal(r.status, 503, JSON.stringify(r.body).slice(0, 300));
      const im = (r.body['error'] as { message: string }).message;
      assert.match(im, /summary journal cannot be written \(Error: EACCES: permission denied/, im);
      assert.doesNotMatch(im, /space/, im);
      const h = await call(srv.url, 'GET', '/healthz');
      assert.equal(h.status, 503, JSON.stringify(h.body));
      assert.match((h.body['error'] as { message: string }).message, /summary journal cannot be written \(Error: EACCES/);
      chmodSync(journal, 0o755);
      assert.equal((await call(srv.url, 'GET', '/healthz')).status, 200);
      const again = await call(srv.url, 'POST', '/v1/events', { events: events('b', 100) });
      assert.equal(again.status, 200, JSON.stringify(again.body).slice(0, 300));
      assert.equal(again.body['accepted'], 100);
      const after = await call(srv.url, 'GET', `/v1/models/m/health?version=1&${range}`);
      assert.equal(after.body['events'], 200, JSON.stringify(after.body).slice(0, 300));
      // Stopped while the journal cannot take the last checkpoint's file: exit 1 saying so, and the next start recovers.
      assert.equal((await call(srv.url, 'POST', '/v1/events', { events: events('c', 100) })).status, 200);
      chmodSync(journal, 0o555);
      const stopped = srv;
      srv = null;
      assert.equal(await stopped.stop(), 1, stopped.stderr());
      // Before: 'lookout: shutdown: EACCES: permission denied, open .../journal-N.log' alone.
      assert.match(stopped.stderr(), /lookout: shutdown: the last checkpoint could not be written \(EACCES: permission denied, open '[^']*journal-\d+\.log'\); nothing acknowledged is lost: the next start recovers it from the summary journal\n/);
      chmodSync(journal, 0o755);
      srv = await serveAsNobody(data);
      assert.ok(srv);
      assert.match(srv.stderr(), /recovered the summaries of 1 ingest group/);
      assert.equal((await call(srv.url, 'GET', `/v1/models/m/health?version=1&${range}`)).body['events'], 300);
    } finally {
      if (srv !== null) assert.equal(await srv.stop(), 0, srv.stderr());
    }
  });
});

/** The store's journal marks (committed, summarised) of a stopped server's data dir. */
async function journalMarks(data: string): Promise<{ committed: number; summarised: number }> {
  const db = await DuckDBInstance.create(join(data, 'lookout.duckdb'));
  try {
    const conn = await db.connect();
    const rows = (await conn.runAndReadAll("SELECT key, value FROM state WHERE key LIKE 'ingest.journal.%'")).getRows();
    conn.closeSync();
    const mark = (suffix: string): number => Number(rows.find((r) => String(r[0]).endsWith(suffix))?.[1] ?? 0);
    return { committed: mark('.committed'), summarised: mark('.summarised') };
  } finally {
    db.closeSync();
  }
}

describe('audit13: a summary journal cut short by hand', () => {
  test('after a crash, a journal file emptied by hand: the start says that committed groups cannot be counted (a warning), not nothing', async () => {
    // Before: the server started saying nothing, and /health counted fewer events than the store held.
    let data = '';
    for (let attempt = 0; attempt < 3; attempt++) {
      // Acknowledged, then killed before its checkpoint (every 2 s; the start's recovery checkpoint was just written).
      data = join(tempDir('lookout-audit13-diskops-'), 'd');
      const srv = await spawnServe(['--data-dir', data]);
      assert.equal((await call(srv.url, 'POST', '/v1/models', MODEL)).status, 201);
      assert.equal((await call(srv.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
      assert.equal((await call(srv.url, 'POST', '/v1/events', { events: events('a', 300) })).status, 200);
      await srv.stop('SIGKILL');
      const marks = await journalMarks(data);
      if (marks.committed > marks.summarised) break;
      data = '';
    }
    assert.ok(data !== '', 'the server checkpointed before each kill -9 (3 attempts): nothing to cut');
    const dir = join(data, 'journal', readdirSync(join(data, 'journal'))[0] as string);
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.log'))) truncateSync(join(dir, f), 0);
    const srv = await spawnServe(['--data-dir', data]);
    try {
      assert.match(srv.stderr(), /lookout: warning: the summary journal lacks the records of 1 ingest group the store may have committed since the last checkpoint \(a journal file removed or cut short\?\): their events are stored but not counted in the window summaries\n/);
      const h = await call(srv.url, 'GET', `/v1/models/m/health?version=1&from=${Date.now() - 3_600_000}&to=${Date.now() + 3_600_000}`);
      assert.equal(h.body['events'], 0, 'what the warning says');
    } finally {
      await srv.stop('SIGKILL');
    }
  });
});
