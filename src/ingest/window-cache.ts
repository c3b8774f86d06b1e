import { GRANULARITY_MS } from '../core/time/windows.js';
import type { WindowSummary } from '../core/summary/window.js';
import type { SummaryKey } from '../storage/types.js';

/**
 * The ingest path's window summaries in memory, with the set of dirty windows
 * (changed since the last checkpoint). Only clean windows are evicted, least recently used first: a dirty one holds acknowledged
 * events the store's copy lacks, so it stays until a checkpoint has written it. Each change of a dirty window
 * counts (`version`), so that a checkpoint that wrote a window as it was marks it clean only if nothing changed it
 * since (groups keep being merged while a checkpoint's transaction runs).
 */
export class WindowCache {
  private readonly windows = new Map<string, { key: SummaryKey; summary: WindowSummary }>();
  /** Dirty windows, by the count of changes when last marked dirty. */
  private readonly dirtyKeys = new Map<string, number>();
  /**
   * The clean windows, least recently used first: what eviction takes. Kept apart from the dirty ones so that an
   * eviction takes the first entry; until 2026-12-07 it walked every window from the least recently used on, past the
   * dirty ones, at each put: quadratic in the dirty windows, which a back-fill makes many (bench:ingest with
   * BENCH_SPREAD_HOURS=24: `evict` took 6% of the server's profiled time). A window a checkpoint cleans counts as used
   * when it was cleaned.
   */
  private readonly clean = new Map<string, true>();
  private changes = 0;

  constructor(readonly capacity: number) {}

  get(k: string): WindowSummary | undefined {
    return this.windows.get(k)?.summary;
  }

  /** Marks a window as used now (and dirty when `dirty`), evicting the least recently used clean ones beyond capacity. */
  put(k: string, key: SummaryKey, summary: WindowSummary, dirty: boolean): void {
    this.windows.set(k, { key, summary });
    this.clean.delete(k);
    if (dirty) this.dirtyKeys.set(k, ++this.changes);
    else if (!this.dirtyKeys.has(k)) this.clean.set(k, true);
    this.evict();
  }

  get dirtyCount(): number {
    return this.dirtyKeys.size;
  }

  /** The dirty windows, for a checkpoint (`version`: to hand back to markClean). */
  dirty(): Array<{ k: string; key: SummaryKey; summary: WindowSummary; version: number }> {
    const out: Array<{ k: string; key: SummaryKey; summary: WindowSummary; version: number }> = [];
    for (const [k, version] of this.dirtyKeys) {
      const w = this.windows.get(k);
      if (w) out.push({ k, ...w, version });
    }
    return out;
  }

  /** After a checkpoint wrote these windows as they were at `version` (dirty()): clean unless changed since. */
  markClean(written: Iterable<{ k: string; version: number }>): void {
    for (const { k, version } of written) {
      if (this.dirtyKeys.get(k) !== version) continue;
      this.dirtyKeys.delete(k);
      if (this.windows.has(k)) this.clean.set(k, true);
    }
    this.evict();
  }

  /** Windows held (clean and dirty). */
  get size(): number {
    return this.windows.size;
  }

  /**
   * Drops the clean windows that ended before `before` (epoch ms): traffic has moved on from them, and a late event
   * reloads its window from the store. Keeps the heap to the windows being written instead of `capacity` decoded
   * windows (a 50-feature minute window is ~100 KB of sketches), which made every major GC of the process slower.
   */
  evictEnded(before: number): void {
    for (const k of this.clean.keys()) {
      const w = this.windows.get(k);
      if (w && w.key.windowStart + GRANULARITY_MS[w.key.granularity] < before) this.drop(k);
    }
  }

  /** Drops everything (after a failure that leaves memory and store out of step; rebuilt by recovery). */
  clear(): void {
    this.windows.clear();
    this.dirtyKeys.clear();
    this.clean.clear();
  }

  private evict(): void {
    for (const k of this.clean.keys()) {
      if (this.windows.size <= this.capacity) return;
      this.drop(k);
    }
  }

  private drop(k: string): void {
    this.clean.delete(k);
    this.windows.delete(k);
  }
}
