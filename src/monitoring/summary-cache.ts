import type { WindowSummary } from '../core/summary/window.js';
import type { Granularity, SummaryKey } from '../storage/types.js';
import type { VersionContext } from './catalog.js';

export interface SummaryCacheOptions {
  /** Decoded summaries are kept up to this many bytes of their stored form (default 64 MiB). */
  maxBytes?: number;
  /** Windows whose computed values (time-series points) are kept (default 50,000). */
  maxValueWindows?: number;
  /** Merged range results kept (default 64). */
  maxMerged?: number;
  /** Windows known to have no stored summary that are remembered as such (default 100,000). */
  maxAbsent?: number;
  /**
   * How long an entry may be used without re-reading the store (default: forever, for a store only this
   * process writes, where every write goes through invalidate(); a few seconds for a store shared by nodes).
   */
  ttlMs?: number;
  /** Monotonic clock for the TTL (ms). */
  now?: () => number;
}

/** A range of windows of one granularity: [from, to) on windowStart. */
export interface WindowRange {
  model: string;
  version: string;
  segment: string;
  granularity: Granularity;
  from: number;
  to: number;
}

interface Stamp {
  ctx: VersionContext;
  at: number;
}

export function windowKey(k: SummaryKey): string {
  return `${k.model}\u0000${k.version}\u0000${k.segment}\u0000${k.granularity}\u0000${k.windowStart}`;
}

/** A series of windows (model, version, segment, granularity) as a map key. */
export function seriesKey(k: { model: string; version: string; segment: string; granularity: string }): string {
  return `${k.model}\u0000${k.version}\u0000${k.segment}\u0000${k.granularity}`;
}

function inRange(k: SummaryKey, r: WindowRange): boolean {
  return k.model === r.model && k.version === r.version && k.segment === r.segment && k.granularity === r.granularity && k.windowStart >= r.from && k.windowStart < r.to;
}

const LOG = 1024;

/**
 * What the summary reader keeps between queries: decoded window summaries (LRU by stored size), values
 * computed from one window (time-series points) and merged range results. An entry is used only for the
 * version context it was computed under (a new reference makes a new context), and is dropped when the
 * windows it was computed from are written: the ingest pipeline calls invalidate() after every commit. What a
 * query read from the store is cached only if no write of those windows was committed since it read them.
 */
export class SummaryCache {
  private readonly summaries = new Map<string, Stamp & { summary: WindowSummary; bytes: number }>();
  /** Windows a read found no stored summary of (by windowKey), until one is written. */
  private readonly absent = new Map<string, Stamp>();
  private readonly values = new Map<string, Stamp & { values: Map<string, number | null> }>();
  private readonly merged = new Map<string, Stamp & { parts: readonly WindowRange[]; summary: WindowSummary }>();
  /** The last LOG invalidations (epoch order). */
  private readonly log: Array<{ epoch: number; keys: readonly SummaryKey[] }> = [];
  private epochNow = 0;
  private bytes = 0;
  private readonly maxBytes: number;
  private readonly maxValueWindows: number;
  private readonly maxMerged: number;
  private readonly maxAbsent: number;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(opts: SummaryCacheOptions = {}) {
    this.maxBytes = opts.maxBytes ?? 64 * 2 ** 20;
    this.maxValueWindows = opts.maxValueWindows ?? 50_000;
    this.maxMerged = opts.maxMerged ?? 64;
    this.maxAbsent = opts.maxAbsent ?? 100_000;
    this.ttlMs = opts.ttlMs ?? Infinity;
    this.now = opts.now ?? (() => performance.now());
  }

  /** Current epoch: take it before reading the store, and pass it to the put*() of what was read. */
  get epoch(): number {
    return this.epochNow;
  }

  /** Forgets everything (benchmarks time cold queries with it). */
  clear(): void {
    this.summaries.clear();
    this.absent.clear();
    this.values.clear();
    this.merged.clear();
    this.bytes = 0;
  }

  /** The stored summaries of these windows changed (call once the write is committed). */
  invalidate(keys: readonly SummaryKey[]): void {
    if (keys.length === 0) return;
    this.epochNow++;
    // Keys only: callers may pass whole summary records, whose bytes must not be kept alive here.
    this.log.push({ epoch: this.epochNow, keys: keys.map((k) => ({ model: k.model, version: k.version, segment: k.segment, granularity: k.granularity, windowStart: k.windowStart })) });
    if (this.log.length > LOG) this.log.shift();
    for (const k of keys) {
      const id = windowKey(k);
      this.dropSummary(id);
      this.absent.delete(id);
      this.values.delete(id);
    }
    for (const [id, m] of this.merged) if (keys.some((k) => m.parts.some((p) => inRange(k, p)))) this.merged.delete(id);
  }

