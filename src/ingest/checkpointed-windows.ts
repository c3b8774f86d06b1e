import type { WindowSummary } from '../core/summary/window.js';
import type { ModelCatalog } from '../monitoring/catalog.js';
import type { StorageBackend } from '../storage/backend.js';
import type { SummaryKey, SummaryRecord } from '../storage/types.js';
import type { Target } from './deltas.js';
import { TimeSlicer } from '../io/time-slice.js';
import type { Journal } from './journal.js';
import type { IngestOptions } from './options.js';
import { WindowCache } from './window-cache.js';
import { loadWindows, loadWindowsForMerge } from './window-loader.js';

/** Clean windows that ended longer ago than this are dropped from memory at checkpoints (late events reload them). */
const ENDED_WINDOW_GRACE_MS = 5 * 60_000;

/** What a group adds to the windows, and the store copies of the windows it targets loaded when it was prepared. */
export interface GroupDeltas {
  targets: Target[];
  /** Store copies of target windows that were not in memory, and the checkpoint epoch when they were loaded. */
  bases: Map<string, WindowSummary>;
  epoch: number;
}

/** The journal a checkpoint covers, and the store state key that records how far. */
export interface CheckpointLog {
  journal: Journal;
  summarisedKey: string;
}

export type CheckpointResult = { written: true } | { written: false; error: unknown };

const WRITTEN: CheckpointResult = { written: true };

/**
 * The ingest path's window summaries in memory (minute, hour and day; whole traffic and per segment) and their
 * checkpoints to the store. Committed groups' deltas are merged in (merge), which makes windows dirty; a checkpoint
 * writes the dirty windows, and the journal position they hold, in one store transaction. The caller (pipeline.ts)
 * decides when, runs one checkpoint at a time, and merges only committed groups, in commit order.
 */
export class CheckpointedWindows {
  private readonly cache: WindowCache;
  /** Checkpoints done: store copies loaded before the latest one may be stale. */
  private epoch = 0;
  /** Last journal seq merged into memory, last one covered by a checkpoint. */
  applied = 0;
  checkpointed = 0;
  /** The journal position the store's summarised mark holds: the last checkpoint's `through`, once committed. */
  summarised = 0;
  /** When the last checkpoint ended (performance.now()), written or not. */
  lastCheckpointAt = performance.now();

  constructor(
    private readonly store: StorageBackend,
    private readonly catalog: ModelCatalog,
    private readonly opts: Pick<IngestOptions, 'cacheWindows' | 'clock' | 'onSummaries' | 'onCheckpoint'>,
  ) {
    this.cache = new WindowCache(opts.cacheWindows ?? 2_000);
  }

  /** Windows held in memory. */
  get size(): number {
    return this.cache.size;
  }

  get dirtyCount(): number {
    return this.cache.dirtyCount;
  }

  /** More than half the cache is dirty: dirty windows cannot be evicted, so a checkpoint should run now. */
  get crowded(): boolean {
    return this.cache.dirtyCount > this.cache.capacity / 2;
  }

  /** Store copies of the target windows that are not in memory (for a group being prepared), and the epoch now. */
  async storeCopies(targets: readonly Target[]): Promise<Pick<GroupDeltas, 'bases' | 'epoch'>> {
    const epoch = this.epoch;
    const bases = await loadWindows(this.store, this.catalog, targets.filter((t) => this.cache.get(t.k) === undefined).map((t) => t.key));
    return { bases, epoch };
  }

