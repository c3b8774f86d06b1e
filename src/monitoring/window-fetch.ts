import { GRANULARITY_MS } from '../core/time/windows.js';
import { WindowSummary } from '../core/summary/window.js';
import type { StorageBackend } from '../storage/backend.js';
import type { Granularity, SummaryKey, SummaryQuery } from '../storage/types.js';
import { summarySeed, type VersionContext } from './catalog.js';
import type { SummaryCache, WindowRange } from './summary-cache.js';

/** A range of more windows than this is read whole, without looking each up in the cache (see WindowFetcher.rangeWindows). */
const MAX_LISTED = 1024;

/** More runs of windows to read than this are read as one span (see WindowFetcher.rangeWindows). */
const MAX_RUNS = 3;

/** A window of a range, from the cache or read from the store. */
export type FetchedWindow = { key: SummaryKey; summary: WindowSummary };

/**
 * The stored windows a SummaryReader (query.ts) merges and computes series from: each from the cache (SummaryCache) when
 * there, else read from the store and decoded (and cached); windows a read found absent are remembered as such.
 */
export class WindowFetcher {
  constructor(private readonly store: StorageBackend, private readonly cache: SummaryCache) {}

  /**
   * The stored windows of a range, in time order: decoded ones from the cache, the rest read and decoded. Each window
   * of the range is looked up in the cache, which also knows the windows a read found absent (until one is written), so
   * only the windows it knows nothing of are read: one read per run of them (the range narrowed to the run), or one
   * over the span of all when they are scattered. A dashboard's "last 24 h" a minute later thus reads its new minute
   * window alone; before, each request first read which windows its parts held (a few milliseconds per DuckDB read
   * however little it returns: ~10 ms in bench:query's store) and only then the rows (docs/performance.md). A range
   * of more than MAX_LISTED windows is read whole.
   */
  async rangeWindows(v: VersionContext, range: WindowRange, epoch: number): Promise<FetchedWindow[]> {
    const size = GRANULARITY_MS[range.granularity];
    if ((range.to - range.from) / size > MAX_LISTED) return this.fetch(v, range, null, epoch);
    const keys: SummaryKey[] = [];
    const found: Array<WindowSummary | null | undefined> = []; // null: known absent; undefined: unknown
    for (let t = range.from; t < range.to; t += size) {
      const k: SummaryKey = { model: range.model, version: range.version, segment: range.segment, granularity: range.granularity, windowStart: t };
      keys.push(k);
      found.push(this.cache.summary(v, k) ?? (this.cache.isAbsent(v, k) ? null : undefined));
    }
    // Runs of consecutive unknown windows: each read on its own (fetch narrows a read to the windows asked for), or
    // all together when they are scattered.
    const runs: SummaryKey[][] = [];
    found.forEach((f, i) => {
      if (f !== undefined) return;
      const run = found[i - 1] === undefined ? runs[runs.length - 1] : undefined;
      if (run) run.push(keys[i] as SummaryKey);
      else runs.push([keys[i] as SummaryKey]);
    });
    const read = new Map<number, WindowSummary>();
    await Promise.all((runs.length > MAX_RUNS ? [runs.flat()] : runs).map(async (run) => {
      for (const w of await this.fetch(v, range, run, epoch)) read.set(w.key.windowStart, w.summary);
      for (const k of run) if (!read.has(k.windowStart)) this.cache.putAbsent(v, k, epoch);
    }));
    const out: FetchedWindow[] = [];
    keys.forEach((key, i) => {
      const summary = found[i] ?? read.get(key.windowStart);
      if (summary) out.push({ key, summary });
    });
    return out;
  }

  /**
   * The summaries of these windows (`keys`; null: every stored window of the range): decoded ones from the cache,
   * the rest read and decoded. With `headOnly`, read as heads where stored (summaries without their features, good
   * for HEAD_METRICS only) and not cached as summaries. `keep: false`: the windows read are not cached either.
   */
  async fetch(
    v: VersionContext, range: WindowRange, known: readonly SummaryKey[] | null, epoch: number, headOnly = false, keep = true,
  ): Promise<FetchedWindow[]> {
    const found: Array<WindowSummary | undefined> = known?.map((k) => this.cache.summary(v, k)) ?? [];
    const missing = known?.filter((_, i) => found[i] === undefined) ?? null;
    let keys = known ?? [];
    if (missing === null || missing.length > 0) {
      // One read covering the missing windows (the range narrowed to them).
      const from = missing === null ? range.from : Math.min(...missing.map((k) => k.windowStart));
      const to = missing === null ? range.to : Math.max(...missing.map((k) => k.windowStart)) + GRANULARITY_MS[range.granularity];
      const rows = await this.store.querySummaries({ ...rangeQuery({ ...range, from, to }), headOnly });
      if (known === null) keys = rows.map((r) => ({ model: r.model, version: r.version, segment: r.segment, granularity: r.granularity, windowStart: r.windowStart }));
      const byStart = new Map(rows.map((r) => [r.windowStart, r]));
      keys.forEach((k, i) => {
        if (found[i] !== undefined) return;
        const r = byStart.get(k.windowStart);
        if (!r) return; // deleted in between
        // Lazy: a series of one feature (or of latency) decodes only that sketch of each window.
        const s = WindowSummary.fromBytes(r.data, v.spec, summarySeed(r.model, r.version, r.segment, r.granularity, r.windowStart), true);
        if (!headOnly && keep) this.cache.putSummary(v, k, s, r.data.length, epoch);
        found[i] = s;
      });
    }
    const out: FetchedWindow[] = [];
    keys.forEach((key, i) => {
      const summary = found[i];
      if (summary) out.push({ key, summary });
    });
    return out;
  }
}

/** The windows of one granularity over [from, to) of a version's segment (from down to its window's start). */
export function windowRange(v: VersionContext, segment: string, from: number, to: number, granularity: Granularity): WindowRange {
  const size = GRANULARITY_MS[granularity];
  return { model: v.record.model, version: v.record.version, segment, granularity, from: Math.floor(from / size) * size, to };
}

/** The store query of a range. */
export function rangeQuery(r: WindowRange): SummaryQuery {
  return { model: r.model, version: r.version, segment: r.segment, granularity: r.granularity, from: r.from, to: r.to };
}
