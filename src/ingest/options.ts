import type { Random } from '../core/random/rng.js';
import type { SummaryKey } from '../storage/types.js';

/**
 * Where a committed group's time went, in seconds (their sum is the group's time): `prepare` (its journal record and
 * summary deltas, store copies of windows not in memory), `wait` (for the previous group's commit: commits run one at a
 * time), `store` (the store transaction of its events and rejects, with its journal record synced before COMMIT),
 * `apply` (its deltas merged into the in-memory windows).
 */
export interface CommitStages {
  /** The group's rows and journal record. */
  prepare: number;
  /** From the start of prepare until its deltas were ready (computed beside wait and store; COMMIT waits for them). */
  deltas: number;
  wait: number;
  store: number;
  apply: number;
}

/** Options of the ingest pipeline (pipeline.ts). */
export interface IngestOptions {
  /** Share of accepted events whose raw features are kept for debugging (default 0.01). */
  sampleRate: number;
  /** Source for the sampling decision (seeded: the adapter passes one). */
  random: Random;
  /** Events and rejected rows submitted and not yet committed beyond which submit() refuses a request (overload.ts; default 100,000). */
  maxQueuedEvents?: number;
  /** Most events committed in one transaction (group commit). */
  maxBatchEvents?: number;
  /** Window summaries kept in memory (clean ones beyond this are evicted; dirty ones stay until a checkpoint). */
  cacheWindows?: number;
  /** After each committed group: its size, its time from taken off the queue to merged into memory, and where that went. */
  onCommit?: (events: number, rejects: number, seconds: number, stages: CommitStages) => void;
  /** Called after a checkpoint with the window summaries it wrote (readers drop what they cached of them). */
  onSummaries?: (keys: readonly SummaryKey[]) => void;
  onCheckpoint?: (windows: number, seconds: number) => void;
  /** Wall clock (epoch ms), for the minute-window retention. */
  clock?: () => number;
  /**
   * Minute windows are kept for events newer than this (default 2 days); older events (late arrivals,
   * backfills) update only hour and day windows, so queries that far back resolve to whole hours.
   */
  minuteRetentionMs?: number;
  /**
   * Directory of the summary journal (see journal.ts); the server always gives one. Without it, the summaries
   * are written after every group in a second transaction: a crash between the two loses that group's
   * summaries (fine for tests and one-shot tools, not for a server).
   */
  journalDir?: string;
  /**
   * Compute groups' window deltas in a worker thread (default true), off the event loop that answers requests
   * (delta-offload.ts); false computes them on the event loop. Same windows either way.
   */
  deltaWorker?: boolean;
  /** Longest time dirty summaries wait for a checkpoint (default 2,000 ms; readers force one through sync()). */
  checkpointMs?: number;
  /** Distinct segments per model before new ones are placed under "__other__" (segment-cap.ts; default 1,000). */
  maxSegmentsPerModel?: number;
  /** Called for each event or rejected row placed under "__other__" by that limit. */
  onSegmentFolded?: (model: string) => void;
}

export const DEFAULT_MINUTE_RETENTION_MS = 2 * 86_400_000;
export const DEFAULT_CHECKPOINT_MS = 2_000;
