import type { DuckDBValue } from '@duckdb/node-api';
import { SqlRegistryStore, type SqlRunner } from '../registry-sql.js';
import type { RegistryStore } from '../registry.js';
import type { Row } from './rows.js';
import type { WriteTransactions, Writer } from './transactions.js';

/**
 * The registry store on the embedded store's first write connection, serialised with its other calls; its
 * transactions are the store's (refused, like every write, once a COMMIT failed; its reads too once DuckDB has
 * invalidated the database: WriteTransactions).
 */
export function duckdbRegistry(w: Writer, transactions: WriteTransactions, assertOpen: () => void): RegistryStore {
  const run: SqlRunner = {
    query: async (text, params) => (await w.conn.runAndReadAll(text, params as DuckDBValue[])).getRowObjectsJS() as Row[],
  };
  return new SqlRegistryStore({
    query: (text, params) => w.queue.run(async () => {
      assertOpen();
      return transactions.read(() => run.query(text, params));
    }),
    tx: (work) => transactions.run(w, () => work(run)),
  });
}
