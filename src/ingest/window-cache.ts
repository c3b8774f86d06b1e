import { GRANULARITY_MS } from '../core/time/windows.js';
import type { WindowSummary } from '../core/summary/window.js';
import type { SummaryKey } from '../storage/types.js';

/**
 * The ingest path's window summaries in memory: least recently used first, with the set of dirty windows
 * (changed since the last checkpoint). Only clean windows are evicted: a dirty one holds acknowledged
 * events the store's copy lacks, so it stays until a checkpoint has written it. Each change of a dirty window
 * counts (`version`), so that a checkpoint that wrote a window as it was marks it clean only if nothing changed it
 * since (groups keep being merged while a checkpoint's transaction runs).
 */
export class WindowCache {
  private readonly windows = new Map<string, { key: SummaryKey; summary: WindowSummary }>();
  /** Dirty windows, by the count of changes when last marked dirty. */
  private readonly dirtyKeys = new Map<string, number>();
  private changes = 0;

  constructor(readonly capacity: number) {}

  get(k: string): WindowSummary | undefined {
    return this.windows.get(k)?.summary;
  }

  /** Marks a window as used now (and dirty when `dirty`), evicting the least recently used clean ones beyond capacity. */
  put(k: string, key: SummaryKey, summary: WindowSummary, dirty: boolean): void {
    this.windows.delete(k);
    this.windows.set(k, { key, summary });
    if (dirty) this.dirtyKeys.set(k, ++this.changes);
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
    for (const { k, version } of written) if (this.dirtyKeys.get(k) === version) this.dirtyKeys.delete(k);
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
    for (const [k, w] of this.windows) {
      if (!this.dirtyKeys.has(k) && w.key.windowStart + GRANULARITY_MS[w.key.granularity] < before) this.windows.delete(k);
    }
  }

  /** Drops everything (after a failure that leaves memory and store out of step; rebuilt by recovery). */
  clear(): void {
    this.windows.clear();
    this.dirtyKeys.clear();
  }

  private evict(): void {
    if (this.windows.size <= this.capacity) return;
    for (const k of this.windows.keys()) {
      if (this.windows.size <= this.capacity) return;
      if (!this.dirtyKeys.has(k)) this.windows.delete(k);
    }
  }
}
