import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { fitIsotonic } from '../src/core/summary/calibration.js';
import type { Server } from '../src/server.js';
import { tempDir } from './helpers/cli.js';
import { call, testServer } from './helpers/server.js';

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

/** Every file under DATA_DIR/references (any model), by path relative to it. */
function referenceFiles(dataDir: string): string[] {
  const root = join(dataDir, 'references');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name).slice(root.length + 1)).sort();
}

/** A PUT of `sent` bytes of a body announced as `announced` bytes, the connection then destroyed (a client gone mid-upload). */
function abortedUpload(base: string, path: string, announced: number, sent: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const u = new URL(base + path);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'PUT', headers: { 'content-type': 'text/csv', 'content-length': String(announced) } });
    req.on('error', () => resolve());
    req.on('response', (res) => {
      res.resume();
      resolve();
    });
    req.write(sent, () => setTimeout(() => {
      req.destroy();
      resolve();
    }, 100));
  });
}

describe('audit4: references and data-directory hygiene (real server, DuckDB file)', () => {
  let s: Server;
  let base = '';
  before(async () => {
    // A fixed clock: two uploads of a version in the same millisecond are the common case here, not a rare one.
    s = await testServer({ clock: () => NOW });
    base = s.url;
  });
  after(async () => {
    await s.close();
  });

  const put = (name: string, body: string | Uint8Array, query = '', type = 'text/csv') =>
    call(base, 'PUT', `/v1/models/${name}/versions/1/reference${query}`, body, { 'content-type': type });

  test('failed reference uploads (422 of the metrics, a bad column, a parse error, a client gone mid-body) leave no file; a successful one keeps its own', async () => {
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'refs', outputKind: 'binary', classes: ['no', 'yes'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/refs/versions', { version: '1' })).status, 201);
    const rows = Array.from({ length: 200 }, (_, i) => `${i / 10},${i % 2 ? 'yes' : 'no'},${i % 2 ? 0.8 : 0.2},${i % 2 ? 'yes' : 'no'}`);
    const good = `x,prediction,score,label\n${rows.join('\n')}\n`;
    const ok = await put('refs', good);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const kept = referenceFiles(s.deps.dataDir);
    assert.equal(kept.length, 1, `one file for the successful upload: ${kept.join(', ')}`);
    const keptPath = join(s.deps.dataDir, 'references', kept[0] as string);
    const source = ((ok.body['versions'] as Array<{ reference: { source: { file: string } } }>)[0]?.reference.source.file);
    assert.equal(source, keptPath, 'the profile names the file kept');

    const failures: Array<[string, () => Promise<{ status: number }>]> = [
      ['a third class the metrics refuse', () => put('refs', 'x,prediction,score,label\n1,yes,0.9,maybe\n2,no,0.1,no\n')],
      ['a score outside [0, 1]', () => put('refs', 'x,prediction,score,label\n1,yes,7,yes\n2,no,0.1,no\n')],
      ['a label column the file does not have', () => put('refs', good, '?label=nope')],
      ['none of the model features', () => put('refs', 'y,label\n1,yes\n')],
      ['a file with no rows', () => put('refs', 'x,label\n')],
      ['a Parquet body that is not Parquet', () => put('refs', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), '', 'application/vnd.apache.parquet')],
      ['JSON lines that do not parse', () => put('refs', '{"x": 1,\n{{{\n', '', 'application/x-ndjson')],
    ];
    for (const [what, f] of failures) {
      const r = await f();
      assert.equal(r.status, 422, `${what}: ${r.status}`);
      assert.deepEqual(referenceFiles(s.deps.dataDir), kept, `${what}: no file left behind, the successful upload's kept`);
    }
    // A client gone mid-body (1 KiB of an announced 1 MiB), twice.
    for (let i = 0; i < 2; i++) await abortedUpload(base, '/v1/models/refs/versions/1/reference', 1 << 20, Buffer.from(good.slice(0, 1024)));
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(referenceFiles(s.deps.dataDir), kept, 'an aborted upload leaves no file');

    // Failing uploads concurrent with a successful one (same version, same millisecond): only the successful file stays.
    const results = await Promise.all([put('refs', good), ...failures.map(([, f]) => f())]);
    assert.equal(results[0]?.status, 200);
    const after = referenceFiles(s.deps.dataDir);
    assert.equal(after.length, 2, `the two successful uploads' files: ${after.join(', ')}`);
    const m = await call(base, 'GET', '/v1/models/refs');
    const current = (m.body['versions'] as Array<{ reference: { source: { file: string } } }>)[0]?.reference.source.file as string;
    assert.ok(existsSync(current), `the file of the current reference is there (${current})`);
    assert.equal(readFileSync(current, 'utf8'), good, 'with the successful upload\'s bytes');
    assert.equal(readFileSync(keptPath, 'utf8'), good, 'the first successful upload\'s file untouched');
  });
});

/**
 * `lookout serve --data-dir DIR` (the real binary) as user `uid` (root: nobody, whom chmod stops; else the user itself);
 * killed after `timeoutMs` (code null then).
 */
