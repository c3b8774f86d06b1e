import type { ModelCatalog } from '../monitoring/catalog.js';
import type { StorageBackend } from '../storage/backend.js';
import type { EventRecord, RejectRecord } from '../storage/types.js';
import { CheckpointSchedule } from './checkpoint-schedule.js';
import { CheckpointedWindows, type GroupDeltas } from './checkpointed-windows.js';
import type { SpecOf } from './deltas.js';
import { DeltaOffload } from './delta-offload.js';
import type { ValidEvent } from './event-input.js';
import { commitCarefully, type Pending } from './careful-commit.js';
import { encodeGroup, groupInput } from './group.js';
import { RecordKind, type Journal } from './journal.js';
import { JournalAborts } from './journal-aborts.js';
import type { JournalMarks } from './journal-marks.js';
import { recoverJournal } from './recovery.js';
import { segmentKey } from './validate-event.js';
import { DEFAULT_CHECKPOINT_MS, DEFAULT_MINUTE_RETENTION_MS, type IngestOptions } from './options.js';
import { SerialQueue } from '../io/serial-queue.js';
import { CommitOutcomeUnknown } from '../storage/commit-outcome.js';
import { DEFAULT_MAX_SEGMENTS_PER_MODEL, SegmentCap } from './segment-cap.js';
import { settleLostCommit } from './lost-commit.js';
import { DEFAULT_MAX_QUEUED_EVENTS, QueueBound } from './overload.js';
import type { Prepared, Recovered } from './pipeline-types.js';

export { DEFAULT_CHECKPOINT_MS, DEFAULT_MINUTE_RETENTION_MS, type CommitStages, type IngestOptions } from './options.js';
export type { Recovered } from './pipeline-types.js';

/** Committed groups whose deltas may wait to be merged into memory before the next group's commit waits for them. */
const MAX_PENDING_APPLIES = 4;

/**
 * The ingest path. Validated events are queued; one committer at a time takes everything queued (group
 * commit), computes what it adds to the window summaries (minute, hour and day; whole traffic and its own
 * segment), writes that to the summary journal (synced), and commits its events and rejects to the store.
 * A caller's promise resolves only after that commit: acknowledged means durable. Only then are the deltas
 * merged into the in-memory windows. The deltas are computed while the transaction runs (the store needs only the
 * rows and the journal record); COMMIT waits for them too, so a committed group can always be summarised. Dirty
 * windows are written to the store by checkpoints (every `checkpointMs`, when many are dirty, or when a reader calls
 * sync()), which also record the journal position they cover; after a crash, open() replays the journal's committed
 * groups past that position.
 * Commits are pipelined: the next group is prepared while one commits.
 */
export class IngestPipeline {
  private queue: Pending[] = [];
  /** Rows (events and rejected rows) submitted and not yet answered, queued or in their commit, and their bound. */
  private readonly bound: QueueBound;
  private running = false;
  /** The window summaries in memory, and their checkpoints (checkpointed-windows.ts). */
  private readonly windows: CheckpointedWindows;
  private readonly maxBatch: number;
  /** When dirty windows are checkpointed, and the readers waiting for it (checkpoint-schedule.ts). */
  private readonly checkpoints: CheckpointSchedule;
  private journal: Journal | null = null;
  /** The journal's marks in the store's state (journal-marks.ts); set with the journal. */
  private marks: JournalMarks | null = null;
  /** Last journal seq used. */
  private seq = 0;
  /** Committed groups' merges of their deltas into memory, in commit order (see commitPrepared). */
  private readonly applies = new SerialQueue();
  /** Wakes a drain loop that waits for its group's commit when a submit arrives meanwhile (see drain). */
  private onSubmit: (() => void) | null = null;
  private closed = false;
  /**
   * Set when memory and store could diverge (the journal could not record a failed commit, or a committed group
   * could not be merged into memory): nothing more is accepted and nothing checkpointed (fail-stop); a restart
   * recovers from the journal.
   */
  private broken: Error | null = null;
  /** Abort records of failed groups, some of which the journal may not have taken yet (its disk full). */
  private readonly aborts = new JournalAborts();

  /** Where groups' deltas are computed: the delta worker, or this thread. */
  private readonly offload: DeltaOffload;
  private readonly specOf: SpecOf;
  private readonly segments: SegmentCap;

