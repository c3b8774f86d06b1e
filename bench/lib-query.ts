import { describeIdle, idleBackgroundThreads } from '../src/cli/thread-priority.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PerformanceObserver } from 'node:perf_hooks';
import { procCounters } from './lib-proc.js';
import { msSince } from './lib-stats.js';

/** Helpers of bench:query and its restarted server (query-restart.ts). */

/** Garbage collections of this process (start and duration in ms), kept while `repeat` runs. */
const gcs: Array<{ start: number; ms: number }> = [];
let watching = 0;
const observer = new PerformanceObserver((list) => {
  if (watching === 0) return;
  for (const e of list.getEntries()) gcs.push({ start: e.startTime, ms: e.duration });
});
observer.observe({ entryTypes: ['gc'] });
/** Per timed run of `repeat`: the GC time (ms) that fell inside it, and the minor page faults this process took during it. */
const gcByRun = new WeakMap<number[], number[]>();
const faultsByRun = new WeakMap<number[], number[]>();

/**
 * What the slowest runs of `repeat` spent in garbage collection, and the page faults this process (server and client)
 * took during each: "80 (GC 12, 1,204 faults), ..." (a fault of a fresh page costs freshPageMicros()).
 */
export function slowestWithGc(ms: number[], n = 3): string {
  const gc = gcByRun.get(ms) ?? [];
  const faults = faultsByRun.get(ms) ?? [];
  return ms.map((x, i) => [x, gc[i] ?? 0, faults[i]] as const).sort((a, b) => b[0] - a[0]).slice(0, n)
    .map(([x, g, f]) => `${x.toFixed(0)} (GC ${g.toFixed(0)}${f === undefined || Number.isNaN(f) ? '' : `, ${f.toLocaleString('en-US')} faults`})`).join(', ');
}

/** The minor page faults of the runs of `repeat` (this process: server and client), by quantile: "p50 12, max 3,118". */
export function faultsOfRuns(ms: number[]): string {
  const f = [...(faultsByRun.get(ms) ?? [])].sort((a, b) => a - b);
  if (f.length === 0 || f.some(Number.isNaN)) return 'n/a';
  const at = (q: number): string => (f[Math.round(q * (f.length - 1))] as number).toLocaleString('en-US');
  return `p50 ${at(0.5)}, p95 ${at(0.95)}, max ${at(1)}`;
}

/** Times `f` `reps` times at most (after `warm` untimed runs), stopping after `budgetMs`. */
export async function repeat(reps: number, budgetMs: number, f: () => Promise<unknown>, warm = 3): Promise<number[]> {
  for (let i = 0; i < warm; i++) await f();
  const out: number[] = [];
  const faults: number[] = [];
  const starts: number[] = [];
  const t0 = Date.now();
  watching++;
  try {
    while (out.length < reps && Date.now() - t0 < budgetMs) {
      const f0 = procCounters(process.pid).minorFaults; // read outside the timed span (a /proc read)
      starts.push(performance.now());
      const t = process.hrtime.bigint();
      await f();
      out.push(msSince(t));
      faults.push(procCounters(process.pid).minorFaults - f0);
    }
    await new Promise((r) => setTimeout(r, 20)); // GC entries are delivered after the fact
  } finally {
    watching--;
  }
  const gc = out.map((ms, i) => gcs.filter((g) => g.start >= (starts[i] ?? 0) && g.start < (starts[i] ?? 0) + ms).reduce((a, g) => a + g.ms, 0));
  if (watching === 0) gcs.length = 0;
  gcByRun.set(out, gc);
  faultsByRun.set(out, faults);
  return out;
}

export async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url);
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url} -> ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/**
 * Makes this process's HTTP client (fetch, i.e. undici) ready: it is loaded and compiled on its first request, which in a
 * new process took ~45 ms of the first timed request after a restart (69-75 ms, against 20-37 ms once the client had made
 * one request elsewhere; three pairs). The request goes to a throwaway local server, so that the server under test sees
 * none before the timed ones: its own first-request costs stay in the figures.
 */
export async function warmClient(): Promise<void> {
  const other = createServer((_req, res) => res.end('{}'));
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
  try {
    await getJson(`http://127.0.0.1:${(other.address() as AddressInfo).port}/`);
  } finally {
    other.closeAllConnections();
    await new Promise((resolve) => other.close(resolve));
  }
}

/** As `lookout serve` does (server.backgroundPriority, default idle); BENCH_PRIORITY=normal leaves the threads alone. */
export async function servePriority(before: ReadonlySet<number>): Promise<string> {
  if (process.env['BENCH_PRIORITY'] === 'normal') return 'storage threads at normal CPU priority (BENCH_PRIORITY=normal)';
  return `${describeIdle(await idleBackgroundThreads(before))}, as lookout serve runs them`;
}
