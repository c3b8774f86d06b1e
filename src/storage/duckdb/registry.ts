import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { SqlRegistryStore, type SqlRunner } from '../registry-sql.js';
import type { RegistryStore } from '../registry.js';
import type { SerialQueue } from '../../io/serial-queue.js';
import type { Row } from './rows.js';

/** The registry store on the embedded store's single connection, serialised with its other calls. */
export function duckdbRegistry(conn: DuckDBConnection, queue: SerialQueue, assertOpen: () => void): RegistryStore {
  const run: SqlRunner = {
    query: async (text, params) => (await conn.runAndReadAll(text, params as DuckDBValue[])).getRowObjectsJS() as Row[],
  };
  return new SqlRegistryStore({
    query: (text, params) => queue.run(async () => {
      assertOpen();
      return run.query(text, params);
    }),
    tx: (work) => queue.run(async () => {
      assertOpen();
      await conn.run('BEGIN TRANSACTION');
      try {
        const result = await work(run);
        await conn.run('COMMIT');
        return result;
      } catch (err) {
        await conn.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
    }),
  });
}
