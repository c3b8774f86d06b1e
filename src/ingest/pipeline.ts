/** The ingest pipeline: queued requests committed in pipelined groups, acknowledged once durable. */
import type { ModelCatalog } from '../monitoring/catalog.js';
import type { StorageBackend } from '../storage/backend.js';
import type { RejectRecord } from '../storage/types.js';
import { CheckpointSchedule } from './checkpoint-schedule.js';
import { CheckpointedWindows } from './checkpointed-windows.js';
import type { SpecOf } from './deltas.js';
import { DeltaOffload } from './delta-offload.js';
import type { ValidEvent } from './event-input.js';
import type { Pending } from './careful-commit.js';
import { GroupCommits } from './group-commit.js';
import { prepareRows } from './group-prepare.js';
import { recoverJournal } from './recovery.js';
import { DEFAULT_CHECKPOINT_MS, type IngestOptions } from './options.js';
import { DEFAULT_MAX_SEGMENTS_PER_MODEL, SegmentCap } from './segment-cap.js';
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
  /** The group commits (group-commit.ts), with the journal, its marks and seq, and whether ingest is broken. */
  private readonly commits: GroupCommits;
  /** Wakes a drain loop that waits for its group's commit when a submit arrives meanwhile (see drain). */
  private onSubmit: (() => void) | null = null;
  private closed = false;

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
    this.commits = new GroupCommits(store, this.windows, opts, (events, rejects) => this.prepareRows(events, rejects), () => this.checkpoints.whole());
    this.checkpoints = new CheckpointSchedule({
      windows: this.windows,
      kick: () => this.kick(),
      broken: () => this.commits.broken,
      pendingApplies: () => this.commits.applies.pending,
      log: () => this.commits.journal && this.commits.marks && { journal: this.commits.journal, summarisedKey: this.commits.marks.summarisedKey },
      seq: () => this.commits.seq,
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
        this.commits.journal = journal;
        this.commits.marks = marks;
        this.commits.seq = lastSeq;
      },
      apply: (deltas, seq) => this.commits.apply(deltas, seq),
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
    if ((this.windows.dirtyCount === 0 && this.commits.applies.pending === 0) || this.commits.broken) return Promise.resolve();
    return this.checkpoints.wait();
  }

  /** The journal's directory, its files kept until `release` (Journal.hold: a snapshot copies them); null without one. */
  holdJournal(): { dir: string; release: () => Promise<void> } | null {
    return this.commits.journal && { dir: this.commits.journal.dir, release: this.commits.journal.hold() };
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
      await this.commits.journal?.close();
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
      if (prev && !(await prev.done)) await this.commits.commitBatch(prev.batch);
      prev = null;
    };
    try {
      for (;;) {
        if (this.queue.length === 0 && prev !== null && !(await this.commitOrSubmit(prev.done))) continue;
        const batch = this.queue.length > 0 ? this.take() : null;
        const prepared = batch ? await this.prepare(batch).catch(() => null) : null;
        await settle();
        // Merges into memory are much faster than store transactions, but never let them fall behind without bound.
        if (this.commits.applies.pending > MAX_PENDING_APPLIES) await this.commits.applies.drain();
        if (batch) {
          if (prepared) prev = { batch, done: this.commits.write(batch, prepared) };
          else await this.commits.commitBatch(batch);
        }
        if (this.checkpoints.due()) {
          await settle();
          await this.commits.applies.drain();
          // Its store transaction runs beside the next groups' (see CheckpointSchedule.start); without a journal, it is awaited.
          const { done } = await this.checkpoints.start();
          if (this.commits.journal === null) await done;
        }
        if (!batch && !prev) {
          await this.commits.applies.drain(); // the merged windows are dirty by now: the finally below schedules their checkpoint
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

  /** A group's preparation (group-prepare.ts) with this pipeline's journal, delta worker and windows. */
  private prepareRows(events: readonly ValidEvent[], rejects: readonly RejectRecord[]): Promise<Prepared> {
    return prepareRows(events, rejects, { opts: this.opts, journal: this.commits.journal, offload: this.offload, specOf: this.specOf, windows: this.windows });
  }

  /** Why ingest stopped until a restart (fail-stop: /healthz answers 503 with it), or null. */
  failure(): string | null {
    return this.commits.broken?.message ?? null;
  }

  /** refusal() as it stands, without trying the journal again (the answer to a request the journal just refused). */
  refusalNow(): string | null {
    return this.commits.aborts.refusal;
  }

  /**
   * Why ingest refuses for now, though not until a restart (the summary journal cannot take a failed group's abort
   * record: its disk full; it resumes by itself), or null. Tries the journal once more first, when no group is being
   * committed (a probe of /healthz: so it turns 200 once space is freed, without waiting for an ingest request).
   */
  async refusal(): Promise<string | null> {
    if (!this.commits.aborts.pending) return null;
    if (this.commits.journal && !this.running && !this.closed && !this.commits.broken) {
      this.running = true; // the drain loop (which rotates the journal too) waits for this
      try {
        await this.commits.aborts.flush(this.commits.journal, this.commits.seq + 1);
      } catch {
        // still full: said below
      } finally {
        this.running = false;
        if (this.queue.length > 0 || this.checkpoints.readersUnserved) this.kick();
      }
    }
    return this.commits.aborts.refusal;
  }
}