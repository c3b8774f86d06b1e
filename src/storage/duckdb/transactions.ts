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
 * what was committed (DuckDbStore.close skips DuckDB's checkpoint at shutdown then, which would keep those keys).
 *
 * Reads go through `read` too: when DuckDB meets a fatal error (out of memory while rolling a failed COMMIT back does
 * it), it invalidates the database and every later statement fails. Then reads are refused as well, with the reason
 * (an UnavailableError, 503), and writes are, whether or not the fatal error came from a COMMIT.
 */
export class WriteTransactions {
  /** An UnavailableError: the HTTP API answers 503 with its message. */
  private failed: UnavailableError | null = null;
  /** Whether DuckDB has invalidated the database (a fatal error): reads are refused too. */
  private invalidated = false;

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
        // The failure that stops the store is answered like every refusal after it (503 with the reason, and its cause).
        if (committing || isFatal(err)) throw this.fail(err, committing);
        throw shortOfMemory(err) ?? err;
      }
    });
  }

  /** Runs a read (queued by the caller); refused once DuckDB has invalidated the database, which its failure may say. */
  async read<T>(work: () => Promise<T>): Promise<T> {
    if (this.invalidated) throw this.failed ?? new Error('unreachable: invalidated without a failure');
    try {
      return await work();
    } catch (err) {
      if (!isFatal(err)) throw shortOfMemory(err) ?? err;
      throw this.fail(err, false);
    }
  }

  /** Records the first failure that stops writes, or the first fatal one, which stops reads as well (said once each). */
  private fail(err: unknown, inCommit: boolean): UnavailableError {
    const fatal = isFatal(err);
    if (this.failed !== null && (this.invalidated || !fatal)) return this.failed;
    const cause = firstLine(err);
    const what = inCommit ? `a commit failed (${cause})` : `a statement failed (${cause})`;
    this.failed = fatal
      ? new UnavailableError(`the store refuses reads and writes until the server is restarted: ${what}, after which DuckDB invalidated the database; a restart reopens it, nothing acknowledged is lost`, err)
      : new UnavailableError(`the store refuses writes until the server is restarted: ${what}, after which DuckDB's indexes no longer match its tables; a restart reopens the database, nothing acknowledged is lost`, err);
    this.invalidated = fatal;
    this.log(`lookout: ${this.failed.message}`);
    return this.failed;
  }
}

/**
 * A statement DuckDB refused for its memory limit ("Out of Memory Error", not fatal: the database stays usable) as an
 * UnavailableError (503, retry later) rather than an internal error (500): it says nothing wrong with the request, and
 * the same request may succeed once other reads or writes have let their memory go. Null for any other error.
 */
export function shortOfMemory(err: unknown): UnavailableError | null {
  const cause = firstLine(err);
  if (!/^Out of Memory Error/.test(cause)) return null;
  return new UnavailableError(`the store is short of memory for this request (${cause}); retry later, or raise duckdbMemoryMb`, err);
}

/** DuckDB's errors that invalidate its database ("FATAL Error", "INTERNAL Error") and what it says to every statement after. */
export function isFatal(err: unknown): boolean {
  return /^(FATAL|INTERNAL) Error|database has been invalidated/.test(firstLine(err));
}

function firstLine(err: unknown): string {
  return String(err instanceof Error ? err.message : err).split('\n')[0] ?? '';
}