  constructor(private readonly store: StorageBackend, private readonly catalog: ModelCatalog, private readonly opts: IngestOptions) {
    this.specOf = (model, version) => catalog.version(model, version)?.spec;
    this.offload = new DeltaOffload(opts.deltaWorker ?? true, (e) => {
      // Nothing is lost: the groups it held, and all later ones, are summarised on the event loop.
      process.stderr.write(`lookout: the delta worker stopped (${String(e)}); event summaries are now computed on the main thread\n`);
    });
    this.maxBatch = opts.maxBatchEvents ?? 20_000;
    this.bound = new QueueBound(opts.maxQueuedEvents ?? DEFAULT_MAX_QUEUED_EVENTS);
    this.segments = new SegmentCap(opts.maxSegmentsPerModel ?? DEFAULT_MAX_SEGMENTS_PER_MODEL, opts.onSegmentFolded);
    this.windows = new CheckpointedWindows(store, catalog, opts);
    this.checkpoints = new CheckpointSchedule({
      windows: this.windows,
      kick: () => this.kick(),
      broken: () => this.broken,
      pendingApplies: () => this.applies.pending,
      log: () => this.journal && this.marks && { journal: this.journal, summarisedKey: this.marks.summarisedKey },
      seq: () => this.seq,
      closed: () => this.closed,
    }, opts.checkpointMs ?? DEFAULT_CHECKPOINT_MS);
  }

  /**
   * Opens the journal and recovers: replays the groups that committed after the last checkpoint, then
   * checkpoints. Call once before submitting (without a journal directory it does nothing).
   */
  /** `skipped`: rows of model versions no longer in the catalog; `missing`: see Recovered. */
  async open(): Promise<Recovered> {
    const recovered = await this.recover();
    // The segments already stored count against each model's limit (after the recovery: the journal's are stored then).
    await this.segments.seedFrom(this.store, this.catalog);
    return recovered;
  }

  private async recover(): Promise<Recovered> {
    if (this.opts.journalDir === undefined) return { replayed: 0, skipped: 0 };
    return recoverJournal(this.opts.journalDir, {
      store: this.store, catalog: this.catalog, specOf: this.specOf, windows: this.windows,
      adopt: (journal, marks, lastSeq) => {
        this.journal = journal;
        this.marks = marks;
        this.seq = lastSeq;
      },
      apply: (deltas, seq) => this.apply(deltas, seq),
      checkpointWhole: () => this.checkpoints.whole(),
    });
  }

  /** Window summaries held in memory by the ingest path. */
  get cachedWindows(): number {
    return this.windows.size;
  }

  /**
   * Events and rejected rows submitted and not yet answered, queued or in their commit transaction (the queue-depth
   * metric; ingest.maxQueuedEvents bounds it).
   */
  get queuedEvents(): number {
    return this.bound.queued;
  }

  /** Distinct segments each model's events are summarised under at most (ingest.maxSegmentsPerModel). */
  get maxSegmentsPerModel(): number {
    return this.segments.limit;
  }

  /** The bound of queuedEvents (ingest.maxQueuedEvents). */
  get maxQueuedEvents(): number {
    return this.bound.max;
  }

  /** Whether a request of `rows` rows would be refused now (a cheap check before validating it; submit() decides). */
  full(rows: number): boolean {
    return this.bound.full(rows);
  }

  /**
   * Queues a request's rows for the next group commit; resolves once they are committed (acknowledged means durable).
   * Rejects at once with IngestOverloaded, keeping and counting nothing of the request, when the rows submitted and not
   * yet answered would exceed maxQueuedEvents: the sender retries it later (429) rather than the queue growing without bound.
   */
  submit(events: readonly ValidEvent[], rejects: readonly RejectRecord[]): Promise<ReadonlySet<string>> {
    if (events.length === 0 && rejects.length === 0) return Promise.resolve(new Set());
    if (this.closed) return Promise.reject(new Error('the ingest pipeline is closed'));
    const rows = events.length + rejects.length;
    if (this.bound.full(rows)) return Promise.reject(this.bound.refusal(rows));
    const placed = this.segments.placeAll(events, rejects);
    const done = this.bound.take(rows);
    return new Promise((resolve, reject) => {
      this.queue.push({ ...placed, resolve: (d) => (done(), resolve(d)), reject: (e) => (done(), reject(e)) });
      this.kick();
      this.onSubmit?.();
    });
  }

