import { GRANULARITY_MS } from '../core/time/windows.js';
import type { StorageBackend } from '../storage/backend.js';
import type { CommitBatch, LabelledOutcome } from '../storage/types.js';
import type { VersionContext } from './catalog.js';
import { DEFAULT_MAX_LABELLED, readLabelled, type LabelledRead } from './labelled-read.js';

export interface PerformanceCacheOptions {
  /** How long an entry may be used without re-reading the store (default forever: every write goes through commit()). */
  ttlMs?: number;
  now?: () => number;
  /** Labelled events kept per (model, version), in rows (default 400,000). */
  maxRows?: number;
  /** (model, version) sets of labelled events kept, least recently asked dropped first (default 8). */
  maxSets?: number;
  /** Computed results kept (default 256). */
  maxResults?: number;
  /** Most labelled events one read holds (default DEFAULT_MAX_LABELLED); over it, a sample (readLabelled), never cached. */
  limit?: number;
  /**
   * Wall clock (epoch ms). When given, a first read for a range that ends at most `extendToNowMs` (default 31
   * days) before now is extended to a day past now: dashboards ask for consecutive buckets of a range that ends now, and
   * one read then serves them all instead of one read per bucket, one after the other.
   */
  clock?: () => number;
  extendToNowMs?: number;
}

interface EventSet {
  from: number;
  to: number;
  events: readonly LabelledOutcome[];
  at: number;
}

/** Event-time spans [from, to) a write touched; null: anything of the model (a label whose prediction's time is not known). */
export type Touched = ReadonlyArray<readonly [number, number]> | null;

const overlaps = (touched: Touched, from: number, to: number): boolean => touched === null || touched.some(([a, b]) => a < to && b > from);

interface Result {
  ctx: VersionContext;
  from: number;
  to: number;
  at: number;
  value: unknown;
}

/** The events of [from, to) of a complete (unsampled) read covering it. */
function complete(events: readonly LabelledOutcome[], from: number, to: number): LabelledRead {
  const slice = events.slice(lowerBound(events, from), lowerBound(events, to));
  return { events: slice, total: slice.length, rate: 1 };
}

