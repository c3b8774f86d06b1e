/**
 * bench:labels — what labels cost as the store grows: finding each label's prediction by id (POST /v1/labels, and
 * the ingest's duplicate check) and reading a range's labelled events (GET /performance, quality charts, monitors).
 * The store's statements (src/storage/duckdb/sql.ts) against the references measured in the same run on the same
 * file: the forms they replaced, `id IN (SELECT unnest($1))` (a hash join over every stored event) and the join of
 * every stored label (labels without their prediction's time).
 *
 * Last, a week's labelled events read into JS as metrics read them (labelledOutcomes) against whole records
 * (labelledEvents), and the whole store's as /performance reads them (readLabelled): all of them, against a sample
 * under a limit of a quarter of their count.
 *
 * Env: BENCH_EVENTS (stored events, one per second, every other one labelled; default 2,000,000), BENCH_ROUNDS
 * (lookups and reads per form, default 8).
 */
import { DuckDBInstance, listValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbStore } from '../src/storage/duckdb/store.js';
import { eventsByIdQueries, labelledOutcomesQuery, type Sql } from '../src/storage/duckdb/sql.js';
import { readLabelled } from '../src/monitoring/labelled-read.js';
import type { EventRecord } from '../src/storage/types.js';
import { fmtMs, quantile } from './lib-stats.js';

const EVENTS = Math.max(10_000, Number(process.env['BENCH_EVENTS'] ?? 2_000_000));
const ROUNDS = Math.max(2, Number(process.env['BENCH_ROUNDS'] ?? 8));
const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
const log = (s: string): void => console.log(s);

/** Client-style ids (random hex first, as UUIDs are): no order a scan's zone maps could use. */
const idOf = (i: number): string => `${((i * 2654435761) % 4294967296).toString(16).padStart(8, '0')}-${i.toString(16).padStart(8, '0')}`;

async function fill(file: string): Promise<void> {
  const store = await DuckDbStore.open(file);
  await store.init();
  const batch = 20_000;
  for (let i = 0; i < EVENTS; i += batch) {
    const events: EventRecord[] = [];
    for (let j = i; j < Math.min(EVENTS, i + batch); j++) {
      events.push({ id: idOf(j), model: 'm', version: '1', ts: T0 + j * 1000, segment: '', prediction: j % 3 === 0 ? '1' : '0', score: (j % 100) / 100, scores: null, latencyMs: 5, error: null, costUsd: null, features: null });
    }
    await store.commit({ events, labels: events.filter((_, k) => k % 2 === 0).map((e) => ({ id: e.id, model: 'm', label: '1', receivedAt: e.ts + 3_600_000, ts: e.ts })) });
  }
  await store.close();
}

async function timed(conn: DuckDBConnection, sqls: readonly Sql[]): Promise<{ ms: number; rows: number }> {
  const t0 = performance.now();
  let rows = 0;
  for (const q of sqls) rows += (await conn.runAndReadAll(q.text, q.params as DuckDBValue[])).currentRowCount;
  return { ms: performance.now() - t0, rows };
}

function row(name: string, ms: number[], rows: number): string {
  return `  ${name.padEnd(58)} p50 ${fmtMs(quantile(ms, 0.5))}, max ${fmtMs(quantile(ms, 1))} (${rows} rows)`;
}

/**
 * The whole store's labelled events through readLabelled (what /performance reads): all of them under a limit above
 * their count, and a sample under a limit of a quarter of it (a count, then the sample).
 */
