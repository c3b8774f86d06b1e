import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBValue } from '@duckdb/node-api';
import { SerialQueue } from '../../io/serial-queue.js';
import { UnavailableError } from '../../io/errors.js';
import { UPDATE_STATE, UPSERT_STATE } from './schema.js';

/** A write connection: its transactions one at a time (queue), its prepared statements. */
export interface Writer {
  conn: DuckDBConnection;
  queue: SerialQueue;
  prepared: Map<string, DuckDBPreparedStatement>;
}

export function writer(conn: DuckDBConnection): Writer {
  return { conn, queue: new SerialQueue(), prepared: new Map() };
}

/** Executes a prepared statement of `w`, prepared once and cached (only inside a queued task of `w`); the rows it changed. */
export async function execPrepared(w: Writer, text: string, params: DuckDBValue[]): Promise<number> {
  let stmt = w.prepared.get(text);
  if (stmt === undefined) {
    stmt = await w.conn.prepare(text);
    w.prepared.set(text, stmt);
  }
  stmt.bind(params);
  return (await stmt.run()).rowsChanged;
}

/** Sets a state entry (only inside a queued task of `w`): an UPDATE, the upsert only for a new key (see UPDATE_STATE). */
export async function putState(w: Writer, key: string, value: string): Promise<void> {
  if ((await execPrepared(w, UPDATE_STATE, [key, value])) === 0) await execPrepared(w, UPSERT_STATE, [key, value]);
}

/**
 * The write transactions of one DuckDB database, whichever connection and whichever part of the store (events,
 * summaries, the registry, alerts) they belong to: each runs alone on its connection, and the first COMMIT that fails
 * stops all of them (fail-stop). DuckDB (1.5) keeps a failed transaction's keys in its primary-key indexes although
 * its rows are gone (reproduced with out of memory; any other cause is treated the same), so every later write of
 * those keys would fail with "Duplicate key" (docs/performance.md, Known limits). From then on every transaction is
 * refused with the reason (failure(), /healthz); a restart reopens the database, whose indexes are then rebuilt from
 * what was committed.
 */
export class WriteTransactions {
  /** An UnavailableError: the HTTP API answers 503 with its message. */
  private failed: UnavailableError | null = null;

  /** `assertOpen` throws when the store is closed (checked when a transaction's turn comes). */
  constructor(private readonly assertOpen: () => void, private readonly log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)) {}

  /** Why every write is refused (a COMMIT failed), or null. */
  failure(): string | null {
    return this.failed?.message ?? null;
  }

  /** Runs `work` as one transaction on `w`, after the transactions queued before it there; its result once committed. */
  run<T>(w: Writer, work: () => Promise<T>): Promise<T> {
    return w.queue.run(async () => {
      this.assertOpen();
      if (this.failed) throw this.failed;
      await w.conn.run('BEGIN TRANSACTION');
      let committing = false;
      try {
        const result = await work();
        committing = true;
        await w.conn.run('COMMIT');
        return result;
      } catch (err) {
        // After a failed COMMIT the transaction is already gone; ROLLBACK then errors and is ignored.
        await w.conn.run('ROLLBACK').catch(() => undefined);
        if (committing && this.failed === null) {
          const cause = String(err instanceof Error ? err.message : err).split('\n')[0] ?? '';
          this.failed = new UnavailableError(`the store refuses writes until the server is restarted: a commit failed (${cause}), after which DuckDB's indexes no longer match its tables; a restart reopens the database, nothing acknowledged is lost`, err);
          this.log(`lookout: ${this.failed.message}`);
        }
        throw err;
      }
    });
  }
}
