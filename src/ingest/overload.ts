/**
 * The bound of the ingest queue (config ingest.maxQueuedEvents): rows (events and rejected rows) accepted by submit()
 * and not yet answered, queued or in their commit transaction. Measured on PostgreSQL with its events table locked
 * (docs/performance.md, "Overload"): each queued event held ~0.5 KB of the server's memory (small events; more with
 * large features) and a free store commits ~30,000 to 35,000 events a second, so 100,000 rows is about three seconds
 * of peak ingest (enough to ride out a checkpoint or a slow commit) in ~50 MB.
 */
export const DEFAULT_MAX_QUEUED_EVENTS = 100_000;

/** Seconds a refused sender is asked to wait (Retry-After): about what a free store needs to commit a full queue. */
export const OVERLOAD_RETRY_AFTER_SECONDS = 1;

/** submit() refused a request: the queue holds `queued` rows and the request's `rows` would take it past `max`. Nothing of it was kept. */
export class IngestOverloaded extends Error {
  constructor(readonly queued: number, readonly rows: number, readonly max: number) {
    super(`the ingest queue is full (${queued} events waiting for the store, at most ${max}: ingest.maxQueuedEvents)`);
    this.name = 'IngestOverloaded';
  }
}

/** Whether `rows` more rows fit beside `queued` under `max`; a request alone in an empty queue always fits (never starved). */
export function admits(queued: number, rows: number, max: number): boolean {
  return queued === 0 || queued + rows <= max;
}

/** The rows submitted and not yet answered, against their bound. */
export class QueueBound {
  private rows = 0;
  constructor(readonly max: number) {}

  get queued(): number {
    return this.rows;
  }

  full(rows: number): boolean {
    return !admits(this.rows, rows, this.max);
  }

  refusal(rows: number): IngestOverloaded {
    return new IngestOverloaded(this.rows, rows, this.max);
  }

  /** Counts `rows` in (once full() said they fit); the function answered counts them out (once). */
  take(rows: number): () => void {
    this.rows += rows;
    let out = false;
    return () => {
      if (!out) this.rows -= rows;
      out = true;
    };
  }
}
