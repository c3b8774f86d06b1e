import type { StorageBackend } from '../storage/backend.js';
import type { CommitOutcomeUnknown } from '../storage/commit-outcome.js';

/** Reads of the committed mark after a COMMIT whose answer was lost, 0.5 to 4 s apart (~7.5 s in all). */
const OUTCOME_READS = 5;

/**
 * A group whose COMMIT's answer was lost (PostgreSQL's connection dropped once COMMIT was sent): the store's committed
 * mark (`committedKey`), written by the same transaction, says whether it committed. Before, such a group was answered
 * 503 "nothing was kept" and marked aborted although its events were stored, so they were never summarised (a client's
 * retry got duplicate_id). 'unknown' when the mark cannot be read (the store still away): the caller stops ingest
 * (fail-stop, /healthz 503), and a restart replays the group from the journal if the mark then says it committed.
 */
export async function settleLostCommit(store: Pick<StorageBackend, 'getState'>, committedKey: string, seq: number, err: CommitOutcomeUnknown): Promise<'committed' | 'failed' | 'unknown'> {
  for (let attempt = 0; attempt < OUTCOME_READS; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
    try {
      // Only once its session has ended does the mark say for good (a COMMIT PostgreSQL had not taken yet commits later).
      await err.sessionEnded();
      const mark = Number((await store.getState(committedKey)) ?? 0);
      if (mark >= seq) process.stderr.write(`lookout: ${err.message}; it did (the store's committed mark), so its events are acknowledged and summarised\n`);
      return mark >= seq ? 'committed' : 'failed';
    } catch {
      // read again after a pause
    }
  }
  return 'unknown';
}
