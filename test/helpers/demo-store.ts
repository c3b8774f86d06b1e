import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './cli.js';
import { spawnServe } from './process.js';
import { call } from './server.js';

/*
 * The demo's data dir, filled once per test run. `lookout serve --demo` on an empty data dir takes ~50 CPU-seconds
 * (30 days of traffic for two models, the monitors backfilled over them): the files that only use a demo store start
 * their server on a copy of one filled for the whole run (demoDataDir), rather than each filling its own.
 *
 * Where: LOOKOUT_TEST_RUN_DIR, a directory scripts/run-tests.mjs makes for each run (and removes at the end), shared
 * by the run's test processes. The first caller fills the template there under a lock (an atomic mkdir; a lock whose
 * process is gone is taken over); the others wait for it and copy it. Without that variable (a file run alone with
 * `node --test`), each process fills a template of its own: never one left by an earlier run, whose incidents would
 * be dated from another day.
 */

export interface DemoFill {
  /** The filling server's stderr, from the start to its clean stop (exit 0 on SIGTERM). */
  stderr: string;
  /** The time the demo's data was made for (its incidents are dated from it), from the filling server's `try:` line. */
  filledAt: number;
  /** Events of each model the filling server counted (the last 40 days), just before it stopped. */
  events: { churn: number; eta: number };
  /** The test process that filled it, and how long the fill took (from the spawn to "listening on"). */
  pid: number;
  fillMs: number;
}

const DAY = 86_400_000;
const FILL_TIMEOUT_MS = 300_000;
/** How long a caller waits for another process's fill before it gives up (the fill itself times out before). */
const WAIT_MS = 420_000;
/** A lock directory without its owner file this long after it was made: its maker died between the two steps. */
const OWNERLESS_MS = 10_000;

let root: string | null = null;
let known: DemoFill | null = null;

function templateRoot(): string {
  if (root === null) {
    const run = process.env['LOOKOUT_TEST_RUN_DIR'];
    if (run) root = run;
    else {
      const own = tempDir('lookout-demo-template-');
      process.once('exit', () => rmSync(own, { recursive: true, force: true })); // ~200 MB; a run's goes with its run dir
      root = own;
    }
  }
  return root;
}

const paths = (): { template: string; lock: string; failed: string } => {
  const r = templateRoot();
  return { template: join(r, 'demo-template'), lock: join(r, 'demo-template.lock'), failed: join(r, 'demo-template.failed') };
};

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock's owner pid; null while its maker has not written it yet. */
function owner(lock: string): number | null {
  try {
    return Number(readFileSync(join(lock, 'owner'), 'utf8'));
  } catch {
    return null;
  }
}

/** Removes a lock whose process is gone (or that never got an owner); true when it did. */
function removeStale(lock: string): boolean {
  let made: number;
  try {
    made = statSync(lock).mtimeMs;
  } catch {
    return true; // released meanwhile
  }
  const pid = owner(lock);
  if (pid === null ? Date.now() - made < OWNERLESS_MS : alive(pid)) return false;
  // Two waiters may both find it stale and the second remove the lock the first has just taken: both fill then, each
  // in a directory of its own, and the second's publication finds the template there (fill()): harmless.
  rmSync(lock, { recursive: true, force: true });
  return true;
}

function readFill(template: string): DemoFill {
  return JSON.parse(readFileSync(join(template, 'fill.json'), 'utf8')) as DemoFill;
}

/** Runs `lookout serve --demo` on an empty data dir, stops it cleanly and publishes it as the run's template. */
async function fill(template: string): Promise<DemoFill> {
  const work = `${template}.filling-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const t0 = Date.now();
  const srv = await spawnServe(['--demo', '--data-dir', join(work, 'data')], FILL_TIMEOUT_MS);
  const fillMs = Date.now() - t0;
  let events: DemoFill['events'];
  try {
    const count = async (model: string): Promise<number> => {
      // 40 days back: the 30 days of the demo, and the query's range limit (400 days) far off
      const r = await call(srv.url, 'GET', `/v1/models/${model}/health?from=${Date.now() - 40 * DAY}&to=${Date.now() + DAY}`);
      if (r.status !== 200 || typeof r.body['events'] !== 'number') throw new Error(`the filling server's ${model} health: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      return r.body['events'];
    };
    events = { churn: await count('churn'), eta: await count('eta') };
  } catch (e) {
    await srv.stop('SIGKILL');
    throw e;
  }
  const code = await srv.stop('SIGTERM');
  const stderr = srv.stderr();
  if (code !== 0) throw new Error(`the demo fill's server exited with ${String(code)} on SIGTERM:\n${stderr}`);
  const m = /drift\?from=([^&\s]+)&to=/.exec(stderr);
  if (!m) throw new Error(`the demo fill's server printed no drift example (try: ... drift?from=...):\n${stderr}`);
  const filledAt = Date.parse(m[1] as string) + 10 * DAY;
  const done: DemoFill = { stderr, filledAt, events, pid: process.pid, fillMs };
  writeFileSync(join(work, 'fill.json'), JSON.stringify(done));
  try {
    renameSync(work, template); // atomic: a template is there whole or not at all
  } catch (e) {
    if (!existsSync(join(template, 'fill.json'))) throw e;
    rmSync(work, { recursive: true, force: true }); // another process published one first (see removeStale)
    return readFill(template);
  }
  return done;
}

/**
 * The run's demo fill: a real `lookout serve --demo` on an empty data dir, stopped cleanly, made by this process (the
 * first to ask in the run) or by another test process of the run. A fill that failed fails every caller with its error.
 */
export async function demoFill(): Promise<DemoFill> {
  if (known) return known;
  const { template, lock, failed } = paths();
  const until = Date.now() + WAIT_MS;
  for (;;) {
    if (existsSync(join(template, 'fill.json'))) return (known = readFill(template));
    if (existsSync(failed)) throw new Error(`the run's demo fill failed (${failed}):\n${readFileSync(failed, 'utf8')}`);
    let mine = false;
    try {
      mkdirSync(lock);
      mine = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (mine) {
      try {
        writeFileSync(join(lock, 'owner'), String(process.pid));
        if (existsSync(join(template, 'fill.json'))) return (known = readFill(template)); // published between the check and the lock
        return (known = await fill(template));
      } catch (e) {
        writeFileSync(failed, `in process ${process.pid}: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
        throw e;
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    }
    if (removeStale(lock)) continue;
    if (Date.now() > until) throw new Error(`waited ${WAIT_MS / 1000} s for the demo fill of process ${String(owner(lock))} (${lock})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * A fresh data dir holding a copy of the run's demo fill (see demoFill), for a server started on it with
 * `lookout serve --demo --data-dir DIR` (which adds nothing to a filled store). Its incidents are dated from the fill
 * (DemoFill.filledAt): in a run, a few minutes before the caller's start at most.
 */
export async function demoDataDir(prefix = 'lookout-demo-copy-'): Promise<string> {
  const { template } = paths();
  await demoFill();
  const dir = tempDir(prefix);
  cpSync(join(template, 'data'), dir, { recursive: true });
  return dir;
}
