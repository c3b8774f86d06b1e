import type { StorageBackend } from '../storage/backend.js';
import type { Granularity } from '../storage/types.js';
import { DEFAULT_MINUTE_RETENTION_MS } from './options.js';

/** The granularities whose windows exist only for events newer than the minute-window retention. */
export const PRUNED_GRANULARITIES: readonly Granularity[] = ['minute', '10min'];
/** How far past the retention they are kept (queries near the cutoff still read them: a range's first minutes). */
const MARGIN_MS = 86_400_000;

/**
 * Deletes minute and 10-minute window summaries (and their window values) a day older than the minute-window retention.
 * Events older than the retention update only hour and day windows, and a query reaching back past it is answered from
 * hour windows (SummaryReader.effectiveRange), so those windows are never read or written again; kept, they grew the
 * store by ~20 MB a day for the demo's two models (13,819 minute windows, 40.8 MB, over its two days; measured), without
 * bound. Hour, 6-hour and day windows, events, labels and rejects are kept.
 */
export class WindowRetention {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly store: Pick<StorageBackend, 'pruneWindows'>,
    private readonly models: () => ReadonlyArray<{ name: string }>,
    private readonly clock: () => number,
    private readonly retentionMs = DEFAULT_MINUTE_RETENTION_MS,
  ) {}

  /** The start of the oldest window kept: windows starting before it are deleted. */
  cutoff(): number {
    return this.clock() - this.retentionMs - MARGIN_MS;
  }

  /** Deletes what is past the cutoff, model by model; resolves with how many summaries it deleted. One run at a time. */
  run(): Promise<number> {
    this.running ??= (async () => {
      let deleted = 0;
      try {
        const before = this.cutoff();
        for (const m of this.models()) deleted += await this.store.pruneWindows(m.name, PRUNED_GRANULARITIES, before);
        return deleted;
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Runs every `intervalMs` (the first run after `firstMs`); errors go to `onError` (the next run tries again). */
  start(intervalMs: number, firstMs: number, onError: (e: unknown) => void, onRun?: (deleted: number) => void): void {
    const tick = (): void => {
      void this.run().then((n) => onRun?.(n), onError);
    };
    const first = setTimeout(() => {
      tick();
      this.timer = setInterval(tick, intervalMs);
      this.timer.unref();
    }, firstMs);
    first.unref();
    this.timer = first;
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      clearInterval(this.timer);
    }
    this.timer = null;
    await this.running?.catch(() => undefined);
  }
}
