import { GRANULARITY_MS } from '../core/time/windows.js';
import type { WindowSummary } from '../core/summary/window.js';
import type { VersionContext } from '../monitoring/catalog.js';
import type { SummaryReader } from '../monitoring/query.js';
import { segmentMatches } from '../monitoring/segment-match.js';
import { positiveClass } from '../monitoring/performance.js';
import type { Granularity, LabelledOutcome, ModelRecord } from '../storage/types.js';
import type { LabelledRead } from '../monitoring/labelled-read.js';
import type { LabelledReader } from './evaluator.js';

/** How far around a tick's first window a binary model's classes are looked for when a window holds one (EvalCache.positiveClass). */
const CLASS_LOOKBACK_MS = 30 * 86_400_000;

/**
 * Reads shared by every monitor evaluated in one tick: merged window summaries and labelled events are read
 * once per (model, version, segment, range), however many monitors look at them.
 */
export class EvalCache {
  private readonly merged = new Map<string, Promise<WindowSummary>>();
  private readonly labelled = new Map<string, Promise<LabelledRead>>();
  private readonly prefetched = new Map<string, Promise<void>>();
  private readonly seen = new Map<string, Promise<LabelledRead>>();

  /**
   * `lookbackReader`: a bounded read (a sample) of a version's labelled events, for their classes (positiveClass).
   * `exact`: each segment asked is a stored segment key, read alone (its own events: the alert context's affected
   * segments); else a segment naming only some keys covers every stored segment holding it, as a monitor's does.
   */
  constructor(private readonly reader: SummaryReader, private readonly labelledReader: LabelledReader, private readonly lookbackReader: LabelledReader = labelledReader, private readonly exact = false) {}

  /**
   * A binary model's positive class for the labelled metrics of a window, the same in every window: the reference's,
   * else the larger declared class, else the larger of the two classes among the labels and predictions of the window's
   * labelled events and of the version's within CLASS_LOOKBACK_MS of the first window asked (read once per tick: a
   * tick's windows, catching up or a rolling baseline's, are within it of each other and of now). The window's own
   * classes alone made an hour holding only "no" take "no" as positive: its precision, recall and F1 were the
   * negative class's (1 where /performance/buckets says 0), hiding or raising alerts, and feeding rolling and
   * control-chart baselines with them. Undefined for other models, or when no second class was ever seen.
   */
  async positiveClass(m: ModelRecord, v: VersionContext, window: readonly LabelledOutcome[], to: number): Promise<string | undefined> {
    const own = positiveClass(m, v, window);
    if (own !== undefined || window.length === 0 || m.outputKind !== 'binary' || v.reference?.profile.positiveClass !== undefined || m.classes?.length) return own;
    const key = `${v.record.model}\u0000${v.record.version}`;
    let p = this.seen.get(key);
    if (!p) {
      p = this.lookbackReader(v.record.model, v.record.version, to - CLASS_LOOKBACK_MS, to + CLASS_LOOKBACK_MS);
      this.seen.set(key, p);
    }
    return positiveClass(m, v, [...window, ...(await p).events]);
  }

  summary(v: VersionContext, segment: string, from: number, to: number): Promise<WindowSummary> {
    const key = `${v.record.model}\u0000${v.record.version}\u0000${segment}\u0000${from}\u0000${to}`;
    let p = this.merged.get(key);
    if (!p) {
      p = this.exact ? this.reader.mergedStored(v, segment, from, to) : this.reader.merged(v, segment, from, to);
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
    return this.labelledRead(v, segment, from, to).then((r) => r.events);
  }

  /**
   * The labelled events of [from, to) in the segment, with the rate of the read (1, or a sample's over
   * server.maxLabelledEvents: readLabelled): labelCoverage divides by it, as GET /performance does.
   */
  labelledRead(v: VersionContext, segment: string, from: number, to: number): Promise<{ events: readonly LabelledOutcome[]; rate: number }> {
    const key = `${v.record.model}\u0000${v.record.version}\u0000${segment}\u0000${from}\u0000${to}`;
    let p = this.labelled.get(key);
    if (!p) {
      p = this.labelledReader(v.record.model, v.record.version, from, to)
        .then((read) => (segment === '' ? read : { ...read, events: read.events.filter((l) => (this.exact ? l.event.segment === segment : segmentMatches(l.event.segment, segment))) }));
      this.labelled.set(key, p);
    }
    return p;
  }
}
