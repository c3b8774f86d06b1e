import pg from 'pg';
import { CommitOutcomeUnknown } from '../commit-outcome.js';
import { pgUnreachable } from './unreachable.js';

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
      throw e instanceof pg.DatabaseError ? e : new CommitOutcomeUnknown(e);
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