/** First index whose event time is >= t (events are in (ts, id) order). */
function lowerBound(events: readonly LabelledOutcome[], t: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((events[mid] as LabelledOutcome).event.ts < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * What GET /performance keeps between requests. Labels are joined to events at query time, which is the
 * costly part of a dashboard that asks for one range and then for each of its buckets: the labelled events
 * of a (model, version) are read once for the widest range asked and sliced in memory for the others (in
 * the store's (ts, id) order, so a slice is exactly what the store returns for that range), and computed
 * results are kept per (version context, segment, range). Everything of a model is dropped when a write of
 * its events, labels or summaries commits (watchCommits), and a read that overlapped such a write is not kept.
 */
export class PerformanceCache {
  private readonly sets = new Map<string, Promise<EventSet | null>>();
  private readonly results = new Map<string, Result>();
  /** Computations in flight, by result key: shared by identical requests under the same context and write epoch. */
  private readonly running = new Map<string, { ctx: VersionContext; epoch: number; value: Promise<unknown> }>();
  private readonly epochs = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly maxRows: number;
  private readonly maxSets: number;
  private readonly maxResults: number;
  private readonly limit: number;

  constructor(private readonly store: StorageBackend, opts: PerformanceCacheOptions = {}) {
    this.ttlMs = opts.ttlMs ?? Infinity;
    this.now = opts.now ?? (() => performance.now());
    this.maxRows = opts.maxRows ?? 400_000;
    this.maxSets = opts.maxSets ?? 8;
    this.maxResults = opts.maxResults ?? 256;
    this.limit = opts.limit ?? DEFAULT_MAX_LABELLED;
    this.clock = opts.clock;
    this.extendToNowMs = opts.extendToNowMs ?? 31 * 86_400_000;
  }

  private readonly clock: (() => number) | undefined;
  private readonly extendToNowMs: number;

  /**
   * The end of a first read: `to`, or a day past now when `to` is at most extendToNowMs before now. The day
   * ahead lets later requests (a page opened again, a range ending a little later) be sliced from the set
   * without another read: what commits after the read drops the set anyway (invalidate).
   */
  private readEnd(to: number): number {
    if (!this.clock) return to;
    const now = this.clock();
    return now - to <= this.extendToNowMs ? Math.max(to, now + 86_400_000) : to;
  }

  private epoch(model: string): number {
    return this.epochs.get(model) ?? 0;
  }

  /**
   * Events, labels or summaries of this model changed (called before the write and once it is committed): what
   * was cached over the touched event times is dropped, and nothing read meanwhile is kept.
   */
  invalidate(model: string, touched: Touched = null): void {
    this.epochs.set(model, this.epoch(model) + 1);
    const prefix = `${model}\u0000`;
    for (const [k, set] of [...this.sets]) {
      if (!k.startsWith(prefix)) continue;
      if (touched === null) this.sets.delete(k);
      else this.sets.set(k, set.then((x) => (x !== null && overlaps(touched, x.from, x.to) ? null : x)));
    }
    for (const [k, r] of [...this.results]) if (k.startsWith(prefix) && overlaps(touched, r.from, r.to)) this.results.delete(k);
  }

  /**
   * Labelled outcomes of the events with event time in [from, to), as store.labelledOutcomes returns them: all
   * of them, or over `limit` a uniform sample (readLabelled; a sample is never kept).
   */
  async labelled(model: string, version: string, from: number, to: number): Promise<LabelledRead> {
    const key = `${model}\u0000${version}`;
    const epoch = this.epoch(model);
    const prev = (this.sets.get(key) ?? Promise.resolve(null)).catch(() => null);
    const covered = prev.then((s) => this.cover(model, version, s, from, to));
    const next = covered.then((c) => c.set);
    this.sets.delete(key);
    this.sets.set(key, next);
    if (this.sets.size > this.maxSets) this.sets.delete(this.sets.keys().next().value as string);
    const { set, read } = await covered;
    const unchanged = this.epoch(model) === epoch;
    if (set !== null && unchanged && set.from <= from && to <= set.to) return complete(set.events, from, to);
    if (this.sets.get(key) === next) this.sets.delete(key);
    // What cover read but could not keep (too many rows, a sample) still answers, unless a write came meanwhile: all
    // of a range around this one, or a sample of this very range (a sample's count is of the range it sampled).
    if (read !== null && unchanged) {
      if (read.rate === 1 && read.from <= from && to <= read.to) return complete(read.events, from, to);
      if (read.rate < 1 && read.from === from && read.to === to) return read;
    }
    return this.read(model, version, from, to);
  }

  /**
   * The cached set extended to cover [from, to) (reading only what it lacks), or null when not cacheable; and the
   * read it made of a whole range, if any.
   */
  private async cover(model: string, version: string, s: EventSet | null, from: number, to: number): Promise<{ set: EventSet | null; read: (LabelledRead & { from: number; to: number }) | null }> {
    const epoch = this.epoch(model);
    const fresh = s !== null && this.now() - s.at <= this.ttlMs;
    let set: EventSet;
    let read: (LabelledRead & { from: number; to: number }) | null = null;
    // A range apart from the set is read on its own unless the gap is small (a monitor catching up on the
    // windows just before the dashboards' range): then the set grows to cover both, instead of being replaced.
    const apart = s !== null && (to < s.from || from > s.to) && Math.max(s.from - to, from - s.to) > this.extendToNowMs;
    if (!fresh || s === null || apart) {
      const end = this.readEnd(to);
      read = { ...(await this.read(model, version, from, end)), from, to: end };
      if (read.rate < 1) return { set: null, read };
      set = { from, to: end, events: read.events, at: this.now() };
    } else {
      const left = from < s.from ? await this.read(model, version, from, s.from) : null;
      const right = to > s.to ? await this.read(model, version, s.to, to) : null;
      if ((left?.rate ?? 1) < 1 || (right?.rate ?? 1) < 1) return { set: null, read: null };
      const l = left?.events ?? [];
      const r = right?.events ?? [];
      set = { from: Math.min(from, s.from), to: Math.max(to, s.to), events: l.length + r.length === 0 ? s.events : [...l, ...s.events, ...r], at: s.at };
    }
    if (this.epoch(model) !== epoch || set.events.length >= Math.min(this.limit, this.maxRows)) return { set: null, read };
    return { set, read };
  }

  private read(model: string, version: string, from: number, to: number): Promise<LabelledRead> {
    return readLabelled(this.store, { model, version, from, to }, this.limit);
  }

  /**
   * A result over [from, to) computed under this version context for `id` (segment, options), kept until a write touches the range.
   * Identical requests that arrive while it is computed share that computation (a dashboard's panels and the overview
   * ask for the same figures at once), unless a write of the model came after it started.
   */
  async result<T>(ctx: VersionContext, from: number, to: number, id: string, compute: () => Promise<T>): Promise<T> {
    const model = ctx.record.model;
    const key = `${model}\u0000${ctx.record.version}\u0000${from}\u0000${to}\u0000${id}`;
    const hit = this.results.get(key);
    if (hit && hit.ctx === ctx && this.now() - hit.at <= this.ttlMs) return hit.value as T;
    const epoch = this.epoch(model);
    const running = this.running.get(key);
    if (running && running.ctx === ctx && running.epoch === epoch) return running.value as Promise<T>;
    const value = compute();
    const mine = { ctx, epoch, value };
    this.running.set(key, mine);
    try {
      const v = await value;
      if (this.epoch(model) === epoch) {
        this.results.delete(key);
        this.results.set(key, { ctx, from, to, at: this.now(), value: v });
        if (this.results.size > this.maxResults) this.results.delete(this.results.keys().next().value as string);
      }
      return v;
    } finally {
      if (this.running.get(key) === mine) this.running.delete(key);
    }
  }
}

/** The model's span grown to hold `ts` (null: unknown, and so is the span). */
function widen(spans: Map<string, [number, number] | null>, model: string, ts: number | null): void {
  const sp = spans.get(model);
  if (ts === null || sp === null) spans.set(model, null);
  else if (!sp) spans.set(model, [ts, ts + 1]);
  else if (ts < sp[0]) sp[0] = ts;
  else if (ts + 1 > sp[1]) sp[1] = ts + 1;
}

/**
 * Per model, what a commit batch touches: events over the span of their times (one span per model: a
 * group commit holds thousands of events), labels over the span of their predictions' times (likewise; anything
 * of the model when one of them has no time), summaries over their windows.
 */
export function touchedBy(batch: CommitBatch): Map<string, Array<[number, number]> | null> {
  const out = new Map<string, Array<[number, number]> | null>();
  const spans = new Map<string, [number, number] | null>();
  for (const e of batch.events ?? []) widen(spans, e.model, e.ts);
  const labelSpans = new Map<string, [number, number] | null>();
  for (const l of batch.labels ?? []) widen(labelSpans, l.model, l.ts);
  for (const [model, span] of spans) if (span !== null) out.set(model, [span]);
  const add = (model: string, span: [number, number]): void => {
    const list = out.has(model) ? out.get(model) : [];
    if (list) out.set(model, [...list, span]);
  };
  for (const [model, span] of labelSpans) {
    if (span === null) out.set(model, null);
    else add(model, span);
  }
  for (const s of batch.summaries ?? []) add(s.model, [s.windowStart, s.windowStart + GRANULARITY_MS[s.granularity]]);
  return out;
}

/**
 * Calls `changed` for every model whose events, labels or summaries a commit writes (both backends route
 * appendEvents, putLabels and putSummaries through commit()): before the write, so that a read running
 * meanwhile is not kept, and once it is committed.
 */
export function watchCommits(store: StorageBackend, changed: (model: string, touched: Touched) => void): void {
  const commit = store.commit.bind(store);
  store.commit = async (batch: CommitBatch): Promise<void> => {
    const touched = touchedBy(batch);
    for (const [m, t] of touched) changed(m, t);
    try {
      await commit(batch);
    } finally {
      for (const [m, t] of touched) changed(m, t);
    }
  };
}
