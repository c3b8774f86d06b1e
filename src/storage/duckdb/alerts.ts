import type { AlertStore } from '../alerts.js';
import { alertTablesDdl, SqlAlertStore, type Statement } from '../sql-alerts.js';
import type { Row } from './rows.js';

/** DuckDB tables of the alert store (created by DuckDbStore.init). */
export const DUCKDB_ALERT_SCHEMA: readonly string[] = alertTablesDdl((n) => n, 'VARCHAR NOT NULL', 'VARCHAR');

/** The alert store on the DuckDB store's single connection (reads and transactions go through its queue). */
export function duckdbAlertStore(read: (s: Statement) => Promise<Row[]>, transaction: (s: readonly Statement[]) => Promise<void>): AlertStore {
  return new SqlAlertStore({ query: read, transaction, table: (n) => n, docNumber: (f) => `CAST(json_extract_string(doc, '$.${f}') AS DOUBLE)` });
}
