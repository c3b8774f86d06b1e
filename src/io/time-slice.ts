import { performance } from 'node:perf_hooks';

/** Lets pending I/O callbacks run (setImmediate runs after the poll phase). */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * How long a stretch of background work (the ingest path's merges and checkpoints, the store's bulk writes) may hold
 * the event loop before it lets requests in. At the gateway's 2,000 requests/s one arrives every 0.5 ms.
 */
export const SLICE_MS = 0.5;

/**
 * Cuts a long stretch of synchronous work into slices of about `budgetMs`: call `pace()` between units of work; it
 * yields to the event loop once that much time has passed since the last yield (or since the slicer was made), so a
 * request that arrives meanwhile waits about a slice, not for the whole stretch. Between yields it costs a clock read.
 */
export class TimeSlicer {
  private since = performance.now();

  constructor(private readonly budgetMs = SLICE_MS) {}

  /** True when the current slice is used up. */
  get due(): boolean {
    return performance.now() - this.since >= this.budgetMs;
  }

  /** Yields if the slice is used up; otherwise resolves at once. */
  async pace(): Promise<void> {
    if (!this.due) return;
    await yieldToLoop();
    this.since = performance.now();
  }
}
