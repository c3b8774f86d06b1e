// Runs every compiled *.test.js under dist/ with node's test runner.
// Prints the usual spec output plus a final "N passed, N failed" line.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statfsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

/*
 * Order: node's runner sorts the files it is given by path (Node 20: dist/src/... first, then dist/test/... by name), so
 * no order is set here (a "longest first" list did nothing: measured 2026-12-07 with --test-concurrency=1). The two
 * slots were busy ~85% of the run's CPU time either way (the run is CPU-bound on 2 cores: 23 CPU-min in 13.7 min).
 * The first file that needs the demo store fills it (test/helpers/demo-store.ts); the others wait for it and copy it.
 */
const filter = process.argv.slice(2);
let files = findTests('dist').sort();
if (filter.length > 0) files = files.filter((f) => filter.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('no test files found under dist/ (did the build run?)');
  process.exit(1);
}
// A hung test must fail, not stall CI: every test gets a deadline (suites set their own, shorter ones),
// and the whole run a watchdog (27 min, or under .ci/run 29.5 min from its start: a hung run still ends inside CI's 30 minutes).
// One file at a time the suite took ~25 min on this 2-core machine (fourth session of 2026-12-05: 1,484 s in the last
// CI); two at a time 12 min (720 s, same machine, no failure).
// Files run two at a time by default (node's default on 2 cores is one): most of them wait on servers, child processes,
// DuckDB files and Chromium rather than compute. LOOKOUT_TEST_CONCURRENCY=1 runs them one by one.
const concurrency = Number(process.env.LOOKOUT_TEST_CONCURRENCY ?? 2);
const args = [
  '--test',
  `--test-concurrency=${concurrency}`,
  '--test-timeout=300000',
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=./scripts/summary-reporter.mjs', '--test-reporter-destination=stdout',
  ...files,
];
/**
 * Where the tests' temporary files go (data dirs, DuckDB files, journals): a RAM file system when the machine has one
 * with room (/dev/shm, at least 8 GiB free; the suite's peak was 3.7 GiB), else the usual temp dir. Servers in tests
 * commit with fsync at every write (rollout steps, alias changes, ingest groups), and a slow or busy disk makes files wait
 * (2026-12-06, with other jobs running: duckdb/transactions.test 42 -> 26 s, audit6-rollout-stats 55-58 -> 38-49 s; on
 * the same machine idle, with a fast disk, the whole run took as long either way). What the tests check is the same on
 * either: a killed process loses nothing acknowledged, whatever the file system (a power cut is not what they
 * simulate). Removed at the end; one left by a run that was interrupted (Ctrl-C) is removed by a run a day later.
 * LOOKOUT_TEST_TMPDIR=DIR names another place ("" for the usual temp dir).
 */
function testTempDir() {
  const asked = process.env.LOOKOUT_TEST_TMPDIR;
  if (asked !== undefined) return asked === '' ? null : asked;
  try {
    for (const name of readdirSync('/dev/shm')) {
      const old = join('/dev/shm', name);
      if (name.startsWith('lookout-tests-') && Date.now() - statSync(old).mtimeMs > 86_400_000) rmSync(old, { recursive: true, force: true });
    }
    const fs = statfsSync('/dev/shm');
    if (fs.bavail * fs.bsize < 8 * 2 ** 30) return null;
    const dir = mkdtempSync('/dev/shm/lookout-tests-');
    chmodSync(dir, 0o1777); // as /tmp: tests that run a process as another user (nobody) reach their files
    return dir;
  } catch {
    return null;
  }
}
// The CLI's bundle (dist/bundle/, what bin/lookout.js runs) is built again when tsc changed dist/src since, or an
// install changed node_modules: the tests that start `lookout` test what users run (`npm test` builds it anyway; this is for
// `tsc` followed by this script).
const { freshBundle } = await import('../dist/src/cli/bundle-fresh.js');
const mtime = (f) => statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? 0;
if (freshBundle('dist/bundle') === null || mtime('node_modules/.package-lock.json') > mtime('dist/bundle/manifest.json')) {
  const b = spawnSync(process.execPath, ['scripts/bundle.mjs'], { stdio: 'inherit' });
  if (b.status !== 0) {
    console.error('could not build the CLI bundle (scripts/bundle.mjs)');
    process.exit(1);
  }
}

const tmp = testTempDir();
const made = tmp !== null && process.env.LOOKOUT_TEST_TMPDIR === undefined;
console.log(`test temp files: ${tmp ?? process.env.TMPDIR ?? '/tmp'}`);
/**
 * A directory the run's test files share, removed at the end: test/helpers/demo-store.ts fills the demo's data dir
 * there once (`lookout serve --demo`, ~50 CPU-s) for the files that only use a demo store, which start on copies of it.
 */
const runDir = mkdtempSync(join(tmp ?? tmpdir(), 'lookout-run-'));
const env = { ...process.env, ...(tmp !== null && { TMPDIR: tmp }), LOOKOUT_TEST_RUN_DIR: runDir };

// Under .ci/run (LOOKOUT_CI_STARTED_MS), what is left of 29.5 minutes from CI's start (install, lint and build took
// ~1-1.5 min on the 2-core VM; the suite 16-23 min there, the machine's speed varying with its host: 2026-12-08, page
// faults at 11-14 us each, 9.6 min of system time in a 24-min CI run); else 27 minutes.
const ciStarted = Number(process.env.LOOKOUT_CI_STARTED_MS);
const runMinutes = Number(process.env.LOOKOUT_TEST_RUN_MINUTES ?? (Number.isFinite(ciStarted) && ciStarted > 0 ? Math.max(1, (ciStarted + 29.5 * 60_000 - Date.now()) / 60_000) : 27));
const res = spawnSync(process.execPath, args, { stdio: 'inherit', env, timeout: runMinutes * 60_000, killSignal: 'SIGKILL' });
rmSync(runDir, { recursive: true, force: true });
if (made) rmSync(tmp, { recursive: true, force: true });
if (res.error || res.signal) {
  console.error(`test run stopped: ${res.error?.message ?? res.signal} (limit ${runMinutes.toFixed(1)} min, LOOKOUT_TEST_RUN_MINUTES)`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}
process.exit(res.status ?? 1);
