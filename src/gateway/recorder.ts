import type { ValidEvent } from '../ingest/event-input.js';
import type { IngestPipeline } from '../ingest/pipeline.js';
import { IngestOverloaded } from '../ingest/overload.js';
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
 * bounded; when the store cannot keep up, events are dropped and counted, never queued without limit. A batch the
 * pipeline refuses because its queue is full (ingest.maxQueuedEvents) goes back into the buffer, within maxPending, and
 * is submitted again after maxDelayMs: a short overload loses nothing, a long one drops (counted) what does not fit.
 */
export class EventRecorder {
  private events: ValidEvent[] = [];
  /** Ids in the buffer: a second event with the same id (a client reusing an id) would fail the whole commit. */
  private ids = new Set<string>();
  private rejects: RejectRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  /** Set while the pipeline refuses (its queue full): the buffer is submitted only by the timer, never on each record. */
  private refused = false;
  private inFlight = 0;
  private readonly inFlightPromises = new Set<Promise<unknown>>();
  /** The ids of each batch submitted and not yet committed (or failed): see committed(). */
  private readonly inFlightIds = new Map<Promise<unknown>, ReadonlySet<string>>();
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

  /** Submits everything buffered and waits for all submitted batches to be committed (or fail); a refused one is submitted again. */
  async flush(): Promise<void> {
    for (;;) {
      this.submit();
      while (this.inFlightPromises.size > 0) await Promise.allSettled([...this.inFlightPromises]);
      if (this.events.length === 0 && this.rejects.length === 0) return;
      await new Promise((r) => setTimeout(r, this.o.maxDelayMs ?? 200));
    }
  }

  /**
   * Whether an event of one of these ids is buffered or being committed: answered by the gateway, not yet in the store.
   * Audit 27: a label posted at once for a prediction the gateway had just answered was refused unknown_prediction (and
   * lost) for up to maxDelayMs; POST /v1/labels now waits for committed() when an id it does not find is held here.
   */
  holds(ids: Iterable<string>): boolean {
    for (const id of ids) {
      if (this.ids.has(id)) return true;
      for (const batch of this.inFlightIds.values()) if (batch.has(id)) return true;
    }
    return false;
  }

  /**
   * Submits the buffer at once when it holds one of these ids and waits for the commit of every batch holding one (not
   * for the events recorded meanwhile: under steady traffic flush() may not return). A batch the pipeline refuses
   * (its queue full) goes back into the buffer: its events are then still held when this returns.
   */
  async committed(ids: readonly string[]): Promise<void> {
    if (ids.some((id) => this.ids.has(id))) this.submit();
    const waits = [...this.inFlightIds].filter(([, batch]) => ids.some((id) => batch.has(id))).map(([p]) => p);
    await Promise.allSettled(waits);
  }

  private schedule(): void {
    if (this.events.length >= (this.o.maxBatch ?? 5000) && !this.refused) this.submit();
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
    const ids = this.ids;
    this.events = [];
    this.ids = new Set();
    this.rejects = [];
    this.inFlight += events.length;
    const p = this.pipeline.submit(events, rejects).then(
      (dups) => {
        this.refused = false;
        this.recorded += events.length - dups.size;
        this.duplicates += dups.size;
      },
      (err: unknown) => {
        if (err instanceof IngestOverloaded) return this.keep(events, rejects);
        this.failed += events.length;
        this.o.onError?.(err, events.length);
      },
    ).finally(() => {
      this.inFlight -= events.length;
      this.inFlightPromises.delete(p);
      this.inFlightIds.delete(p);
    });
    this.inFlightPromises.add(p);
    this.inFlightIds.set(p, ids);
  }

  /** A batch the pipeline refused (its queue full): back in front of the buffer as far as maxPending allows, submitted again later. */
  private keep(events: readonly ValidEvent[], rejects: readonly RejectRecord[]): void {
    this.refused = true;
    // This batch is still counted in flight; what is buffered since, and other batches in flight, count too.
    const room = (this.o.maxPending ?? 100_000) - this.events.length - (this.inFlight - events.length);
    const fresh = events.filter((e) => !this.ids.has(e.id)); // an id recorded again meanwhile is a duplicate
    this.duplicates += events.length - fresh.length;
    const kept = fresh.slice(0, Math.max(0, room));
    this.dropped += fresh.length - kept.length;
    for (const e of kept) this.ids.add(e.id);
    this.events = [...kept, ...this.events];
    this.rejects = [...rejects, ...this.rejects];
    if (this.timer === null) {
      this.timer = setTimeout(() => this.submit(), this.o.maxDelayMs ?? 200);
      this.timer.unref();
    }
  }
}
