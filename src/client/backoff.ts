/** Delay before retry number `attempt` (0 = first retry): uniform in [0, min(maxMs, initialMs * 2^attempt)) ("full jitter"). */
export function fullJitter(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 40));
  return Math.floor(random() * ceiling);
}

/**
 * A Retry-After header in ms: delta-seconds (fractions allowed) or an HTTP date relative to `now`.
 * Undefined when absent or unparseable; never negative.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const t = Date.parse(v);
  return Number.isFinite(t) ? Math.max(0, t - now) : undefined;
}

/** Resolves after `ms`, or at once when `signal` aborts. `onTimer` gets the timer (to ref/unref it), then null when done. */
export function abortableSleep(ms: number, signal: AbortSignal, onTimer: (t: NodeJS.Timeout | null) => void): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      onTimer(null);
      resolve();
    };
    const t = setTimeout(done, ms);
    onTimer(t);
    if (signal.aborted) done();
    else signal.addEventListener('abort', done);
  });
}
