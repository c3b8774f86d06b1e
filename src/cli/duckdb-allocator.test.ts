import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { DUCKDB_ALLOCATOR_DEFAULT, DUCKDB_ALLOCATOR_ENV } from './duckdb-allocator.js';

const MODULE = pathToFileURL(join(process.cwd(), 'dist', 'src', 'cli', 'duckdb-allocator.js')).href;

/** A child node with DUCKDB_JE_MALLOC_CONF as given (undefined: unset) running `code` as an ES module. */
function node(value: string | undefined, args: string[]): { status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env[DUCKDB_ALLOCATOR_ENV];
  if (value !== undefined) env[DUCKDB_ALLOCATOR_ENV] = value;
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe('DuckDB allocator options (duckdb-allocator.ts)', () => {
  test('sets the default when the variable is unset, and leaves an operator\'s value (even empty) alone', () => {
    const show = ['--input-type=module', '-e', `await import(${JSON.stringify(MODULE)}); process.stdout.write(JSON.stringify(process.env.${DUCKDB_ALLOCATOR_ENV} ?? null))`];
    assert.equal(JSON.parse(node(undefined, show).stdout), DUCKDB_ALLOCATOR_DEFAULT);
    assert.equal(JSON.parse(node('dirty_decay_ms:1000', show).stdout), 'dirty_decay_ms:1000');
    assert.equal(JSON.parse(node('', show).stdout), '');
  });

  test('DuckDB\'s jemalloc reads the variable when it loads and accepts the default (abort_conf aborts on anything it does not know)', () => {
    const load = ['--input-type=module', '-e', "const d = await import('@duckdb/node-api'); await d.DuckDBInstance.create(':memory:'); process.stdout.write('loaded')"];
    const bad = node('abort_conf:true,no_such_option:1', load);
    assert.equal(bad.signal, 'SIGABRT', `an unknown option must abort the load: ${bad.stderr}`);
    const good = node(`abort_conf:true,${DUCKDB_ALLOCATOR_DEFAULT}`, load);
    assert.equal(good.status, 0, good.stderr);
    assert.equal(good.stdout, 'loaded');
  });

  test('the lookout binary sets it before DuckDB\'s native library is loaded', () => {
    // Records the variable at the moment the DuckDB addon is dlopen()ed (which loads libduckdb and runs jemalloc's
    // constructor); fails if bin/lookout.js imports anything that loads DuckDB before duckdb-allocator.js.
    const dir = mkdtempSync(join(tmpdir(), 'lookout-alloc-'));
    const preload = join(dir, 'watch-dlopen.mjs');
    writeFileSync(preload, `const dlopen = process.dlopen;
process.dlopen = function (module, filename, ...rest) {
  if (/duckdb/.test(String(filename))) process.stderr.write('DLOPEN ' + JSON.stringify(process.env.${DUCKDB_ALLOCATOR_ENV} ?? null) + '\\n');
  return dlopen.call(this, module, filename, ...rest);
};
`);
    const run = (...args: string[]): { status: number | null; stderr: string; seen: unknown[] } => {
      const r = node(undefined, ['--import', pathToFileURL(preload).href, join(process.cwd(), 'bin', 'lookout.js'), ...args]);
      return { ...r, seen: [...r.stderr.matchAll(/^DLOPEN (.*)$/gm)].map((m) => JSON.parse(m[1] as string) as unknown) };
    };
    // drift reads its files with DuckDB: loaded once the command runs, with the variable set
    writeFileSync(join(dir, 'a.csv'), 'x\n1\n2\n3\n');
    const drift = run('drift', '--reference', join(dir, 'a.csv'), '--current', join(dir, 'a.csv'), '--json');
    assert.equal(drift.status, 0, drift.stderr);
    assert.ok(drift.seen.length > 0, `the DuckDB addon was loaded: ${drift.stderr}`);
    assert.deepEqual(drift.seen, drift.seen.map(() => DUCKDB_ALLOCATOR_DEFAULT));
    // --version and the HTTP commands do not load it at all (every command loaded every module until this session: ~2 s
    // of start-up on a loaded machine against 0.5 s)
    for (const args of [['--version'], ['serve', '--help'], ['models', 'list', '--url', 'http://127.0.0.1:9']]) {
      const r = run(...args);
      assert.deepEqual(r.seen, [], `${args.join(' ')}: ${r.stderr}`);
    }
  });
});
