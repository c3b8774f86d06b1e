import type pg from 'pg';
import type { Row } from '../duckdb/rows.js';
import { SqlRegistryStore, type SqlRunner } from '../registry-sql.js';
import type { RegistryStore } from '../registry.js';
import { pgTransaction } from './transaction.js';
import { pgUnreachable } from './unreachable.js';

/** The registry store in the PostgreSQL schema, over the store's pool (each call one transaction). */
export function postgresRegistry(pool: pg.Pool, schema: string, assertOpen: () => void): RegistryStore {
  return new SqlRegistryStore({
    query: async (text, params) => {
      assertOpen();
      return (await pool.query(text, params).catch((e: unknown) => {
        throw pgUnreachable(e);
      })).rows as Row[];
    },
    tx: async (work) => {
      assertOpen();
      return pgTransaction(pool, async (c) => {
        await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`lookout-registry:${schema}`]);
        const run: SqlRunner = { query: async (text, params) => (await c.query(text, params)).rows as Row[] };
        return work(run);
      });
    },
  }, (table) => `"${schema}".${table}`);
}