  /** True when no write since `epoch` touched what `touched` says (and the log reaches back that far). */
  private untouchedSince(epoch: number, touched: (k: SummaryKey) => boolean): boolean {
    if (epoch === this.epochNow) return true;
    const first = this.log[0];
    if (!first || first.epoch > epoch + 1) return false;
    for (const e of this.log) if (e.epoch > epoch && e.keys.some(touched)) return false;
    return true;
  }

  private usable(s: Stamp, ctx: VersionContext): boolean {
    return s.ctx === ctx && this.now() - s.at <= this.ttlMs;
  }

  summary(ctx: VersionContext, key: SummaryKey): WindowSummary | undefined {
    const id = windowKey(key);
    const e = this.summaries.get(id);
    if (!e) return undefined;
    if (!this.usable(e, ctx)) {
      this.dropSummary(id);
      return undefined;
    }
    this.summaries.delete(id);
    this.summaries.set(id, e);
    return e.summary;
  }

  putSummary(ctx: VersionContext, key: SummaryKey, summary: WindowSummary, bytes: number, epoch: number): void {
    const id = windowKey(key);
    if (bytes > this.maxBytes || !this.untouchedSince(epoch, (k) => windowKey(k) === id)) return;
    this.dropSummary(id);
    this.absent.delete(id);
    this.summaries.set(id, { ctx, at: this.now(), summary, bytes });
    this.bytes += bytes;
    while (this.bytes > this.maxBytes) {
      const oldest = this.summaries.keys().next().value;
      if (oldest === undefined) break;
      this.dropSummary(oldest);
    }
  }

  private dropSummary(id: string): void {
    const e = this.summaries.get(id);
    if (!e) return;
    this.bytes -= e.bytes;
    this.summaries.delete(id);
  }

  /**
   * True when a read of the store found no summary of this window and none was written since (see putAbsent): a range
   * read over cached windows then reads only the windows it knows nothing of, instead of first listing what is stored.
   */
  isAbsent(ctx: VersionContext, key: SummaryKey): boolean {
    const id = windowKey(key);
    const e = this.absent.get(id);
    if (!e) return false;
    if (this.usable(e, ctx)) return true;
    this.absent.delete(id);
    return false;
  }

  /** A read of the store begun at `epoch` found no summary of this window: remembered unless a write of it committed since. */
  putAbsent(ctx: VersionContext, key: SummaryKey, epoch: number): void {
    const id = windowKey(key);
    if (!this.untouchedSince(epoch, (k) => windowKey(k) === id)) return;
    this.absent.delete(id);
    this.absent.set(id, { ctx, at: this.now() });
    if (this.absent.size > this.maxAbsent) this.absent.delete(this.absent.keys().next().value as string);
  }

  /** A value computed from one window (e.g. a time-series point), or undefined when not known. */
  value(ctx: VersionContext, key: SummaryKey, name: string): number | null | undefined {
    const id = windowKey(key);
    const e = this.values.get(id);
    if (!e) return undefined;
    if (!this.usable(e, ctx)) {
      this.values.delete(id);
      return undefined;
    }
    return e.values.get(name);
  }

  putValue(ctx: VersionContext, key: SummaryKey, name: string, value: number | null, epoch: number): void {
    const id = windowKey(key);
    if (!this.untouchedSince(epoch, (k) => windowKey(k) === id)) return;
    let e = this.values.get(id);
    if (!e || !this.usable(e, ctx)) {
      e = { ctx, at: this.now(), values: new Map() };
      this.values.delete(id);
      this.values.set(id, e);
      if (this.values.size > this.maxValueWindows) this.values.delete(this.values.keys().next().value as string);
    }
    e.values.set(name, value);
  }

  /** A merged result of these window ranges (`id` names the request), if none of them was written since. */
  mergedRange(ctx: VersionContext, id: string): WindowSummary | undefined {
    const e = this.merged.get(id);
    if (!e) return undefined;
    if (!this.usable(e, ctx)) {
      this.merged.delete(id);
      return undefined;
    }
    return e.summary;
  }

  putMergedRange(ctx: VersionContext, id: string, parts: readonly WindowRange[], summary: WindowSummary, epoch: number): void {
    if (!this.untouchedSince(epoch, (k) => parts.some((p) => inRange(k, p)))) return;
    this.merged.delete(id);
    this.merged.set(id, { ctx, at: this.now(), parts, summary });
    if (this.merged.size > this.maxMerged) this.merged.delete(this.merged.keys().next().value as string);
  }
}
