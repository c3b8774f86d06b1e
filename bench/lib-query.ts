import { describeIdle, idleBackgroundThreads } from '../src/cli/thread-priority.js';
import { msSince } from './lib-stats.js';

/** Helpers of bench:query and its restarted server (query-restart.ts). */

/** Times `f` `reps` times at most (after `warm` untimed runs), stopping after `budgetMs`. */
export async function repeat(reps: number, budgetMs: number, f: () => Promise<unknown>, warm = 3): Promise<number[]> {
  for (let i = 0; i < warm; i++) await f();
  const out: number[] = [];
  const t0 = Date.now();
  while (out.length < reps && Date.now() - t0 < budgetMs) {
    const t = process.hrtime.bigint();
    await f();
    out.push(msSince(t));
  }
  return out;
}

export async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url);
  const text = await res.text();
  if (!res.ok) throw new Error(`GET ${url} -> ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** As `lookout serve` does (server.backgroundPriority, default idle); BENCH_PRIORITY=normal leaves the threads alone. */
export async function servePriority(before: ReadonlySet<number>): Promise<string> {
  if (process.env['BENCH_PRIORITY'] === 'normal') return 'storage threads at normal CPU priority (BENCH_PRIORITY=normal)';
  return `${describeIdle(await idleBackgroundThreads(before))}, as lookout serve runs them`;
}
