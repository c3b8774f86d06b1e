import type { DuckDBConnection, DuckDBDataChunk } from '@duckdb/node-api';
import { SerialQueue } from '../../io/serial-queue.js';
import type { Row } from './rows.js';
import type { Sql } from './sql.js';
import type { WriteTransactions } from './transactions.js';

/**
 * The read connections of a DuckDbStore, beside its write connections: each runs its queries one at a time (a serial
 * queue), and a query goes to the least busy one, so a slow query waits neither for ingest commits nor for other
 * queries (DuckDB runs queries of different connections in parallel); each read sees what was committed when it started.
 */
export class ReadPool {
  private readonly readers: Array<{ conn: DuckDBConnection; queue: SerialQueue; pending: number }>;

  /** `assertOpen` throws once the store is closed: a read then fails with its error. */
  constructor(conns: readonly DuckDBConnection[], private readonly transactions: WriteTransactions, private readonly assertOpen: () => void) {
    this.readers = conns.map((c) => ({ conn: c, queue: new SerialQueue(), pending: 0 }));
  }

  /** Runs a query on the least busy read connection; its rows as JS objects. */
  read(sql: Sql): Promise<Row[]> {
    return this.onReader(async (conn) => (await conn.runAndReadAll(sql.text, sql.params)).getRowObjectsJS() as unknown as Row[]);
  }

  /** Runs a query on the least busy read connection and hands each result chunk to `each` as it is fetched. */
  readChunks(sql: Sql, each: (chunk: DuckDBDataChunk) => void): Promise<void> {
    return this.onReader(async (conn) => {
      const result = await conn.run(sql.text, sql.params);
      for (let c = await result.fetchChunk(); c !== null && c.rowCount > 0; c = await result.fetchChunk()) each(c);
    });
  }

  /** Waits for every queued read. */
  async drain(): Promise<void> {
    for (const r of this.readers) await r.queue.drain();
  }

  closeSync(): void {
    for (const r of this.readers) r.conn.closeSync();
  }

  private onReader<T>(work: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    try {
      this.assertOpen();
    } catch (err) {
      return Promise.reject(err as Error);
    }
    let r = this.readers[0];
    for (const x of this.readers) if (r === undefined || x.pending < r.pending) r = x;
    if (r === undefined) throw new Error('DuckDbStore: no read connection');
    const reader = r;
    reader.pending++;
    return reader.queue.run(async () => {
      try {
        this.assertOpen();
        return await this.transactions.read(() => work(reader.conn));
      } finally {
        reader.pending--;
      }
    });
  }
}
