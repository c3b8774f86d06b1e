/** A prepared group's commit: its store transaction and journal record, what a failed or lost COMMIT leaves, its merge into memory. */
import type { StorageBackend } from '../storage/backend.js';
import { CommitOutcomeUnknown } from '../storage/commit-outcome.js';
import type { RejectRecord } from '../storage/types.js';
import { SerialQueue } from '../io/serial-queue.js';
import { commitCarefully, type Pending } from './careful-commit.js';
import type { CheckpointedWindows, GroupDeltas } from './checkpointed-windows.js';
import type { ValidEvent } from './event-input.js';
import { RecordKind, type Journal } from './journal.js';
import { JournalAborts } from './journal-aborts.js';
import type { JournalMarks } from './journal-marks.js';
import { settleLostCommit } from './lost-commit.js';
import type { IngestOptions } from './options.js';
import type { Prepared } from './pipeline-types.js';

/**
 * The ingest pipeline's (pipeline.ts) group commits, one at a time in its drain loop: each group's journal record is
 * synced before its store COMMIT, and its deltas are merged into the in-memory windows after it, in commit order. Holds
 * the journal, its marks and the last seq used (set by the start's recovery), and whether ingest is broken (fail-stop).
 */
export class GroupCommits {
  /** The summary journal; null without one (or before the recovery sets it). */
  journal: Journal | null = null;
  /** The journal's marks in the store's state (journal-marks.ts); set with the journal. */
  marks: JournalMarks | null = null;
  /** Last journal seq used. */
  seq = 0;
  /** Committed groups' merges of their deltas into memory, in commit order (see commitPrepared). */
  readonly applies = new SerialQueue();
  /**
   * Set when memory and store could diverge (the journal could not record a failed commit, or a committed group
   * could not be merged into memory): nothing more is accepted and nothing checkpointed (fail-stop); a restart
   * recovers from the journal.
   */
  broken: Error | null = null;
  /** Abort records of failed groups, some of which the journal may not have taken yet (its disk full). */
  readonly aborts = new JournalAborts();

  /**
   * `prepareRows`: a group's preparation (group-prepare.ts), for the careful path's transactions; `checkpointWhole`:
   * writes every dirty window (without a journal, after each merge: see apply).
   */
  constructor(
    private readonly store: StorageBackend,
    private readonly windows: CheckpointedWindows,
    private readonly opts: IngestOptions,
    private readonly prepareRows: (events: readonly ValidEvent[], rejects: readonly RejectRecord[]) => Promise<Prepared>,
    private readonly checkpointWhole: () => Promise<boolean>,
  ) {}

  /** Commits a prepared group; true when stored (its callers are answered), false when not (nothing answered yet). */
  async write(batch: readonly Pending[], p: Prepared): Promise<boolean> {
    try {
      await this.commitPrepared(p);
    } catch {
      return false;
    }
    const none: ReadonlySet<string> = new Set();
    for (const q of batch) q.resolve(none);
    return true;
  }

