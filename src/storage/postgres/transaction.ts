import pg from 'pg';
import { CommitOutcomeUnknown } from '../commit-outcome.js';
import { pgUnreachable } from './unreachable.js';

/** How long, and how often, sessionEnded looks whether a session has ended. */
const SESSION_END_MS = 2_000;
const SESSION_POLL_MS = 50;

/**
 * Resolves once PostgreSQL's session `pid` (of a connection lost once COMMIT was sent) has ended: it is told to
 * terminate, then looked for until gone. A COMMIT still on its way to it, or not taken yet (PostgreSQL slow), could
 * otherwise commit after the committed mark was read: the group was judged failed, sent again, and its own events
 * answered as duplicates, never counted (test/audit13-pglead). Rejects when it is still there after SESSION_END_MS.
 */
async function sessionEnded(pool: pg.Pool, pid: number | null): Promise<void> {
  if (pid === null) return;
  // Refused (another role's session: never ours) or already gone: whether it is gone is what counts.
  await pool.query('SELECT pg_terminate_backend($1)', [pid]).catch((e: unknown) => {
    if (!(e instanceof pg.DatabaseError)) throw e;
  });
  for (const end = Date.now() + SESSION_END_MS; ;) {
    if ((await pool.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount === 0) return;
    if (Date.now() > end) throw new Error(`PostgreSQL session ${pid} of the lost COMMIT has not ended`);
    await new Promise((r) => setTimeout(r, SESSION_POLL_MS));
  }
}

/**
 * Runs `work` in one transaction on a client checked out of `pool`. While checked out, a pg client has no 'error'
 * listener of the pool's: a connection lost then (PostgreSQL restarted, the network cut) emitted an unhandled 'error'
 * and ended the whole server. Here it is caught: the transaction's queries fail with it (the caller's request is
 * refused, nothing acknowledged), and the client is released as broken, so the pool drops it and connects anew. A
 * connection lost during COMMIT itself throws CommitOutcomeUnknown: the transaction may have committed. A connection
 * refused or lost before COMMIT is an UnavailableError (pgUnreachable: 503, retry).
 */
export async function pgTransaction<T>(pool: pg.Pool, work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect().catch((e: unknown) => {
    throw pgUnreachable(e);
  });
  let broken: Error | undefined;
  const onError = (e: Error): void => {
    broken ??= e;
  };
  c.on('error', onError);
  try {
    await c.query('BEGIN');
    const result = await work(c);
    try {
      await c.query('COMMIT');
    } catch (e) {
      // PostgreSQL's own refusal (an error with its SQLSTATE: a serialization failure, a deferred constraint) rolled the
      // transaction back; anything else (the connection lost once COMMIT was sent) leaves its outcome unknown.
      if (e instanceof pg.DatabaseError) throw e;
      const pid = (c as unknown as { processID?: unknown }).processID;
      throw new CommitOutcomeUnknown(e, () => sessionEnded(pool, typeof pid === 'number' ? pid : null));
    }
    return result;
  } catch (err) {
    // a client whose ROLLBACK fails is in an unknown state: release(err) destroys it instead of pooling it
    await c.query('ROLLBACK').catch((e: unknown) => {
      broken ??= e instanceof Error ? e : new Error(String(e));
    });
    throw pgUnreachable(err);
  } finally {
    c.removeListener('error', onError);
    c.release(broken);
  }
}