  /** Merges a committed group's deltas into the windows (loading store copies where needed); `seq` is its journal seq. */
  async merge(p: GroupDeltas, seq: number): Promise<void> {
    // A store copy loaded before a checkpoint that ended since lacks what that checkpoint wrote: reload it.
    const stale = p.targets.filter((t) => this.cache.get(t.k) === undefined && (p.epoch !== this.epoch || !p.bases.has(t.k)));
    // The store read when it is unavailable for a moment is retried (loadWindowsForMerge): a failure here is fail-stop.
    if (stale.length > 0) for (const [k, w] of await loadWindowsForMerge(this.store, this.catalog, stale.map((t) => t.key))) p.bases.set(k, w);
    // Resolve every window first (a put below may evict a clean one we still merge into), then merge.
    const windows = new Map<string, { key: SummaryKey; w: WindowSummary }>();
    for (const t of p.targets) {
      if (windows.has(t.k)) continue;
      const w = this.cache.get(t.k) ?? p.bases.get(t.k);
      if (!w) throw new Error(`ingest: window ${t.k} not loaded`);
      windows.set(t.k, { key: t.key, w });
    }
    // Paced: a group's merges (KLL compactions of every feature in every target window) took the event loop for 2-4 ms
    // in one block at each of the gateway recorder's commits. Nothing else reads or writes these windows meanwhile: a
    // checkpoint serialises only once every committed group is merged, and the next merge waits for this one.
    const slice = new TimeSlicer();
    for (const t of p.targets) {
      await slice.pace();
      windows.get(t.k)?.w.merge(t.delta);
    }
    for (const [k, { key, w }] of windows) this.cache.put(k, key, w, true);
    this.applied = seq;
  }

  /**
   * Starts a checkpoint: the dirty windows as they are now, and the journal position they cover (`through` the last
   * merged group; `seq` is the last journal seq used), written in one transaction; then the journal files that
   * position covers deleted. The caller calls it with every committed group merged, so the windows serialised here
   * hold exactly the groups up to that position; the journal is rotated there too. Resolves once that is done, with
   * the end of the store transaction (`done`, never rejects; in an object, since a promise resolved with a promise
   * would wait for it), which runs beside the next groups' commits (a `beside` commit, on its own connection). Groups
   * merged meanwhile only make windows dirty again: a window changed since it was serialised stays dirty. Before,
   * group commits waited for it: at 10,000 events/s in bench:ingest's open loop, 25 windows (~1.9 MB) every 2 s,
   * 40-140 ms in which no group was stored.
   */
  async checkpoint(seq: number, log: CheckpointLog | null): Promise<{ done: Promise<CheckpointResult> }> {
    const t0 = performance.now();
    const dirty = this.cache.dirty();
    if (dirty.length === 0 && seq <= this.checkpointed) {
      this.lastCheckpointAt = performance.now();
      return { done: Promise.resolve(WRITTEN) };
    }
    const through = this.applied;
    const summaries: SummaryRecord[] = [];
    try {
      const slice = new TimeSlicer();
      for (const d of dirty) {
        await slice.pace();
        summaries.push({ ...d.key, ...d.summary.toStored(), events: d.summary.events });
      }
      await log?.journal.rotate(seq + 1);
    } catch (error) {
      return { done: Promise.resolve(this.failed(error)) };
    }
    const covered = log?.journal.current;
    const done = this.store.commit({ summaries, beside: true, ...(log && { state: [[log.summarisedKey, String(through)]] as const }) }).then(async () => {
      // The readers' cache first: once no window is dirty, a reader's sync() returns at once and reads that cache. Told
      // after the journal files below were deleted, a reader in between read a result cached from before (audit 13).
      if (summaries.length > 0) this.opts.onSummaries?.(summaries);
      this.cache.markClean(dirty);
      this.cache.evictEnded((this.opts.clock ?? Date.now)() - ENDED_WINDOW_GRACE_MS);
      this.epoch++;
      this.checkpointed = Math.max(this.checkpointed, seq);
      this.summarised = Math.max(this.summarised, through);
      // Files that cannot be deleted stay: their records are at or below the summarised mark, which a replay skips, and
      // the next checkpoint deletes them.
      if (log && covered !== undefined) await log.journal.removeBefore(covered).catch(() => undefined);
      this.opts.onCheckpoint?.(summaries.length, (performance.now() - t0) / 1000);
      this.lastCheckpointAt = performance.now();
      return WRITTEN;
    }).catch((error: unknown) => this.failed(error));
    return { done };
  }

  /** A checkpoint that failed: the windows stay dirty and the journal keeps their groups; the next one tries again. */
  private failed(error: unknown): CheckpointResult {
    this.lastCheckpointAt = performance.now();
    return { written: false, error };
  }
}
