import type pg from 'pg';
import type { Row } from '../duckdb/rows.js';
import { SqlRegistryStore, type SqlRunner } from '../registry-sql.js';
import type { RegistryStore } from '../registry.js';

/** The registry store in the PostgreSQL schema, over the store's pool (each call one transaction). */
export function postgresRegistry(pool: pg.Pool, schema: string, assertOpen: () => void): RegistryStore {
  return new SqlRegistryStore({
    query: async (text, params) => {
      assertOpen();
      return (await pool.query(text, params)).rows as Row[];
    },
    tx: async (work) => {
      assertOpen();
      const c = await pool.connect();
      let broken: Error | undefined;
      const run: SqlRunner = { query: async (text, params) => (await c.query(text, params)).rows as Row[] };
      try {
        await c.query('BEGIN');
        await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`lookout-registry:${schema}`]);
        const result = await work(run);
        await c.query('COMMIT');
        return result;
      } catch (err) {
        await c.query('ROLLBACK').catch((e: unknown) => { broken = e instanceof Error ? e : new Error(String(e)); });
        throw err;
      } finally {
        c.release(broken);
      }
    },
  }, (table) => `"${schema}".${table}`);
}
