import { decomposeRange, GRANULARITY_MS } from '../core/time/windows.js';
import { WindowSummary } from '../core/summary/window.js';
import type { StorageBackend } from '../storage/backend.js';
import type { Granularity } from '../storage/types.js';
import { DEFAULT_MINUTE_RETENTION_MS } from '../ingest/pipeline.js';
import { summarySeed, type ModelCatalog, type VersionContext } from './catalog.js';

/** Reads stored window summaries and merges them over a time range (exactly: see decomposeRange). */
export class SummaryReader {
  constructor(
    private readonly store: StorageBackend,
    private readonly catalog: ModelCatalog,
    private readonly clock: () => number = Date.now,
    private readonly minuteRetentionMs = DEFAULT_MINUTE_RETENTION_MS,
  ) {}

  /**
   * The range a query really covers: whole minutes, and whole hours for the parts older than the
   * minute-window retention (only hour and day windows exist there).
   */
  effectiveRange(from: number, to: number): { from: number; to: number } {
    const cutoff = this.clock() - this.minuteRetentionMs;
    const h = GRANULARITY_MS.hour;
    const m = GRANULARITY_MS.minute;
    return {
      from: from < cutoff ? Math.floor(from / h) * h : Math.floor(from / m) * m,
      to: to < cutoff ? Math.ceil(to / h) * h : Math.ceil(to / m) * m,
    };
  }

  /** The version a query is about: the one named, else the newest. */
  resolveVersion(model: string, version?: string): VersionContext | undefined {
    if (version !== undefined) return this.catalog.version(model, version);
    const all = this.catalog.versions(model);
    return all[all.length - 1];
  }

  /** One summary for [from, to): merged from the fewest aligned day/hour/minute windows. */
  async merged(v: VersionContext, segment: string, from: number, to: number): Promise<WindowSummary> {
    const out = this.empty(v, segment, from);
    const r = this.effectiveRange(from, to);
    const parts = decomposeRange(r.from, r.to);
    const rows = await Promise.all(parts.map((p) => this.store.querySummaries({
      model: v.record.model, version: v.record.version, segment, granularity: p.granularity, from: p.from, to: p.to,
    })));
    for (const list of rows) {
      for (const r of list) out.merge(WindowSummary.fromBytes(r.data, v.spec, summarySeed(r.model, r.version, r.segment, r.granularity, r.windowStart)));
    }
    return out;
  }

  /** An empty summary (a window without events). */
  empty(v: VersionContext, segment: string, from: number): WindowSummary {
    return new WindowSummary(v.spec, summarySeed(v.record.model, v.record.version, segment, 'query', from));
  }

  /** Summaries per window of one granularity over [from, to), keyed by window start (empty windows absent). */
  async series(v: VersionContext, segment: string, from: number, to: number, granularity: Granularity): Promise<Map<number, WindowSummary>> {
    const size = GRANULARITY_MS[granularity];
    const f = Math.floor(from / size) * size;
    const rows = await this.store.querySummaries({ model: v.record.model, version: v.record.version, segment, granularity, from: f, to });
    const out = new Map<number, WindowSummary>();
    for (const r of rows) out.set(r.windowStart, WindowSummary.fromBytes(r.data, v.spec, summarySeed(r.model, r.version, r.segment, r.granularity, r.windowStart)));
    return out;
  }
}
