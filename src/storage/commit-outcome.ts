import { UnavailableError } from '../io/errors.js';

/**
 * A COMMIT whose answer was lost: the connection to the store dropped after COMMIT was sent, so the transaction may
 * have committed or not, and only the store can say (PostgreSQL; DuckDB runs in the process and always knows). The
 * ingest pipeline then reads its committed mark back (lost-commit.ts) instead of answering "nothing was kept"; any
 * other write (registry, alerts) is answered 503 with this message, which tells the client to read its change back
 * before sending it again.
 */
export class CommitOutcomeUnknown extends UnavailableError {
  /**
   * `sessionEnded`: resolves once the transaction's session in the store has ended (its outcome fixed from then on),
   * rejects when that cannot be seen yet. Its committed mark read before that may be from before a COMMIT the store is
   * still to take (test/audit13-pglead).
   */
  constructor(cause: unknown, readonly sessionEnded: () => Promise<void> = () => Promise.resolve()) {
    super(`the store's answer to COMMIT was lost (${cause instanceof Error ? cause.message : String(cause)}): the change may have been stored; read it back before sending it again`, cause);
    this.name = 'CommitOutcomeUnknown';
  }
}
