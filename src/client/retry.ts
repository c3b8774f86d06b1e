import { fullJitter } from './backoff.js';

export interface RetryConfig {
  maxRetries: number;
  initialMs: number;
  maxMs: number;
  /** Paced retries (a positive Retry-After) are free while the batch is younger than this. */
  maxRetryAgeMs: number;
}

/**
 * The retry budget of one batch (audit 25). Until then a server that answered 429 + Retry-After: 1 (Lookout's own
 * answer when its ingest queue is full) for ~9 s lost the batch to maxRetries, though it asked to be waited out.
 * Now a retry the server paced (a retryable answer with a positive Retry-After) does not count against maxRetries while
 * the batch is younger than maxRetryAgeMs, and its wait is honoured above backoff.maxMs, up to what is left of
 * maxRetryAgeMs. Past that age every retry counts, as without Retry-After: a batch is given up at most about
 * maxRetryAgeMs later than it would have been. Retry-After: 0 asks for no wait and counts (no free spinning).
 * The age is measured on a monotonic clock from the batch's first attempt.
 */
export class RetryBudget {
  /** Retries counted against maxRetries. */
  private counted = 0;
  /** Retries made, counted or not. */
  private made = 0;
  private paced = 0;

  constructor(private readonly cfg: RetryConfig, readonly startedAt: number = performance.now()) {}

  get ageMs(): number {
    return performance.now() - this.startedAt;
  }

  /** Whether an earlier request carried these rows. */
  get retried(): boolean {
    return this.made > 0;
  }

  /** The wait before the next retry after a retryable failure, or null: give the batch up. */
  next(retryAfterMs: number | undefined, random: () => number = Math.random): number | null {
    const { maxRetries, initialMs, maxMs, maxRetryAgeMs } = this.cfg;
    const age = this.ageMs;
    if (retryAfterMs !== undefined && retryAfterMs > 0 && age < maxRetryAgeMs) {
      this.made++;
      this.paced++;
      // at least initialMs (a Retry-After of 0.001 s must not make the client spin); at most to the age bound
      return Math.min(Math.max(retryAfterMs, initialMs), Math.max(maxMs, Math.ceil(maxRetryAgeMs - age)));
    }
    if (this.counted >= maxRetries) return null;
    const attempt = this.counted++;
    this.made++;
    return retryAfterMs !== undefined ? Math.min(retryAfterMs, maxMs) : fullJitter(attempt, initialMs, maxMs, random);
  }

  /** Why the batch was given up (after next() returned null), e.g. "gave up after 9 attempts". */
  describe(): string {
    const attempts = `gave up after ${this.made + 1} attempts`;
    if (this.paced === 0) return attempts;
    return `${attempts} in ${(this.ageMs / 1000).toFixed(1)} s: the server asked to wait (Retry-After) for longer than maxRetryAgeMs ${this.cfg.maxRetryAgeMs} ms, then for maxRetries ${this.cfg.maxRetries} more`;
  }
}
