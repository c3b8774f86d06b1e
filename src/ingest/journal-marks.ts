import type { StorageBackend } from '../storage/backend.js';

type StateEntry = readonly [string, string];

/**
 * The summary journal's marks in the store's state (keys `ingest.journal.<id>.*`), written in the same transactions
 * as what they mark:
 * - `committed`: the last group whose transaction committed (written by that transaction; lost-commit.ts reads it);
 * - `summarised`: the journal position the last checkpoint's summaries cover (written by the checkpoint);
 * - `aborted`: the groups whose commit failed past the summarised mark, written by the next group that commits. A
 *   committed mark past a failed group then always comes with the group's abort in the store, so a restart never
 *   replays it, even when the journal lost its abort record (a file cut between a failed group's record and its
 *   abort: the restart counted the failed group's events, never stored; audit 14).
 */
export class JournalMarks {
  readonly committedKey: string;
  readonly summarisedKey: string;
  private readonly abortedKey: string;
  /** Failed groups past the summarised mark, and the list as the store holds it. */
  private failed: number[] = [];
  private failedStored = '';

  constructor(journalId: string) {
    this.committedKey = `ingest.journal.${journalId}.committed`;
    this.summarisedKey = `ingest.journal.${journalId}.summarised`;
    this.abortedKey = `ingest.journal.${journalId}.aborted`;
  }

  /** The marks as the store holds them (at start-up). */
  async read(store: Pick<StorageBackend, 'getState'>): Promise<{ summarised: number; committed: number; aborted: number[] }> {
    const summarised = Number((await store.getState(this.summarisedKey)) ?? 0);
    const committed = Number((await store.getState(this.committedKey)) ?? 0);
    this.failedStored = (await store.getState(this.abortedKey)) ?? '';
    return { summarised, committed, aborted: this.failedStored.split(',').filter((x) => x !== '').map(Number) };
  }

  /** A group's commit failed (its abort record goes to the journal too). */
  groupFailed(seq: number): void {
    this.failed.push(seq);
  }

  /**
   * The state group `seq`'s transaction writes (`summarised`: the mark the store holds now; failed groups at or below
   * it are dropped, a restart does not replay them anyway); `written()` once it committed.
   */
  groupState(seq: number, summarised: number): { state: StateEntry[]; written: () => void } {
    if (this.failed.some((s) => s <= summarised)) this.failed = this.failed.filter((s) => s > summarised);
    const failed = this.failed.join(',');
    const state: StateEntry[] = [[this.committedKey, String(seq)]];
    if (failed !== this.failedStored) state.push([this.abortedKey, failed]);
    return { state, written: () => void (this.failedStored = failed) };
  }
}
