/**
 * One prediction, as sent to POST /v1/events. `id` and `timestamp` are filled in by `log()` when absent. A failed
 * inference (the model call threw) is logged with its `error` and without a prediction (or score).
 */
export type ClientEvent = ClientEventBase & (
  | { prediction: string | number | boolean; score?: number; scores?: number[]; error?: string | boolean | null }
  | { prediction?: null; score?: null; scores?: null; error: string | true }
);

interface ClientEventBase {
  /** Prediction id (at most 128 characters); a random UUID when absent. Labels refer to it. */
  id?: string;
  model: string;
  version: string;
  /** ISO-8601 string, epoch milliseconds or a Date; the client's clock at `log()` when absent. An invalid Date or a non-finite number is refused. */
  timestamp?: string | number | Date;
  features: Record<string, unknown>;
  /** Class label (classification) or number (regression); absent (or null) only with an `error`. */
  prediction?: string | number | boolean | null;
  /** Score of the positive class, in [0, 1]. */
  score?: number | null;
  /**
   * Per-class scores in [0, 1], in the order of the model's classes (predict_proba's row): a multiclass model's, or a
   * binary model's two instead of `score` (the positive class's entry is then its score).
   */
  scores?: number[] | null;
  /** Of a failed inference too. */
  latencyMs?: number;
  /** true or an error message when the inference failed. */
  error?: string | boolean | null;
  segment?: Record<string, string | number | boolean>;
  costUsd?: number;
}

export interface BackoffOptions {
  /** Upper bound of the first retry delay (ms, default 100); doubles per attempt (full jitter). */
  initialMs?: number;
  /**
   * Cap of any retry delay (ms, default 30,000), and of a server's Retry-After once the batch is older than maxRetryAgeMs
   * (before that a Retry-After is waited up to what is left of maxRetryAgeMs: audit 25).
   */
  maxMs?: number;
}

export interface ClientOptions {
  /** Base URL of the Lookout server, e.g. "http://lookout:8080" (http or https, no credentials: the constructor throws otherwise). */
  url: string;
  /** Sent as `Authorization: Bearer KEY` (needs the "ingest" scope); printable ASCII or Latin-1, else the constructor throws. */
  apiKey?: string;
  /** Most rows per request (default 500, at most 10,000). */
  maxBatch?: number;
  /** A partial batch is sent at most this long after its first row was queued (default 1,000 ms). */
  flushIntervalMs?: number;
  /** Most rows waiting per endpoint (events, labels) before the oldest is dropped (default 100,000). */
  maxQueue?: number;
  /**
   * Most bytes (UTF-8 JSON) of the rows waiting per endpoint before the oldest are dropped (default 64 MiB, at least
   * 1024): the bound of memory whatever the rows' size; measured once each row is serialised, right after log().
   */
  maxQueueBytes?: number;
  /**
   * Retries of one batch after its first attempt (default 8); then its rows count as failed. A retry the server paced
   * with a positive Retry-After (429 when its ingest queue is full) does not count while the batch is younger than maxRetryAgeMs.
   */
  maxRetries?: number;
  /**
   * How long (ms, default 300,000) a server that keeps answering with Retry-After is waited out before maxRetries applies
   * to its answers too (audit 25: the batch was lost after ~9 s of a 429 + Retry-After: 1 overload). 0: never.
   */
  maxRetryAgeMs?: number;
  backoff?: BackoffOptions;
  /** Time limit of one request, response body included (default 10,000 ms). */
  timeoutMs?: number;
  /**
   * Most characters of JSON per request (default 4,000,000); a single larger row is refused (counted as rejected). A request
   * is also cut at the server's body limit, 16 MiB of UTF-8, whatever this is; a row larger alone is refused likewise.
   */
  maxBatchChars?: number;
  /** Told about rows that are rejected, dropped, failed or refused (exceptions it throws, and rejections of a promise it returns, are swallowed). */
  onError?: (err: LookoutClientError) => void;
  /**
   * Told about a warning of the server's answer to a delivered batch (audit 28: `undeclared_segment_key`, a segment key
   * the model does not declare, ignored; audit 29: `unknown_field`, a field that is not a row's, ignored), once per
   * distinct warning (code, model and keys) for the client's life. The rows were stored; the warning says what of them
   * was not used. Exceptions it throws are swallowed.
   */
  onWarning?: (warning: LookoutClientWarning) => void;
  /** HTTP implementation (default: the global fetch). */
  fetch?: typeof fetch;
  /** Wall clock in epoch ms, for default timestamps and HTTP-date Retry-After (default Date.now). */
  clock?: () => number;
}

/** Counters of one endpoint (or of both, summed). Every row ends in exactly one of sent, rejected, dropped, failed. */
export interface EndpointStats {
  /** Rows waiting to be sent (not yet in a request). */
  queued: number;
  /** Rows acknowledged by the server (accepted, or already stored by an earlier attempt of the same batch). */
  sent: number;
  /** Rows the server rejected (not retryable) or that `log()`/`label()` refused (not an object, not serialisable, too large). */
  rejected: number;
  /** Rows dropped because the queue was full (the oldest go first), or logged after `close()`. */
  dropped: number;
  /** Rows whose batch failed: retries exhausted, a 4xx answer (other than 408/429; a 413 first splits the batch), or a 2xx answer that is not Lookout's. */
  failed: number;
  /** Retry attempts made (requests beyond the first of each batch). */
  retries: number;
  /** Rows of the batch being sent (in a request or waiting for its next retry). */
  inFlight: number;
}

export interface ClientStats extends EndpointStats {
  events: EndpointStats;
  labels: EndpointStats;
}

export type ClientErrorKind = 'rejected' | 'failed' | 'dropped' | 'invalid';

/** What `onError` receives: a count of rows of one endpoint and why they were not delivered. */
/** A warning of the server's answer to a batch (docs/events.md): its code, message and details as the server sent them. */
export interface LookoutClientWarning {
  endpoint: 'events' | 'labels';
  code: string;
  message: string;
  details: Record<string, unknown>;
}

export class LookoutClientError extends Error {
  /** For kind "rejected": the first few rejections of the batch, as the server returned them. */
  readonly rejections: ReadonlyArray<{ index: number; id?: string; code: string; message: string }>;

  constructor(
    readonly kind: ClientErrorKind,
    readonly endpoint: 'events' | 'labels',
    readonly count: number,
    message: string,
    options: { cause?: unknown; rejections?: ReadonlyArray<{ index: number; id?: string; code: string; message: string }> } = {},
  ) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'LookoutClientError';
    this.rejections = options.rejections ?? [];
  }
}
