/**
 * bench:ids — what the events' ids cost the embedded store: the id primary key is DuckDB's ART index, held in memory
 * and growing with every stored event. The ids Lookout makes (server-assigned, and the client library's: time-ordered
 * UUID version 7, src/io/uuid7.ts) against the reference measured in the same run: random UUIDs (version 4, what
 * both made before). Each kind goes into its own store through the store's own insert path (DuckDbStore.commit);
 * printed: DuckDB's memory by component (duckdb_memory()), bytes of index per event, and the insert time.
 *
 * Env: BENCH_EVENTS (per kind, default 1,000,000).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uuidv7 } from '../src/io/uuid7.js';
import { DuckDbStore } from '../src/storage/duckdb/store.js';
import type { EventRecord } from '../src/storage/types.js';

const EVENTS = Math.max(10_000, Number(process.env['BENCH_EVENTS'] ?? 1_000_000));
const BATCH = 10_000;
const log = (s: string): void => console.log(s);

async function run(dir: string, name: string, newId: () => string): Promise<{ art: number; seconds: number; memory: string }> {
  const store = await DuckDbStore.open(join(dir, `${name}.duckdb`));
  await store.init();
  const t0 = performance.now();
  for (let i = 0; i < EVENTS; i += BATCH) {
    const events: EventRecord[] = [];
    for (let j = i; j < Math.min(EVENTS, i + BATCH); j++) {
      events.push({ id: newId(), model: 'm', version: '1', ts: Date.now(), segment: '', prediction: '1', score: 0.5, scores: null, latencyMs: 3, error: null, costUsd: null, features: null });
    }
    await store.commit({ events });
  }
  const seconds = (performance.now() - t0) / 1000;
  const usage = await store.memoryUsage();
  await store.close();
  return {
    art: usage.find((u) => u.component === 'ART_INDEX')?.bytes ?? 0,
    seconds,
    memory: usage.filter((u) => u.bytes >= 2 ** 20).map((u) => `${u.component} ${(u.bytes / 2 ** 20).toFixed(0)} MB`).join(', '),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'lookout-bench-ids-'));
try {
  log(`bench:ids — ${EVENTS.toLocaleString('en-US')} events per kind of id, ${BATCH.toLocaleString('en-US')} per commit, each kind in its own DuckDB store`);
  const v7 = await run(dir, 'v7', () => uuidv7());
  const v4 = await run(dir, 'v4', () => randomUUID());
  for (const [name, r] of [['time-ordered UUIDs (v7, Lookout\'s)', v7], ['random UUIDs (v4, reference)', v4]] as const) {
    log(`  ${name.padEnd(36)} id index ${(r.art / EVENTS).toFixed(1)} bytes per event; inserted in ${r.seconds.toFixed(1)} s (${Math.round(EVENTS / r.seconds).toLocaleString('en-US')} events/s); DuckDB memory: ${r.memory}`);
  }
  log(`ratio, reference / Lookout's: index memory x${(v4.art / Math.max(1, v7.art)).toFixed(1)}, insert time x${(v4.seconds / v7.seconds).toFixed(2)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
