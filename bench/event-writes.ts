/**
 * bench:event-writes — what writing events to the DuckDB store costs the event loop, which is the thread that also
 * serves every request (the gateway's predictions wait behind it). The store's path (one JSON document of columns
 * per 1,000 events, parsed by DuckDB on its own threads: src/storage/duckdb/event-json.ts) against the reference
 * measured in the same run on the same file: the Appender path it replaced (fill a staging table on the event
 * loop, flush it synchronously, then INSERT ... SELECT).
 *
 * Per commit size: wall time per commit, event-loop busy time per commit (performance.eventLoopUtilization), the
 * lateness of a 1 ms timer (monitorEventLoopDelay: p99 and max; the stalls a request would see), and process CPU
 * per event (all threads).
 * Env: BENCH_COMMITS (per size and path, default 60).
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { appendEvents } from '../src/storage/duckdb/append.js';
import { DUCKDB_SCHEMA, EVENT_COLUMNS } from '../src/storage/duckdb/schema.js';
import type { EventRecord } from '../src/storage/types.js';
import { fmtMs } from './lib-stats.js';

const COMMITS = Math.max(5, Number(process.env['BENCH_COMMITS'] ?? 60));
const log = (s: string): void => console.log(s);

/** The reference: the Appender path the store used before (staging table, synchronous flush, INSERT ... SELECT). */
async function appenderPath(conn: DuckDBConnection, events: readonly EventRecord[]): Promise<void> {
  const a = await conn.createAppender('events_ref_stage', 'main', 'temp');
  try {
    const text = (v: string | null): void => (v === null ? a.appendNull() : a.appendVarchar(v));
    const num = (v: number | null): void => (v === null ? a.appendNull() : a.appendDouble(v));
    for (const e of events) {
      text(e.id); text(e.model); text(e.version); a.appendBigInt(BigInt(e.ts)); text(e.segment); text(e.prediction);
      num(e.score); text(e.scores === null ? null : JSON.stringify(e.scores)); num(e.latencyMs); text(e.error); num(e.costUsd);
      text(e.features === null ? null : JSON.stringify(e.features));
      a.endRow();
    }
    a.flushSync();
  } finally {
    a.closeSync();
  }
  await conn.run(`INSERT INTO events (${EVENT_COLUMNS}) SELECT ${EVENT_COLUMNS} FROM temp.main.events_ref_stage`);
  await conn.run('DELETE FROM temp.main.events_ref_stage');
}

/** Narrow events like the gateway's: 1% carry their features (the sampled ones). */
function events(prefix: string, n: number, t0: number): EventRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i}-${(i * 2654435761) % 1e9}`, model: 'm', version: '1.0.0', ts: t0 + i, segment: i % 3 ? '' : 'region=eu',
    prediction: String(i % 2), score: (i % 1000) / 1000, scores: null, latencyMs: 1 + (i % 50) / 7, error: null, costUsd: null,
    features: i % 100 === 0 ? { f0: i / 3, f1: 'v2', f2: null } : null,
  }));
}

interface Figures { wallMs: number; busyMs: number; stallMs: number; delayP99Ms: number; cpuUsPerEvent: number }

async function run(conn: DuckDBConnection, path: 'json' | 'appender', size: number, round: number): Promise<Figures> {
  const batches = Array.from({ length: COMMITS }, (_, c) => events(`${path}-${size}-${round}-${c}`, size, c * size));
  const h = monitorEventLoopDelay({ resolution: 1 });
  // A timer keeps the loop turning so that monitorEventLoopDelay sees stalls between commits too.
  const tick = setInterval(() => undefined, 1);
  h.enable();
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const b of batches) {
    await conn.run('BEGIN TRANSACTION');
    if (path === 'json') await appendEvents(conn, b);
    else await appenderPath(conn, b);
    await conn.run('COMMIT');
  }
  const wall = performance.now() - t0;
  const elu = performance.eventLoopUtilization(elu0);
  const cpu = process.cpuUsage(cpu0);
  h.disable();
  clearInterval(tick);
  return { wallMs: wall / COMMITS, busyMs: elu.active / COMMITS, stallMs: h.max / 1e6, delayP99Ms: h.percentile(99) / 1e6, cpuUsPerEvent: (cpu.user + cpu.system) / (COMMITS * size) };
}

const dir = mkdtempSync(join(tmpdir(), 'lookout-bench-writes-'));
const instance = await DuckDBInstance.create(join(dir, 'bench.duckdb'));
try {
  const conn = await instance.connect();
  for (const ddl of DUCKDB_SCHEMA) await conn.run(ddl);
  await conn.run(`CREATE TEMP TABLE events_ref_stage AS SELECT ${EVENT_COLUMNS} FROM events LIMIT 0`);
  log(`bench:event-writes — ${COMMITS} commits per size and path, into one DuckDB file (events table with its id key)`);
  log('size   path       wall/commit   event loop busy/commit   1 ms timer late: p99 / max   CPU/event (all threads)');
  for (const size of [400, 2_000, 5_000]) {
    const best: Record<string, Figures> = {};
    for (let round = 0; round < 2; round++) {
      // Interleaved and repeated: the second round's figures are printed (the first warms both paths up).
      for (const path of ['appender', 'json'] as const) best[path] = await run(conn, path, size, round);
    }
    for (const path of ['appender', 'json'] as const) {
      const f = best[path] as Figures;
      log(`${String(size).padStart(5)}  ${(path === 'json' ? 'store' : 'reference').padEnd(9)}  ${fmtMs(f.wallMs).padStart(11)}   ${fmtMs(f.busyMs).padStart(22)}   ${`${fmtMs(f.delayP99Ms)} / ${fmtMs(f.stallMs)}`.padStart(26)}   ${f.cpuUsPerEvent.toFixed(1).padStart(8)} µs`);
    }
    const a = best['appender'] as Figures;
    const j = best['json'] as Figures;
    log(`       store / reference: event loop busy x${(j.busyMs / a.busyMs).toFixed(2)}, timer late p99 x${(j.delayP99Ms / a.delayP99Ms).toFixed(2)}, wall x${(j.wallMs / a.wallMs).toFixed(2)}, CPU x${(j.cpuUsPerEvent / a.cpuUsPerEvent).toFixed(2)}`);
  }
  conn.closeSync();
} finally {
  instance.closeSync();
  rmSync(dir, { recursive: true, force: true });
}