function serveDataDir(dir: string, timeoutMs = 20_000): Promise<{ code: number | null; stderr: string }> {
  const root = process.getuid?.() === 0;
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(process.cwd(), 'bin', 'lookout.js'), 'serve', '--quiet', '--port', '0', '--data-dir', dir], {
      stdio: ['ignore', 'ignore', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL', ...(root && { uid: 65534, gid: 65534 }),
    });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('audit4: lookout serve with a data dir it cannot create: one line naming the directory and why, exit 2', () => {
  const expectRefusal = async (dir: string, why: RegExp): Promise<void> => {
    const r = await serveDataDir(dir);
    assert.equal(r.code, 2, `exit 2 for ${dir} (null: still running after 20 s, killed): ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at |listening on/, r.stderr);
    assert.match(r.stderr, new RegExp(`cannot use data dir ${dir.replace(/[/.]/g, '\\$&')}: `), r.stderr);
    assert.match(r.stderr, why, r.stderr);
  };

  test('a data dir whose parent is read-only names the parent: cannot create DIR: PARENT is not writable (EACCES)', async () => {
    const parent = tempDir('lookout-audit4-ro-');
    chmodSync(parent, 0o555);
    await expectRefusal(join(parent, 'data'), new RegExp(`cannot create ${parent}/data: ${parent} is not writable \\(EACCES\\)`));
    // two levels missing: the first one it cannot create is named
    await expectRefusal(join(parent, 'a', 'b'), new RegExp(`cannot create ${parent}/a: ${parent} is not writable \\(EACCES\\)`));
  });

  test('a data dir under a file names the file in the way', async () => {
    const dir = tempDir('lookout-audit4-file-');
    chmodSync(dir, 0o755);
    const file = join(dir, 'file.txt');
    writeFileSync(file, 'x');
    await expectRefusal(join(file, 'sub'), new RegExp(`not a directory \\(${file} is not a directory\\)`));
    await expectRefusal(join(file, 'a', 'b'), new RegExp(`not a directory \\(${file} is not a directory\\)`));
    await expectRefusal(file, /: not a directory$/m);
  });

  test('a data dir its file system refuses to create (under /proc) is refused at once, not a start spinning for ever at full CPU', { skip: process.platform !== 'linux' }, async () => {
    await expectRefusal('/proc/lookout-no-such/data', /cannot create \/proc\/lookout-no-such: the file system of \/proc does not take new directories \(ENOENT\)/);
  });
});

describe('audit4: reference profiles stored before the one-class calibration fix (real server, DuckDB file, restarted)', () => {
  test('a stored profile whose calibration was fitted on one class is not used: CBPE estimated is null after a restart, as after a re-upload', async () => {
    const HOUR = 3_600_000;
    const dataDir = tempDir('lookout-audit4-stale-');
    const start = async (): Promise<Server> => testServer({ clock: () => NOW, configure: (c) => ((c.dataDir = dataDir), (c.ingest.sampleRate = 1)) });
    let s = await start();
    try {
      const base = s.url;
      assert.equal((await call(base, 'POST', '/v1/models', { name: 'stale', outputKind: 'binary', classes: ['no', 'yes'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
      assert.equal((await call(base, 'POST', '/v1/models/stale/versions', { version: '1' })).status, 201);
      const scores = Array.from({ length: 50 }, (_, i) => Number((i / 50).toFixed(2)));
      const csv = `x,prediction,score,label\n${scores.map((sc, i) => `${i},${i % 5 ? 'no' : 'yes'},${sc},no`).join('\n')}\n`;
      assert.equal((await call(base, 'PUT', '/v1/models/stale/versions/1/reference', csv, { 'content-type': 'text/csv' })).status, 200);
      // The profile as stored before: the same, with the calibration fitted on its one class (every score calibrated to 0).
      const v = await s.deps.store.getVersion('stale', '1');
      const profile = v?.reference as Record<string, unknown>;
      assert.equal(profile['calibration'], undefined, 'today no calibration is fitted on one class');
      await s.deps.store.putVersion({ ...(v as NonNullable<typeof v>), reference: { ...profile, calibration: fitIsotonic(scores, scores.map(() => 0 as const)) } });
    } finally {
      await s.close();
    }
    s = await start();
    try {
      const base = s.url;
      const from = NOW - 3 * HOUR;
      const events = Array.from({ length: 20 }, (_, i) => ({ id: `stale-${i}`, model: 'stale', version: '1', timestamp: from + i * 60_000, features: { x: i }, prediction: i % 2 ? 'yes' : 'no', score: i % 2 ? 0.9 : 0.1 }));
      assert.equal((await call(base, 'POST', '/v1/events', { events })).body['accepted'], 20);
      assert.equal((await call(base, 'POST', '/v1/labels', events.map((e) => ({ id: e.id, label: e.prediction })))).body['accepted'], 20);
      const p = await call(base, 'GET', `/v1/models/stale/performance?from=${from}&to=${from + HOUR}&ci=false&segments=false`);
      assert.equal(p.status, 200, JSON.stringify(p.body));
      assert.equal(p.body['estimated'], null, `no estimate from a one-class calibration: ${JSON.stringify(p.body['estimated'])}`);
      assert.equal((p.body['realized'] as { metrics: Record<string, { value: number }> }).metrics['accuracy']?.value, 1);
    } finally {
      await s.close();
    }
  });
});
