import type { EventRecord, RejectRecord } from '../storage/types.js';
import type { GroupDeltas } from './checkpointed-windows.js';

/**
 * What a start's recovery did: groups replayed, rows skipped (model versions no longer declared) and, when any, groups
 * the store says may have committed whose journal records are gone (`missing`: replayable in journal.ts), whose events
 * are stored but cannot be counted in the window summaries.
 */
export interface Recovered {
  replayed: number;
  skipped: number;
  missing?: number;
}

/**
 * A group ready to commit: its rows, its journal record, and the deltas it adds to the windows, which are still being
 * computed (by the delta worker, or on this thread without one) while its store transaction runs; COMMIT waits for them.
 */
export interface Prepared {
  /** When the group was taken off the queue, when its preparation ended, and when its deltas were ready. */
  t0: bigint;
  tPrepared: bigint;
  tDeltas: bigint;
  records: EventRecord[];
  rejects: readonly RejectRecord[];
  payload: Buffer | null;
  /** Rejects when they cannot be computed (the group is then not committed); always handled. */
  deltas: Promise<GroupDeltas>;
}