  /**
   * Resolves once every acknowledged event is in the store's window summaries (a checkpoint, when any
   * window is dirty): readers call it first, so they read their writes.
   */
  sync(): Promise<void> {
    if ((this.windows.dirtyCount === 0 && this.applies.pending === 0) || this.broken) return Promise.resolve();
    return this.checkpoints.wait();
  }

  /** The journal's directory, its files kept until `release` (Journal.hold: a snapshot copies them); null without one. */
  holdJournal(): { dir: string; release: () => Promise<void> } | null {
    return this.journal && { dir: this.journal.dir, release: this.journal.hold() };
  }

  /** Waits until everything queued so far is committed (or failed) and checkpointed. */
  async flush(): Promise<void> {
    while (this.running || this.queue.length > 0) await new Promise((r) => setTimeout(r, 2));
    await this.sync();
  }

  /**
   * Flushes, then closes the journal; later submits fail. If the last checkpoint fails (the store refuses writes), the
   * journal and the worker are closed all the same and the error thrown: the journal keeps what the store lacks.
   */
  async close(): Promise<void> {
    try {
      await this.flush();
      await this.checkpoints.running;
    } finally {
      this.closed = true;
      this.checkpoints.stopTimer();
      await this.journal?.close();
      await this.offload.close();
    }
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    setImmediate(() => void this.drain());
  }

  private take(): Pending[] {
    const batch: Pending[] = [];
    let n = 0;
    while (this.queue.length > 0 && (batch.length === 0 || n + (this.queue[0]?.events.length ?? 0) <= this.maxBatch)) {
      const p = this.queue.shift() as Pending;
      batch.push(p);
      n += p.events.length;
    }
    return batch;
  }

  /**
   * Pipelined: while the store commits one group, the next one is prepared (deltas and journal record; the
   * windows are not touched until its commit succeeded). If a commit fails, its group goes through the
   * careful path (commitBatch: duplicates and per-request fallback). Checkpoints run between groups.
   * When nothing is queued while a group commits, the loop waits for that commit or for the next submit,
   * whichever comes first, and prepares what arrived at once: a loop that only waited for the commit would
   * prepare requests that arrived during it only after it, one stage after the other (measured under
   * bench:ingest's closed loop: half the groups were prepared that way).
   */
  private async drain(): Promise<void> {
    let prev: { batch: Pending[]; done: Promise<boolean> } | null = null;
    const settle = async (): Promise<void> => {
      if (prev && !(await prev.done)) await this.commitBatch(prev.batch);
      prev = null;
    };
    try {
      for (;;) {
        if (this.queue.length === 0 && prev !== null && !(await this.commitOrSubmit(prev.done))) continue;
        const batch = this.queue.length > 0 ? this.take() : null;
        const prepared = batch ? await this.prepare(batch).catch(() => null) : null;
        await settle();
        // Merges into memory are much faster than store transactions, but never let them fall behind without bound.
        if (this.applies.pending > MAX_PENDING_APPLIES) await this.applies.drain();
        if (batch) {
          if (prepared) prev = { batch, done: this.write(batch, prepared) };
          else await this.commitBatch(batch);
        }
        if (this.checkpoints.due()) {
          await settle();
          await this.applies.drain();
          // Its store transaction runs beside the next groups' (see CheckpointSchedule.start); without a journal, it is awaited.
          const { done } = await this.checkpoints.start();
          if (this.journal === null) await done;
        }
        if (!batch && !prev) {
          await this.applies.drain(); // the merged windows are dirty by now: the finally below schedules their checkpoint
          break;
        }
      }
    } finally {
      this.running = false;
      // Readers waiting while a checkpoint runs are served by the next one, which that one's end starts.
      if (this.queue.length > 0 || this.checkpoints.readersUnserved) this.kick();
      else this.checkpoints.schedule();
    }
  }

  /** Waits for a commit or for the next submit: true when the commit settled first (or at the same time). */
  private async commitOrSubmit(done: Promise<boolean>): Promise<boolean> {
    let settled = false;
    const submitted = new Promise<void>((resolve) => (this.onSubmit = resolve));
    await Promise.race([done.then(() => void (settled = true), () => void (settled = true)), submitted]);
    this.onSubmit = null;
    return settled || this.queue.length === 0;
  }

