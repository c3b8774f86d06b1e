/** Records kept by a storage backend. Timestamps are epoch milliseconds (numbers). */

export type OutputKind = 'binary' | 'multiclass' | 'regression';

export interface ModelRecord {
  name: string;
  outputKind: OutputKind;
  /** JSON Schema of the `features` object of an event. */
  inputSchema: Record<string, unknown>;
  /** Keys of the event's `segment` object that summaries are split by. */
  segmentKeys: string[];
  /** Class labels (classification), in score-vector order for multiclass. */
  classes?: string[];
  description?: string;
  createdAt: number;
  updatedAt: number;
}

export interface VersionRecord {
  model: string;
  version: string;
  createdAt: number;
  /** Reference profile and metrics computed from the reference data (opaque JSON to storage). */
  reference?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

/** One accepted inference event, as stored (features only when sampled for debugging). */
export interface EventRecord {
  id: string;
  model: string;
  version: string;
  /** Event time. */
  ts: number;
  /** Canonical segment key, "" when none: "k1=v1&k2=v2" with keys sorted, values URI-encoded. */
  segment: string;
  /** Prediction as text (classification label or number). */
  prediction: string | null;
  /** Probability of the positive class (binary) or of the predicted class. */
  score: number | null;
  /** Per-class probabilities (multiclass), in the model's class order. */
  scores: number[] | null;
  latencyMs: number | null;
  error: string | null;
  costUsd: number | null;
  /** Raw features, present only for sampled events. */
  features: Record<string, unknown> | null;
}

export interface RejectRecord {
  ts: number;
  model: string | null;
  version: string | null;
  code: string;
  reason: string;
  /** A truncated excerpt of the rejected input (at most a few KB). */
  excerpt: string;
  /**
   * Where the row counts in its version's window summaries (not stored: the summaries are): its own segment key and
   * timestamp when those parts of it are valid (ingest/reject-placement.ts). Absent: no segment, at `ts`.
   */
  placement?: { segment: string; ts: number };
  /**
   * The id the client gave the rejected row, when it is a valid event id: the store keeps one reject per id (a retried
   * batch is not counted twice; StorageBackend.storedRejectIds). Rows without one are recorded every time.
   */
  id?: string;
}

export interface LabelRecord {
  /** Prediction id the label belongs to. */
  id: string;
  model: string;
  label: string;
  /** When the label arrived; a label sent again for the same id keeps the first one's (the label delay is measured from it). */
  receivedAt: number;
  /**
   * The event time of the prediction it labels (POST /v1/labels takes it from the stored event), or null when not
   * known (a label stored before its prediction: found by id alone). Reads of labelled events filter labels by it,
   * so that they do not join every label ever stored, and a label invalidates only caches over its prediction's time.
   */
  ts: number | null;
}

/** A stored event joined with its label. */
export interface LabelledEvent {
  event: EventRecord;
  label: string;
  receivedAt: number;
}

/** What metrics over labelled events read of each (labelledOutcomes): a LabelledEvent is one too. */
export interface LabelledOutcome {
  event: Pick<EventRecord, 'ts' | 'segment' | 'prediction' | 'score' | 'scores'>;
  label: string;
  receivedAt: number;
}

/** A summary window's granularity: what a query names (QueryGranularity), or the intermediate ones range reads use. */
export type Granularity = QueryGranularity | '10min' | '6h';

/** The granularities a query or a series can be asked for. */
export type QueryGranularity = 'minute' | 'hour' | 'day';

export interface SummaryKey {
  model: string;
  version: string;
  segment: string;
  granularity: Granularity;
  /** Start of the window (epoch ms, aligned to the granularity in UTC). */
  windowStart: number;
  /**
   * As read back (querySummaries, querySummaryKeys): the events the stored summary counts, when its writer gave it
   * (SummaryRecord.events); a window's feature summaries change only with its events, so this tells whether a value
   * computed from an earlier read of the window (a WindowValue) still holds, without reading the summary.
   */
  events?: number;
}

/** A serialised mergeable window summary; storage treats `data` and `head` as opaque bytes. */
export interface SummaryRecord extends SummaryKey {
  data: Uint8Array;
  /**
   * Optional small form of the same summary without its per-feature parts (WindowSummary.headBytes), stored
   * beside `data` so that series of counters, latency, predictions and CBPE read kilobytes per window instead of
   * the feature sketches. A write without it clears any stored head (never a stale head).
   */
  head?: Uint8Array | null;
  /** The events the summary counts (WindowSummary.events), stored beside it; absent: stored as unknown. */
  events?: number;
}

/**
 * A per-window value of a time-series metric (e.g. drift share, one feature's drift score), computed from a stored
 * window summary and kept so that a later cold series does not recompute it: valid while the window's stored
 * `events` still equals `events` (its summary is unchanged) and the reader's `basis` (what the value was computed
 * against: the version's reference and the statistics' version) is the same. One per window and metric.
 */
export interface WindowValue extends SummaryKey {
  metric: string;
  basis: string;
  events: number;
  value: number | null;
}

export interface WindowValueQuery extends SummaryQuery {
  metrics: readonly string[];
  basis: string;
}

export interface SummaryQuery {
  model: string;
  granularity: Granularity;
  /** Inclusive start and exclusive end on windowStart. */
  from: number;
  to: number;
  version?: string;
  segment?: string;
  /** Return each window's head as `data` where one is stored (the full data where none is). */
  headOnly?: boolean;
}

export interface EventQuery {
  model: string;
  from: number;
  to: number;
  version?: string;
  /** Only events that carry sampled features. */
  sampledOnly?: boolean;
  /** Only events whose segment key holds every "k=v" part of this one (segmentMatches), before `limit`. */
  segment?: string;
  limit?: number;
  /** Events reads (queryEvents) only: newest first (by time, then id, both descending) instead of oldest first. */
  newestFirst?: boolean;
  /** With newestFirst: only events before this one in that order (older, or as old with a smaller id): the next page. */
  before?: { ts: number; id: string };
  /**
   * Labelled reads only (labelledEvents, labelledOutcomes, countLabelled): a uniform sample of about this share
   * (0 < rate <= 1) of the labelled events, chosen by their id (the first 32 bits of its MD5 below rate x 2^32: see
   * sampleThreshold), so that the same events are in it at the same rate whatever the range, on either backend.
   */
  sampleRate?: number;
}

export interface CommitBatch {
  events?: readonly EventRecord[];
  rejects?: readonly RejectRecord[];
  summaries?: readonly SummaryRecord[];
  labels?: readonly LabelRecord[];
  /** State entries (key, value) set in the same transaction (the ingest journal's marks). */
  state?: ReadonlyArray<readonly [string, string]>;
  /**
   * Awaited inside the transaction after its writes, right before COMMIT; a rejection rolls it back. The ingest
   * path syncs its journal record here, so that the sync overlaps the store's own work.
   */
  beforeCommit?: () => Promise<void>;
  /**
   * No other commit writes what this one writes (the ingest checkpoints: window summaries and their own state key), so
   * the store may run it beside other commits instead of after them: neither waits for the other (DuckDB: a second
   * write connection; PostgreSQL: every transaction has a pooled client of its own anyway).
   */
  beside?: boolean;
}
