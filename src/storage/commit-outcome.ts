/**
 * A COMMIT whose answer was lost: the connection to the store dropped after COMMIT was sent, so the transaction may
 * have committed or not, and only the store can say (PostgreSQL; DuckDB runs in the process and always knows). The
 * ingest pipeline then reads its committed mark back (pipeline.ts) instead of answering "nothing was kept".
 */
export class CommitOutcomeUnknown extends Error {
  constructor(cause: unknown) {
    super(`the store's answer to COMMIT was lost (${cause instanceof Error ? cause.message : String(cause)}): the transaction may have committed`, { cause });
    this.name = 'CommitOutcomeUnknown';
  }
}