  /** Deltas, rows and journal record of a group; store copies of the target windows not in memory. */
  private async prepare(batch: readonly Pending[]): Promise<Prepared> {
    return this.prepareRows(batch.flatMap((p) => p.events), batch.flatMap((p) => p.rejects));
  }

  private async prepareRows(events: readonly ValidEvent[], rejects: readonly RejectRecord[]): Promise<Prepared> {
    const t0 = process.hrtime.bigint();
    const minuteCutoff = (this.opts.clock ?? Date.now)() - (this.opts.minuteRetentionMs ?? DEFAULT_MINUTE_RETENTION_MS);
    const input = groupInput(events, rejects, minuteCutoff);
    // The journal's record is also what the delta worker reads.
    const payload = this.journal || this.offload.offloaded ? encodeGroup(input) : null;
    // Not awaited here: the deltas (~8 µs per event in the worker on a slow machine, 80% of a group's preparation when
    // they were awaited) are computed while the previous group's transaction, and then this group's, run.
    const prepared: Prepared = {
      t0, tPrepared: t0, tDeltas: t0, records: [], rejects, payload: this.journal ? payload : null,
      deltas: this.offload.targets(input, payload, this.specOf).then(async (targets) => {
        const copies = await this.windows.storeCopies(targets);
        prepared.tDeltas = process.hrtime.bigint();
        return { targets, ...copies };
      }),
    };
    prepared.deltas.catch(() => undefined); // awaited before COMMIT; a failure rolls the transaction back
    prepared.records = events.map((e) => this.record(e));
    prepared.tPrepared = process.hrtime.bigint();
    return prepared;
  }

  /** Commits a prepared group; true when stored (its callers are answered), false when not (nothing answered yet). */
  private async write(batch: readonly Pending[], p: Prepared): Promise<boolean> {
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

  /** Why ingest stopped until a restart (fail-stop: /healthz answers 503 with it), or null. */
  failure(): string | null {
    return this.broken?.message ?? null;
  }

  /** refusal() as it stands, without trying the journal again (the answer to a request the journal just refused). */
  refusalNow(): string | null {
    return this.aborts.refusal;
  }

  /**
   * Why ingest refuses for now, though not until a restart (the summary journal cannot take a failed group's abort
   * record: its disk full; it resumes by itself), or null. Tries the journal once more first, when no group is being
   * committed (a probe of /healthz: so it turns 200 once space is freed, without waiting for an ingest request).
   */
  async refusal(): Promise<string | null> {
    if (!this.aborts.pending) return null;
    if (this.journal && !this.running && !this.closed && !this.broken) {
      this.running = true; // the drain loop (which rotates the journal too) waits for this
      try {
        await this.aborts.flush(this.journal, this.seq + 1);
      } catch {
        // still full: said below
      } finally {
        this.running = false;
        if (this.queue.length > 0 || this.checkpoints.readersUnserved) this.kick();
      }
    }
    return this.aborts.refusal;
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
  private async apply(p: GroupDeltas, seq: number): Promise<void> {
    await this.windows.merge(p, seq);
    if (this.journal === null) await this.checkpoints.whole();
  }

  /** The careful path for a group whose commit failed (careful-commit.ts). */
  private commitBatch(batch: readonly Pending[]): Promise<void> {
    return commitCarefully(batch, {
      commitRows: async (events, rejects) => this.commitPrepared(await this.prepareRows(events, rejects)),
      storedIds: async (ids) => (await this.store.getEvents(ids)).map((e) => e.id),
      storedRejectIds: (ids) => this.store.storedRejectIds(ids),
    });
  }

  private record(e: ValidEvent): EventRecord {
    const sampled = this.opts.sampleRate > 0 && this.opts.random.next() < this.opts.sampleRate;
    return {
      id: e.id, model: e.model, version: e.version, ts: e.ts, segment: segmentKey(e.segment),
      prediction: e.prediction === null ? null : String(e.prediction), score: e.score, scores: e.scores, latencyMs: e.latencyMs,
      error: e.error, costUsd: e.costUsd, features: sampled ? e.features : null,
    };
  }
}