  /**
   * The store transaction (events, rejects and the committed mark) with the journal record synced before its
   * COMMIT, then the deltas into memory. On failure the record is marked aborted and the error thrown: nothing is kept.
   */
  private async commitPrepared(p: Prepared): Promise<void> {
    if (this.broken) throw this.broken;
    if (this.journal && this.aborts.pending) await this.aborts.flush(this.journal, this.seq + 1);
    const seq = ++this.seq;
    const tStore = process.hrtime.bigint();
    // The journal record is written and synced while the store does its part of the transaction; COMMIT
    // waits for it, so a committed group always has its record on disk, and for the group's deltas.
    const journaled = this.journal && p.payload ? this.journal.append(RecordKind.Group, seq, p.payload) : null;
    journaled?.catch(() => undefined); // awaited below; a failure rolls the transaction back
    try {
      const marks = this.journal && this.marks?.groupState(seq, this.windows.summarised);
      await this.store.commit({
        events: p.records, rejects: p.rejects,
        ...(marks && { state: marks.state }),
        beforeCommit: async () => {
          await p.deltas;
          await journaled;
        },
      });
      if (marks) marks.written();
    } catch (err) {
      // The group's deltas (their reads of window copies from the store) end before its requests are answered or
      // retried one by one: a store refused before COMMIT waited for them left them running beside the next reads
      // (out of DuckDB memory near its limit: test/issue-3-duckdb-memory).
      await p.deltas.catch(() => undefined);
      // The abort record goes after the group's, never beside it; after a failed append, in a fresh file.
      const appendFailed = journaled ? await journaled.then(() => false, () => true) : false;
      const outcome = err instanceof CommitOutcomeUnknown && this.journal && !appendFailed ? await this.outcomeOf(seq, err) : 'failed';
      if (outcome !== 'committed') {
        // An unknown outcome leaves the record unmarked: the restart's replay goes by the store's committed mark.
        if (this.journal && outcome === 'failed') {
          this.marks?.groupFailed(seq);
          await this.aborts.mark(this.journal, seq, appendFailed);
        }
        throw err;
      }
    }
    const tStored = process.hrtime.bigint();
    // Committed and journaled: durable, so its callers are answered now. Its deltas go into memory in commit order
    // while the next group's transaction runs (with a journal: checkpoints and sync() wait for them; without one, the
    // summaries are written by apply itself, so it is awaited here).
    const applied = this.applies.run(() => this.applyCommitted(p, seq, tStore, tStored));
    if (this.journal === null) await applied;
  }

  /** settleLostCommit (lost-commit.ts) for a group of this pipeline; an unknown outcome stops ingest until a restart. */
  private async outcomeOf(seq: number, err: CommitOutcomeUnknown): Promise<'committed' | 'failed' | 'unknown'> {
    const outcome = await settleLostCommit(this.store, this.marks?.committedKey ?? '', seq, err);
    if (outcome === 'unknown') {
      this.broken = new Error(`ingest: ${err.message}, and the store cannot say whether it did; restart the server once the store is back (the journal replays the group if it committed)`);
      process.stderr.write(`lookout: ${this.broken.message}\n`);
    }
    return outcome;
  }

  /** apply() for a committed group, in commit order (see commitPrepared); never rejects. */
  private async applyCommitted(p: Prepared, seq: number, tStore: bigint, tStored: bigint): Promise<void> {
    if (!this.broken) {
      try {
        await this.apply(await p.deltas, seq);
      } catch (err) {
        // Committed and journaled, so acknowledged, but not in memory (a store read failed): memory no longer
        // matches the store. Fail-stop: no more ingest and no checkpoint (which would mark this group as
        // summarised); a restart replays it, and any group committed after it, from the journal.
        this.broken = new Error(`ingest: the window summaries could not be updated (${String(err)}); restart the server to recover them from the journal`);
        process.stderr.write(`lookout: ${this.broken.message}\n`);
      }
    }
    const tApplied = process.hrtime.bigint();
    const s = (a: bigint, b: bigint): number => Number(b - a) / 1e9;
    this.opts.onCommit?.(p.records.length, p.rejects.length, s(p.t0, tApplied), {
      prepare: s(p.t0, p.tPrepared), deltas: s(p.t0, p.tDeltas), wait: s(p.tPrepared, tStore), store: s(tStore, tStored), apply: s(tStored, tApplied),
    });
  }

  /** Merges a committed group's deltas into the in-memory windows; without a journal, then writes them. */
  async apply(p: GroupDeltas, seq: number): Promise<void> {
    await this.windows.merge(p, seq);
    if (this.journal === null) await this.checkpointWhole();
  }

  /** The careful path for a group whose commit failed (careful-commit.ts). */
  commitBatch(batch: readonly Pending[]): Promise<void> {
    return commitCarefully(batch, {
      commitRows: async (events, rejects) => this.commitPrepared(await this.prepareRows(events, rejects)),
      storedIds: async (ids) => (await this.store.getEvents(ids)).map((e) => e.id),
      storedRejectIds: (ids) => this.store.storedRejectIds(ids),
    });
  }
}
