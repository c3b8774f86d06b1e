import type { QueuedRow } from './batch.js';
import type { Ring } from './ring.js';
import { serialise } from './transport.js';

/** Rows serialised per turn of the event loop, and characters of JSON: a backlog never holds the loop long. */
const SLICE_ROWS = 1000;
const SLICE_CHARS = 4_000_000;

/**
 * The queue's bound in bytes (maxQueueBytes, beside maxQueue's in rows): a row of 1 MB weighs as such, not as one row.
 * log() stays O(1): the rows it queues are serialised soon after, off the caller's path (setImmediate, in slices),
 * their UTF-8 bytes counted, and while the count is over the bound the oldest queued rows are dropped (`drop`).
 * A row serialised here keeps its JSON (the caller's object is released), as takeBatch would have made it.
 * Rows that cannot be serialised are left to takeBatch, which refuses them.
 */
export class QueueBytes {
  private total = 0;
  private pending: QueuedRow[] = [];
  private kicked = false;

  constructor(private readonly queue: Ring<QueuedRow>, private readonly maxChars: number, readonly max: number, private readonly drop: (n: number) => void) {}

  get bytes(): number {
    return this.total;
  }

  /** A row just queued: counted now when it has its JSON (labels), else serialised shortly. */
  add(row: QueuedRow): void {
    if (row.json !== null) {
      this.count(row, row.json);
      this.enforce();
      return;
    }
    this.pending.push(row);
    if (this.kicked) return;
    this.kicked = true;
    setImmediate(() => this.serialisePending());
  }

  /** A row leaving the queue other than by takeBatch (dropped, abandoned). */
  release(row: QueuedRow): void {
    this.total -= row.bytes;
    row.bytes = 0;
    row.value = null;
  }

  /** Rows takeBatch took off the queue, of these counted bytes. */
  taken(bytes: number): void {
    this.total -= bytes;
  }

  private count(row: QueuedRow, json: string): void {
    row.bytes = Buffer.byteLength(json, 'utf8');
    this.total += row.bytes;
  }

  private serialisePending(): void {
    this.kicked = false;
    let i = 0;
    let chars = 0;
    for (; i < this.pending.length && i < SLICE_ROWS && chars < SLICE_CHARS; i++) {
      const row = this.pending[i] as QueuedRow;
      // Taken by a batch (serialised there), dropped or abandoned meanwhile: nothing to count.
      if (row.json !== null || row.value === null) continue;
      const s = serialise(row.value, row.id, row.ts, this.maxChars);
      if (typeof s !== 'string') continue;
      row.json = s;
      row.value = null;
      chars += s.length;
      this.count(row, s);
    }
    this.pending = i >= this.pending.length ? [] : this.pending.slice(i);
    this.enforce();
    if (this.pending.length > 0 && !this.kicked) {
      this.kicked = true;
      setImmediate(() => this.serialisePending());
    }
  }

  /** Drops the oldest queued rows while the counted bytes are over the bound. */
  private enforce(): void {
    let n = 0;
    while (this.total > this.max && this.queue.length > 0) {
      this.release(this.queue.shift() as QueuedRow);
      n++;
    }
    if (n > 0) this.drop(n);
  }
}

/**
 * Rows logged after close(): the first is reported at once, the later ones in one call per `intervalMs` (unref'ed
 * timer), never one call per row (a caller logging on after shutdown flooded its error handler).
 */
export class ClosedDrops {
  private unreported = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly intervalMs: number, private readonly report: (n: number) => void) {}

  add(): void {
    this.unreported++;
    if (this.timer === null) this.flush();
  }

  private flush(): void {
    this.timer = null;
    if (this.unreported === 0) return;
    const n = this.unreported;
    this.unreported = 0;
    this.report(n);
    this.timer = setTimeout(() => this.flush(), this.intervalMs).unref();
  }
}
