import { execFile, execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { readlink } from 'node:fs/promises';
import { promisify } from 'node:util';

/**
 * Background threads at idle CPU priority (Linux). The server's storage work runs off the event loop, on
 * DuckDB's threads and libuv's thread pool (and the delta worker); on a machine whose cores are shared with
 * the load (the gateway's upstreams, other services) that work competes for CPU with the thread that answers
 * requests. Under SCHED_IDLE a thread runs only on a CPU that has nothing else to run, and a waking normal
 * thread preempts it at once; `nice 19` does not do that (measured: docs/history/gateway-latency.md).
 * Node has no sched_setscheduler, so util-linux's `chrt` sets the policy (written here: no package does this).
 */

const run = promisify(execFile);
const SCHED_IDLE = 5;

/** Thread ids of this process (empty where /proc is missing). */
export function processThreads(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number).filter(Number.isSafeInteger);
  } catch {
    return [];
  }
}

const tidOf = (link: string): number | null => {
  const m = /\/task\/(\d+)$/.exec(link);
  return m ? Number(m[1]) : null;
};

/** The calling thread's id (a worker thread's own), or null where /proc/thread-self is missing. */
export function ownThread(): number | null {
  try {
    return tidOf(readlinkSync('/proc/thread-self'));
  } catch {
    return null;
  }
}

/** libuv's thread pool size (UV_THREADPOOL_SIZE, default 4). */
export function poolSize(): number {
  const n = Number(process.env['UV_THREADPOOL_SIZE'] ?? 4);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 1024) : 4;
}

/**
 * libuv's pool threads: an asynchronous readlink of /proc/thread-self runs on a pool thread and names it, and
 * concurrent calls spread over the pool. Stops once `size` threads were seen (or after `rounds` rounds).
 */
export async function poolThreads(size = poolSize(), rounds = 50): Promise<number[]> {
  const seen = new Set<number>();
  for (let i = 0; i < rounds && seen.size < size; i++) {
    const links = await Promise.all(Array.from({ length: size * 16 }, () => readlink('/proc/thread-self').catch(() => '')));
    for (const l of links) {
      const t = tidOf(l);
      if (t !== null && t !== process.pid) seen.add(t);
    }
  }
  return [...seen].sort((a, b) => a - b);
}

/** A thread's scheduling policy from /proc (0 normal, 3 batch, 5 idle), null if it cannot be read. */
export function schedPolicy(pid: number, tid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const policy = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[38]);
    return Number.isInteger(policy) ? policy : null;
  } catch {
    return null;
  }
}

/** Why threads cannot be put under SCHED_IDLE here (not Linux, no chrt), or null when they can. */
export function idlePriorityUnavailable(): string | null {
  if (process.platform !== 'linux') return 'Linux only (/proc, SCHED_IDLE)';
  try {
    execFileSync('chrt', ['--version'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'chrt (util-linux) is not installed';
  }
}

/**
 * One shell runs chrt for each thread id given (one process started by Node instead of one per thread: starting a
 * process from the server costs its main thread ~20 ms each, measured, and a start set six); a thread that ended
 * meanwhile (no /proc entry of the server's) is skipped. Prints the ids it set, one per line; exits 127 without chrt.
 */
const IDLE_SCRIPT = 'command -v chrt >/dev/null || exit 127; '
  + 'for t in "$@"; do if chrt --idle --pid 0 "$t"; then echo "$t"; elif [ -d "/proc/$PPID/task/$t" ]; then exit 1; fi; done';

/** Puts threads of this process under SCHED_IDLE (the main thread never). Throws with chrt's message if it cannot. */
export async function idleThreads(tids: readonly number[]): Promise<number[]> {
  const wanted = [...new Set(tids)].filter((t) => t !== process.pid);
  if (wanted.length === 0) return [];
  try {
    const { stdout } = await run('/bin/sh', ['-c', IDLE_SCRIPT, 'sh', ...wanted.map(String)]);
    return stdout.split('\n').filter((l) => l !== '').map(Number);
  } catch (e) {
    const err = e as { code?: unknown; stderr?: unknown };
    throw new Error(err.code === 127 ? 'chrt (util-linux) is not installed' : `chrt failed: ${String(err.stderr ?? e).trim()}`, { cause: e });
  }
}

/**
 * The server's background threads under SCHED_IDLE: libuv's pool and the threads started since `before` (the
 * store's; the main thread and V8's helper threads, which the main thread waits for in garbage collections,
 * exist before and stay as they are). Returns how many were set, or why none could be.
 */
export async function idleBackgroundThreads(before: ReadonlySet<number>): Promise<{ threads: number } | { error: string }> {
  if (process.platform !== 'linux') return { error: 'Linux only (/proc, SCHED_IDLE)' };
  try {
    const started = processThreads().filter((t) => !before.has(t));
    const set = await idleThreads([...(await poolThreads()), ...started]);
    return { threads: set.length };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** The start-up line saying what idleBackgroundThreads did. */
export function describeIdle(r: { threads: number } | { error: string }): string {
  return 'threads' in r ? `${r.threads} storage threads run at idle CPU priority` : `storage threads stay at normal CPU priority: ${r.error}`;
}

export { SCHED_IDLE };
