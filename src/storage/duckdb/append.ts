import { STORED_GRANULARITIES } from '../../core/time/windows.js';
import { DOUBLE, LIST, VARCHAR, type DuckDBAppender, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import type { EventRecord, Granularity, LabelRecord, RejectRecord, SummaryKey, SummaryRecord } from '../types.js';
import type { WindowValueSet } from '../window-value-sets.js';
import { EVENTS_PER_STATEMENT, eventColumnsJson, INSERT_EVENTS_JSON, millis } from './event-json.js';
import { windowRowKey } from './window-row-key.js';
import { TimeSlicer } from '../../io/time-slice.js';
import {
  FILL_SUMMARY_KEYS, LABELS_STAGE, SUMMARIES_STAGE, SUMMARY_KEYS_STAGE, summariesTable, UPSERT_STAGED_LABELS, UPSERT_STAGED_SUMMARIES,
  UPSERT_STAGED_WINDOW_VALUES, WINDOW_VALUES_STAGE,
} from './schema.js';

/**
 * Bulk row writers, to run inside a transaction: events as JSON documents parsed by DuckDB (event-json.ts), the
 * rest through DuckDB's Appender (much faster than INSERT ... VALUES).
 */

function appendText(a: DuckDBAppender, v: string | null): void {
  if (v === null) a.appendNull();
  else a.appendVarchar(v);
}

function appendMillis(a: DuckDBAppender, v: number): void {
  a.appendBigInt(BigInt(millis(v)));
}

async function withAppender(
  conn: DuckDBConnection, table: string, fill: (a: DuckDBAppender) => void | Promise<void>, catalog?: string,
): Promise<void> {
  const a = await conn.createAppender(table, catalog === undefined ? null : 'main', catalog ?? null);
  try {
    await fill(a);
    a.flushSync(); // into a table with a key: constraint violations would surface here
  } finally {
    try {
      a.clear();
      a.closeSync();
    } catch {
      // the transaction is rolled back by the caller; nothing buffered is kept
    }
  }
}

/**
 * Inserts events, EVENTS_PER_STATEMENT per statement, each a JSON document of columns parsed by DuckDB off the
 * event loop (event-json.ts); a duplicate id fails the INSERT (and the caller's transaction).
 */
export async function appendEvents(conn: DuckDBConnection, events: readonly EventRecord[]): Promise<void> {
  let insert = insertEvents.get(conn);
  if (insert === undefined) insertEvents.set(conn, (insert = await conn.prepare(INSERT_EVENTS_JSON)));
  for (let i = 0; i < events.length; i += EVENTS_PER_STATEMENT) {
    insert.bindVarchar(1, eventColumnsJson(events.slice(i, i + EVENTS_PER_STATEMENT)));
    await insert.run();
  }
}

/** The events INSERT prepared once per connection (parsing and planning it took longer than running it for 400 events). */
const insertEvents = new WeakMap<DuckDBConnection, DuckDBPreparedStatement>();

export function appendRejects(conn: DuckDBConnection, rejects: readonly RejectRecord[]): Promise<void> {
  return withAppender(conn, 'rejects', (a) => {
    for (const r of rejects) {
      appendMillis(a, r.ts);
      appendText(a, r.model);
      appendText(a, r.version);
      a.appendVarchar(r.code);
      a.appendVarchar(r.reason);
      a.appendVarchar(r.excerpt);
      appendText(a, r.id ?? null);
      a.endRow();
    }
  });
}

/** A window's key columns, in the order the summary and window-value tables start with. */
function appendWindowKey(a: DuckDBAppender, k: SummaryKey): void {
  a.appendVarchar(k.model);
  a.appendVarchar(k.version);
  a.appendVarchar(k.segment);
  a.appendVarchar(k.granularity);
  appendMillis(a, k.windowStart);
}

/**
 * Upserts summaries (keys must be distinct): the Appender fills a per-connection temp table, then one
 * INSERT ... SELECT ... ON CONFLICT moves them. Binding 10-50 KB blobs as statement parameters measured ~3x slower.
 */
export async function upsertSummaries(conn: DuckDBConnection, summaries: readonly SummaryRecord[]): Promise<void> {
  await withAppender(conn, SUMMARIES_STAGE, async (a) => {
    // Paced: appending and flushing a checkpoint's blobs (up to ~2 MB) runs on the event loop; flushed in parts, with
    // requests let in between (a checkpoint of the gateway's windows held it for 1-3 ms in one block).
    const slice = new TimeSlicer();
    for (const s of summaries) {
      if (slice.due) {
        a.flushSync();
        await slice.pace();
      }
      appendWindowKey(a, s);
      a.appendBlob(s.data);
      if (s.head === undefined || s.head === null) a.appendNull();
      else a.appendBlob(s.head);
      if (s.events === undefined) a.appendNull();
      else a.appendBigInt(BigInt(s.events));
      a.appendVarchar(windowRowKey(s));
      a.endRow();
    }
  }, 'temp');
  const grains = new Set(summaries.map((s) => s.granularity));
  for (const [i, g] of STORED_GRANULARITIES.entries()) if (grains.has(g)) await conn.run(UPSERT_STAGED_SUMMARIES[i] as string);
  await conn.run(`DELETE FROM temp.main.${SUMMARIES_STAGE}`);
}

/** Upserts labels (ids must be distinct) through a temp staging table, like summaries: much faster than VALUES lists. */
export async function upsertLabels(conn: DuckDBConnection, labels: readonly LabelRecord[]): Promise<void> {
  await withAppender(conn, LABELS_STAGE, (a) => {
    for (const l of labels) {
      a.appendVarchar(l.id);
      a.appendVarchar(l.model);
      a.appendVarchar(l.label);
      appendMillis(a, l.receivedAt);
      if (l.ts === null) a.appendNull();
      else appendMillis(a, l.ts);
      a.endRow();
    }
  }, 'temp');
  await conn.run(UPSERT_STAGED_LABELS);
  await conn.run(`DELETE FROM temp.main.${LABELS_STAGE}`);
}

const METRIC_NAMES = LIST(VARCHAR);
const METRIC_VALUES = LIST(DOUBLE);

/** Upserts window value sets (one per window: see toValueSets) through a staging table. */
export async function upsertWindowValues(conn: DuckDBConnection, sets: readonly WindowValueSet[]): Promise<void> {
  await withAppender(conn, WINDOW_VALUES_STAGE, (a) => {
    for (const v of sets) {
      appendWindowKey(a, v);
      a.appendVarchar(v.basis);
      a.appendBigInt(BigInt(v.events));
      a.appendList(v.metrics, METRIC_NAMES);
      a.appendList(v.values, METRIC_VALUES);
      a.endRow();
    }
  }, 'temp');
  await conn.run(UPSERT_STAGED_WINDOW_VALUES);
  await conn.run(`DELETE FROM temp.main.${WINDOW_VALUES_STAGE}`);
}

/**
 * Gives the rows of a granularity's summary table written before the `k` column existed their key (computed in
 * window-row-key.ts, as on every write). Returns how many rows it keyed.
 */
export async function fillSummaryKeys(conn: DuckDBConnection, granularity: Granularity): Promise<number> {
  const rows = (await conn.runAndReadAll(`SELECT model, version, segment, window_start::DOUBLE AS ws FROM ${summariesTable(granularity)} WHERE k IS NULL`)).getRowObjectsJS();
  if (rows.length === 0) return 0;
  await withAppender(conn, SUMMARY_KEYS_STAGE, (a) => {
    for (const r of rows) {
      const key = { model: String(r['model']), version: String(r['version']), segment: String(r['segment']), granularity, windowStart: Number(r['ws']) };
      appendWindowKey(a, key);
      a.appendVarchar(windowRowKey(key));
      a.endRow();
    }
  }, 'temp');
  await conn.run(FILL_SUMMARY_KEYS(granularity));
  await conn.run(`DELETE FROM temp.main.${SUMMARY_KEYS_STAGE}`);
  return rows.length;
}
