import { GRANULARITY_MS } from '../core/time/windows.js';
import type { WindowSummary } from '../core/summary/window.js';
import type { SummaryKey } from '../storage/types.js';

/**
 * The ingest path's window summaries in memory: least recently used first, with the set of dirty windows
 * (changed since the last checkpoint). Only clean windows are evicted: a dirty one holds acknowledged
 * events the store's copy lacks, so it stays until a checkpoint has written it.
 */
export class WindowCache {
  private readonly windows = new Map<string, { key: SummaryKey; summary: WindowSummary }>();
  private readonly dirtyKeys = new Set<string>();

  constructor(readonly capacity: number) {}

  get(k: string): WindowSummary | undefined {
    return this.windows.get(k)?.summary;
  }

  /** Marks a window as used now (and dirty when `dirty`), evicting the least recently used clean ones beyond capacity. */
  put(k: string, key: SummaryKey, summary: WindowSummary, dirty: boolean): void {
    this.windows.delete(k);
    this.windows.set(k, { key, summary });
    if (dirty) this.dirtyKeys.add(k);
    this.evict();
  }

  get dirtyCount(): number {
    return this.dirtyKeys.size;
  }

  /** The dirty windows, for a checkpoint. */
  dirty(): Array<{ k: string; key: SummaryKey; summary: WindowSummary }> {
    const out: Array<{ k: string; key: SummaryKey; summary: WindowSummary }> = [];
    for (const k of this.dirtyKeys) {
      const w = this.windows.get(k);
      if (w) out.push({ k, ...w });
    }
    return out;
  }

  /** After a checkpoint wrote these windows. */
  markClean(keys: Iterable<string>): void {
    for (const k of keys) this.dirtyKeys.delete(k);
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
