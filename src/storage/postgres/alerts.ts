import type { AlertStore } from '../alerts.js';
import type { Row } from '../duckdb/rows.js';
import { alertTablesDdl, SqlAlertStore, type Statement } from '../sql-alerts.js';
import { checkSchemaName } from './schema.js';

/** PostgreSQL tables of the alert store in `schema` (created by PostgresStore.init). */
export function postgresAlertSchema(schema: string): string[] {
  const s = `"${checkSchemaName(schema)}"`;
  return alertTablesDdl((n) => `${s}.${n}`, 'text COLLATE "C" NOT NULL', 'text');
}

export function postgresAlertStore(schema: string, read: (s: Statement) => Promise<Row[]>, transaction: (s: readonly Statement[]) => Promise<void>): AlertStore {
  const s = `"${checkSchemaName(schema)}"`;
  return new SqlAlertStore({ query: read, transaction, table: (n) => `${s}.${n}`, docNumber: (f) => `(doc::json ->> '${f}')::double precision` });
}
