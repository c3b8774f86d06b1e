import { GRANULARITY_MS } from '../core/time/windows.js';
import type { WindowSummary } from '../core/summary/window.js';
import type { VersionContext } from '../monitoring/catalog.js';
import type { SummaryReader } from '../monitoring/query.js';
import { segmentMatches } from '../monitoring/segment-match.js';
import type { Granularity, LabelledOutcome } from '../storage/types.js';
import type { LabelledReader } from './evaluator.js';

/**
 * Reads shared by every monitor evaluated in one tick: merged window summaries and labelled events are read
 * once per (model, version, segment, range), however many monitors look at them.
 */
export class EvalCache {
  private readonly merged = new Map<string, Promise<WindowSummary>>();
  private readonly labelled = new Map<string, Promise<readonly LabelledOutcome[]>>();
  private readonly prefetched = new Map<string, Promise<void>>();

  constructor(private readonly reader: SummaryReader, private readonly labelledReader: LabelledReader) {}

  summary(v: VersionContext, segment: string, from: number, to: number): Promise<WindowSummary> {
    const key = `${v.record.model}\u0000${v.record.version}\u0000${segment}\u0000${from}\u0000${to}`;
    let p = this.merged.get(key);
    if (!p) {
      p = this.reader.merged(v, segment, from, to);
      this.merged.set(key, p);
    }
    return p;
  }

  /**
   * Loads many aligned windows of one size at once when the size is a stored granularity (one query instead
   * of one per window); other sizes fall back to merging per window on demand.
   */
  async prefetch(v: VersionContext, segment: string, starts: readonly number[], windowMs: number): Promise<void> {
    const g = (Object.keys(GRANULARITY_MS) as Granularity[]).find((x) => GRANULARITY_MS[x] === windowMs);
    if (!g || starts.length < 2) return;
    const from = Math.min(...starts);
    const to = Math.max(...starts) + windowMs;
    const pkey = `${v.record.model}\u0000${v.record.version}\u0000${segment}\u0000${g}\u0000${from}\u0000${to}`;
    let p = this.prefetched.get(pkey);
    if (!p) {
      p = this.load(v, segment, starts, windowMs, g, from, to);
      this.prefetched.set(pkey, p);
    }
    // monitors evaluated concurrently wait for the one read instead of reading window by window
    await p;
  }

  private async load(v: VersionContext, segment: string, starts: readonly number[], windowMs: number, g: Granularity, from: number, to: number): Promise<void> {
    // only when minute windows are not needed (the reader would merge minutes for recent partial hours)
    const eff = this.reader.effectiveRange(from, to);
    if (eff.from !== from || eff.to !== to) return;
    const series = await this.reader.series(v, segment, from, to, g);
    for (const s of starts) {
      const key = `${v.record.model}\u0000${v.record.version}\u0000${segment}\u0000${s}\u0000${s + windowMs}`;
      if (!this.merged.has(key)) this.merged.set(key, Promise.resolve(series.get(s) ?? this.reader.empty(v, segment, s)));
    }
  }

  labelledEvents(v: VersionContext, segment: string, from: number, to: number): Promise<readonly LabelledOutcome[]> {
    const key = `${v.record.model}\u0000${v.record.version}\u0000${segment}\u0000${from}\u0000${to}`;
    let p = this.labelled.get(key);
    if (!p) {
      p = this.labelledReader(v.record.model, v.record.version, from, to)
        .then((list) => (segment === '' ? list : list.filter((l) => segmentMatches(l.event.segment, segment))));
      this.labelled.set(key, p);
    }
    return p;
  }
}