async function sampledReads(file: string): Promise<void> {
  const store = await DuckDbStore.open(file);
  try {
    const q = { model: 'm', version: '1', from: T0, to: T0 + EVENTS * 1000 };
    const labelled = Math.ceil(EVENTS / 2);
    const limits = [labelled, Math.floor(labelled / 4)];
    const times: number[][] = [[], []];
    const got: Array<{ rows: number; rate: number }> = [];
    for (let r = 0; r < Math.min(ROUNDS, 4); r++) {
      for (const [i, max] of limits.entries()) {
        const t0 = performance.now();
        const read = await readLabelled(store, q, max);
        times[i]?.push(performance.now() - t0);
        got[i] = { rows: read.events.length, rate: read.rate };
      }
    }
    // A week's labelled events into JS: what metrics read (labelledOutcomes) against whole records (labelledEvents).
    const week = { model: 'm', version: '1', from: T0 + EVENTS * 1000 - 7 * DAY, to: T0 + EVENTS * 1000 };
    const into: number[][] = [[], []];
    let weekRows = 0;
    for (let r = 0; r < Math.min(ROUNDS, 4); r++) {
      let t0 = performance.now();
      weekRows = (await store.labelledOutcomes(week)).length;
      into[0]?.push(performance.now() - t0);
      t0 = performance.now();
      await store.labelledEvents(week);
      into[1]?.push(performance.now() - t0);
    }
    log('a week\'s labelled events read into JS objects (SQL and conversion):');
    log(row('labelledOutcomes: six columns from the vectors (the store)', into[0] ?? [], weekRows));
    log(row('labelledEvents: whole records (reference)', into[1] ?? [], weekRows));
    log(`ratio of medians, records / outcomes: x${(quantile(into[1] ?? [], 0.5) / quantile(into[0] ?? [], 0.5)).toFixed(2)}`);
    log(`labelled events of the whole store (${labelled.toLocaleString('en-US')}), readLabelled:`);
    for (const [i, max] of limits.entries()) {
      log(row(`limit ${max.toLocaleString('en-US')}: ${got[i]?.rate === 1 ? 'all of them' : `a sample at rate ${got[i]?.rate.toFixed(4)}`}`, times[i] ?? [], got[i]?.rows ?? 0));
    }
    log(`ratio of medians, sampled / all: x${(quantile(times[1] ?? [], 0.5) / quantile(times[0] ?? [], 0.5)).toFixed(2)}`);
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-bench-labels-'));
  try {
    const file = join(dir, 'labels.duckdb');
    const t0 = performance.now();
    await fill(file);
    log(`bench:labels — ${EVENTS.toLocaleString('en-US')} events (one per second, ${(EVENTS / 86_400).toFixed(1)} days), every other one labelled; filled in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const inst = await DuckDBInstance.create(file);
    const conn = await inst.connect();
    const table = (t: string): string => t;
    // The first statement that touches the id index loads it from the file (the first insert of a process would too).
    await conn.runAndReadAll(eventsByIdQueries([idOf(0)], table)[0]?.text ?? '', [idOf(0)]);
    const lookups: number[][] = [[], []];
    const reads = new Map<number, number[][]>([[1, [[], []]], [7, [[], []]]]);
    let lookupRows = [0, 0];
    const readRows = new Map<number, number[]>();
    for (let r = 0; r < ROUNDS; r++) {
      const ids = Array.from({ length: 1000 }, (_, k) => idOf(Math.floor(((r * 1000 + k) * 7919) % EVENTS)));
      const now = await timed(conn, eventsByIdQueries(ids, table));
      const same = (eventsByIdQueries(ids.slice(0, 1), table)[0]?.text ?? '').replace(/e\.id IN \(\$1\)$/, 'e.id IN (SELECT unnest($1::VARCHAR[]))');
      if (!same.includes('unnest')) throw new Error('eventsByIdQueries changed: update the reference form');
      const ref = await timed(conn, [{ text: same, params: [listValue(ids) as unknown as string] }]);
      lookups[0]?.push(now.ms);
      lookups[1]?.push(ref.ms);
      lookupRows = [now.rows, ref.rows];
      for (const [days, times] of reads) {
        const to = T0 + EVENTS * 1000 - r * DAY / 4;
        const q = labelledOutcomesQuery({ model: 'm', from: to - days * DAY, to }, table, true);
        const old: Sql = { text: q.text.replace(/ AND \(l\.ts IS NULL OR \(l\.ts >= \$2 AND l\.ts < \$3\)\)/, ''), params: q.params };
        if (old.text === q.text) throw new Error('labelledOutcomesQuery changed: update the reference form');
        const a = await timed(conn, [q]);
        const b = await timed(conn, [old]);
        times[0]?.push(a.ms);
        times[1]?.push(b.ms);
        readRows.set(days, [a.rows, b.rows]);
      }
    }
    log('find the predictions of 1,000 labels (by id):');
    log(row('IN ($1, ..., $n) through the id index (the store)', lookups[0] ?? [], lookupRows[0] ?? 0));
    log(row('IN (SELECT unnest($1)), a hash join over every event (ref.)', lookups[1] ?? [], lookupRows[1] ?? 0));
    for (const [days, times] of reads) {
      const [a, b] = readRows.get(days) ?? [0, 0];
      log(`labelled events of ${days} day${days > 1 ? 's' : ''}:`);
      log(row("labels filtered by their prediction's time (the store)", times[0] ?? [], a ?? 0));
      log(row('every stored label joined (reference)', times[1] ?? [], b ?? 0));
    }
    const med = (xs: number[] | undefined): number => quantile(xs ?? [], 0.5);
    log(`ratios of medians, reference / store: lookups x${(med(lookups[1]) / med(lookups[0])).toFixed(2)}, labelled 1 d x${(med(reads.get(1)?.[1]) / med(reads.get(1)?.[0])).toFixed(2)}, 7 d x${(med(reads.get(7)?.[1]) / med(reads.get(7)?.[0])).toFixed(2)}`);
    conn.closeSync();
    inst.closeSync();
    await sampledReads(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
