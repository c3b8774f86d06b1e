import type { DuckDBConnection } from '@duckdb/node-api';
import { STORED_GRANULARITIES } from '../../core/time/windows.js';
import { DUCKDB_ALERT_SCHEMA } from './alerts.js';
import { fillSummaryKeys } from './append.js';
import {
  DUCKDB_SCHEMA, FILL_LABEL_TIMES, LABEL_TIMES_FILLED, MIGRATE_SUMMARIES, OLD_WINDOW_VALUES, SUMMARY_KEY_INDEXES, UPSERT_STATE,
} from './schema.js';
import { execPrepared, type Writer } from './transactions.js';

/**
 * Creates the store's tables and brings a store written by an earlier Lookout to the current layout (inside one write
 * transaction of `w`; idempotent). The summary key indexes come after, in a transaction of their own
 * (createSummaryKeyIndexes).
 */
export async function migrateSchema(w: Writer): Promise<void> {
  const conn = w.conn;
  for (const ddl of [...DUCKDB_SCHEMA, ...DUCKDB_ALERT_SCHEMA]) await conn.run(ddl);
  const old = await conn.runAndReadAll(`SELECT 1 FROM information_schema.tables WHERE table_name = 'summaries' AND table_schema = 'main'`);
  if (old.currentRowCount > 0) for (const sql of MIGRATE_SUMMARIES) await conn.run(sql);
  // Rows written before the `k` column get their key (once), then the column its index (createSummaryKeyIndexes:
  // DuckDB creates an index only in a transaction without updates).
  for (const g of STORED_GRANULARITIES) await fillSummaryKeys(conn, g);
  // Once per store: labels written before they kept their prediction's time get it (a later label whose event is
  // not stored keeps null, found by id alone). Marked in `state`, so a start does not join events and labels again.
  if ((await conn.runAndReadAll(`SELECT 1 FROM state WHERE key = '${LABEL_TIMES_FILLED}'`)).currentRowCount === 0) {
    await conn.run(FILL_LABEL_TIMES);
    await execPrepared(w, UPSERT_STATE, [LABEL_TIMES_FILLED, '1']);
  }
  if ((await conn.runAndReadAll(OLD_WINDOW_VALUES)).currentRowCount > 0) {
    // Values of the first layout: a cache of what the summaries give, recomputed when needed; not converted.
    await conn.run('DROP TABLE window_values');
    for (const ddl of DUCKDB_SCHEMA.filter((d) => d.includes('window_values'))) await conn.run(ddl);
  }
}

/** The summary tables' key indexes (in a transaction without updates, after migrateSchema). */
export async function createSummaryKeyIndexes(conn: DuckDBConnection): Promise<void> {
  for (const ddl of SUMMARY_KEY_INDEXES) await conn.run(ddl);
}
