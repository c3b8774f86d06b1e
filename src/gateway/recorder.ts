import type { ValidEvent } from '../ingest/event-input.js';
import type { IngestPipeline } from '../ingest/pipeline.js';
import type { RejectRecord } from '../storage/types.js';

export interface RecorderOptions {
  /** Flush when this many events are buffered (default 5000). */
  maxBatch?: number;
  /**
   * Flush at most this long after the first buffered event (default 200 ms). Each commit takes the event
   * loop for a moment (serialising the group, merging its deltas, the events' JSON document) and CPU on other
   * threads, so fewer, larger commits keep the tail latency of predictions low; monitoring sees the events a
   * fraction of a second later.
   */
  maxDelayMs?: number;
  /** Events buffered or in flight beyond this are dropped and counted (bounded memory; default 100,000). */
  maxPending?: number;
  onError?: (err: unknown, events: number) => void;
}

/**
 * Records the gateway's predictions into the ingest pipeline off the request path: events are buffered and
 * submitted in batches (group commit), so a prediction never waits for a database commit. Memory is
 * bounded; when the store cannot keep up, events are dropped and counted, never queued without limit.
 */
export class EventRecorder {
  private events: ValidEvent[] = [];
  /** Ids in the buffer: a second event with the same id (a client reusing an id) would fail the whole commit. */
  private ids = new Set<string>();
  private rejects: RejectRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight = 0;
  private readonly inFlightPromises = new Set<Promise<unknown>>();
  recorded = 0;
  dropped = 0;
  /** Events not recorded because their id was already buffered or stored (a client reusing a request id). */
  duplicates = 0;
  failed = 0;

  constructor(private readonly pipeline: IngestPipeline, private readonly o: RecorderOptions = {}) {}

  record(e: ValidEvent): void {
    if (this.events.length + this.inFlight >= (this.o.maxPending ?? 100_000)) {
      this.dropped++;
      return;
    }
    if (this.ids.has(e.id)) {
      this.duplicates++;
      return;
    }
    this.ids.add(e.id);
    this.events.push(e);
    this.schedule();
  }

  reject(r: RejectRecord): void {
    this.rejects.push(r);
    this.schedule();
  }

  /** Submits everything buffered and waits for all submitted batches to be committed (or fail). */
  async flush(): Promise<void> {
    this.submit();
    while (this.inFlightPromises.size > 0) await Promise.allSettled([...this.inFlightPromises]);
  }

  private schedule(): void {
    if (this.events.length >= (this.o.maxBatch ?? 5000)) this.submit();
    else if (this.timer === null) {
      this.timer = setTimeout(() => this.submit(), this.o.maxDelayMs ?? 200);
      this.timer.unref();
    }
  }

  private submit(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.events.length === 0 && this.rejects.length === 0) return;
    const events = this.events;
    const rejects = this.rejects;
    this.events = [];
    this.ids = new Set();
    this.rejects = [];
    this.inFlight += events.length;
    const p = this.pipeline.submit(events, rejects).then(
      (dups) => {
        this.recorded += events.length - dups.size;
        this.duplicates += dups.size;
      },
      (err: unknown) => {
        this.failed += events.length;
        this.o.onError?.(err, events.length);
      },
    ).finally(() => {
      this.inFlight -= events.length;
      this.inFlightPromises.delete(p);
    });
    this.inFlightPromises.add(p);
  }
}
