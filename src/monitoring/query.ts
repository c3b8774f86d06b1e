import { decomposeRange, GRANULARITY_MS, windowStart } from '../core/time/windows.js';
import { WindowSummary } from '../core/summary/window.js';
import type { StorageBackend } from '../storage/backend.js';
import type { Granularity, SummaryKey, WindowValue } from '../storage/types.js';
import { DEFAULT_MINUTE_RETENTION_MS } from '../ingest/pipeline.js';
import { yieldToLoop } from '../io/time-slice.js';
import { summarySeed, type ModelCatalog, type VersionContext } from './catalog.js';
import { SummaryCache, type WindowRange } from './summary-cache.js';
import { storesWindowValues, windowValueBasis } from './window-values.js';
import { isStoredSegment, segmentMatches } from './segment-match.js';
import { rangeQuery, WindowFetcher, windowRange } from './window-fetch.js';

/**
 * One per-window value of a time series: `name` keys the cached values, `compute` makes it from a window's summary,
 * `head` says it needs no feature (a window's head is enough: see HEAD_METRICS and seriesMetric in timeseries.ts).
 */
export interface SeriesMetric {
  name: string;
  compute: (s: WindowSummary) => number | null;
  head?: boolean;
  /** Worth storing per window (WindowValue): costly to compute, from the feature sketches (see seriesMetric). */
  store?: boolean;
}

/** A series computing many windows yields to other work after this long. */
const YIELD_AFTER_MS = 8;

/** A store that other processes may write too: cached entries are re-read after this long. */
const SHARED_STORE_TTL_MS = 5000;

/**
 * Reads stored window summaries and merges them over a time range (exactly: see decomposeRange). Decoded
 * summaries, time-series points and merged ranges are cached (SummaryCache): the ingest pipeline invalidates
 * the windows it writes (and forgets windows known absent when one is written), so a repeated range merge reads only the
 * windows it knows nothing of, and a repeated series only the window keys.
 */
export class SummaryReader {
  readonly cache: SummaryCache;
  /** The stored windows of a range, from the cache or the store (window-fetch.ts). */
  private readonly windows: WindowFetcher;
  /**
   * Called before answering from the cache or the store: the ingest pipeline's sync() (it checkpoints what
   * it acknowledged, so a query reads its writes). Set by the server wiring.
   */
  sync: () => Promise<void> = () => Promise.resolve();
  /** Told when storing computed window values (in the background) fails; the values are then computed again next time. */
  onWindowValuesError: (e: unknown) => void = () => undefined;
  /**
   * Range reads use intermediate windows (10 minutes, 6 hours) from this time on (epoch ms; see decomposeRange and
   * intermediate-since.ts). Set by the server wiring from the store's state; 0 (a store written with them from the
   * start) by default.
   */
  intermediateSince = 0;

  constructor(
    private readonly store: StorageBackend,
    private readonly catalog: ModelCatalog,
    private readonly clock: () => number = Date.now,
    private readonly minuteRetentionMs = DEFAULT_MINUTE_RETENTION_MS,
    cache?: SummaryCache,
  ) {
    this.cache = cache ?? new SummaryCache({ ttlMs: store.kind === 'duckdb' ? Infinity : SHARED_STORE_TTL_MS });
    this.windows = new WindowFetcher(store, this.cache);
  }

  /**
   * The range a query really covers: whole minutes, and whole hours for the parts older than the
   * minute-window retention (only hour and day windows exist there).
   *
   * A range starting before the retention cutoff whose last hour holds the cutoff ends at that hour's end too, as one
   * ending before the cutoff does: an event sent when it was already older than the retention (a backfill) is in its hour
   * window only, so the minute and 10-minute windows of that hour's start would miss it (a range ending a minute after
   * the cutoff counted fewer events than one ending a minute before it).
   */
  effectiveRange(from: number, to: number): { from: number; to: number } {
    const cutoff = this.clock() - this.minuteRetentionMs;
    const h = GRANULARITY_MS.hour;
    const m = GRANULARITY_MS.minute;
    const hours = this.beforeMinutes(from);
    return {
      from: hours ? Math.floor(from / h) * h : Math.floor(from / m) * m,
      to: hours && Math.floor(to / h) * h < cutoff ? Math.ceil(to / h) * h : Math.ceil(to / m) * m,
    };
  }

  /**
   * The granularity a series starting at `from` is read at: minute windows exist only for events newer than the
   * minute-window retention (as effectiveRange says), so a range starting before it is read at hour windows instead
   * of answering empty minutes (the answer states its granularity).
   */
  seriesGranularity(from: number, granularity: Granularity): Granularity {
    return granularity === 'minute' && this.beforeMinutes(from) ? 'hour' : granularity;
  }

  /**
   * Whether a range starting at `from` is read in whole hours: its first minute starts before the minute windows'
   * retention. The ingest writes an event's minute window only when that minute starts within the retention
   * (deltas.ts), so the minute holding the cutoff has none for the events sent once it had passed (a backfill). Audit
   * 27: `from < cutoff` read a range starting a few seconds after the cutoff from that minute's window, missing them.
   */
  private beforeMinutes(from: number): boolean {
    return windowStart(from, 'minute') < this.clock() - this.minuteRetentionMs;
  }

  /**
   * The version the model serves, when the registry says (its serving alias's, `production` by default), else
   * undefined. Set by the server wiring.
   */
  servingVersion: (model: string) => string | undefined = () => undefined;

  /**
   * The version a query or monitor is about: the one named; else the one the model serves (its serving alias's); else
   * the newest. Audit 26: it was the newest always, so registering a candidate (the registry's `PUT .../versions/1.4.0`,
   * before any traffic) moved every dashboard, query, monitor and SLO without a version onto it: no events, monitors
   * `insufficient_data`, SLOs at a full budget, while production went on unwatched.
   */
  resolveVersion(model: string, version?: string): VersionContext | undefined {
    if (version !== undefined) return this.catalog.version(model, version);
    const serving = this.servingVersion(model);
    const v = serving === undefined ? undefined : this.catalog.version(model, serving);
    if (v) return v;
    const all = this.catalog.versions(model);
    return all[all.length - 1];
  }

  /**
   * One summary for [from, to): merged from the fewest aligned windows (decomposeRange). Shared: do not modify it.
   *
   * A range with ends finer than an hour is merged as its minute and 10-minute windows at the start, then its whole
   * hours [ceil(from), floor(to)) as one merged range (cached under its own id), then its windows at the end. A
   * dashboard's "last 24 h" refreshed a minute later is a new range whose whole hours are mostly those of the last
   * request: only its few small end windows are merged again, not the hour and 6-hour windows, which held most of the
   * merge's work (bench:query, "moved by a minute"). The grouping depends on the range alone, never on what is cached,
   * so a range's result is the same bytes warm or cold.
   *
   * A segment naming only some of the model's segment keys is the merge of the stored segments holding it
   * (segmentsHolding), each merged (and cached) as ever.
   */
  async merged(v: VersionContext, segment: string, from: number, to: number): Promise<WindowSummary> {
    return this.mergedOf(v, segment, from, to, false);
  }

  /**
   * merged() of a range already effective (whole minutes, or hours: a part of an answer's from/to, such as a day series'
   * first and last point clipped to it), merged as it is: effectiveRange is not applied again (a range starting in the
   * minute that holds the retention cutoff would be widened to its hour).
   */
  async mergedEffective(v: VersionContext, segment: string, from: number, to: number): Promise<WindowSummary> {
    return this.mergedOf(v, segment, from, to, true);
  }

  private async mergedOf(v: VersionContext, segment: string, from: number, to: number, effective: boolean): Promise<WindowSummary> {
    await this.sync();
    const held = await this.segmentsHolding(v, segment, from, to);
    if (held === null) return this.mergedSynced(v, segment, from, to, effective);
    const out = this.empty(v, segment, from);
    for (const s of held) out.mergeTransient(await this.mergedSynced(v, s, from, to, effective));
    return out;
  }

  /** The merged windows of one stored segment key exactly (an event's full key: not the others that hold its parts). */
  async mergedStored(v: VersionContext, segment: string, from: number, to: number): Promise<WindowSummary> {
    await this.sync();
    return this.mergedSynced(v, segment, from, to);
  }

  /**
   * The stored segments with windows in [from, to) that hold `segment` when it names only some of the model's segment
   * keys: events are summarised under their full segment key, so "region=eu" is held by "region=eu&tier=gold",
   * "region=eu&tier=silver" and so on (segmentMatches, as raw events are matched). Null when the segment is stored as it
   * is (the whole traffic, or every key named): read directly, without this read of the stored segments.
   */
  async segmentsHolding(v: VersionContext, segment: string, from: number, to: number): Promise<string[] | null> {
    // Under every key declared now or before: after a key was dropped, a segment naming all of today's keys is also held
    // by the segments stored with the dropped one (region=eu by region=eu&tier=gold).
    if (isStoredSegment(segment, this.catalog.segmentKeysEver(v.record.model))) return null;
    return (await this.segments(v, from, to)).filter((s) => segmentMatches(s, segment));
  }

  /** merged() once synced (its whole hours are merged by this too: one sync per request, not one per merge). */
  private async mergedSynced(v: VersionContext, segment: string, from: number, to: number, effective = false): Promise<WindowSummary> {
    const r = effective ? { from, to } : this.effectiveRange(from, to);
    const { model, version } = v.record;
    const H = GRANULARITY_MS.hour;
    const bodyFrom = Math.ceil(r.from / H) * H;
    const bodyTo = Math.floor(r.to / H) * H;
    const split = bodyFrom < bodyTo && (bodyFrom > r.from || bodyTo < r.to);
    const parts: WindowRange[] = decomposeRange(r.from, r.to, this.intermediateSince).map((p) => ({ model, version, segment, granularity: p.granularity, from: p.from, to: p.to }));
    const id = `${model}\u0000${version}\u0000${segment}\u0000${r.from}\u0000${r.to}`;
    const hit = this.cache.mergedRange(v, id);
    if (hit) return hit;
    const epoch = this.cache.epoch;
    // Requests for the same range at the same time (a dashboard asks /health and /drift together) share one
    // merge, as later ones share its cached result (same id).
    const key = `${id}\u0000${epoch}`;
    const running = this.merging.get(key);
    if (running && running.v === v) return running.p;
    const p = (async (): Promise<WindowSummary> => {
      const out = new WindowSummary(v.spec, summarySeed(model, version, segment, 'query', from));
      // Every part is read at once (the store runs them side by side) and merged in range order as soon as it and those
      // before it are in: the ends' few windows are merged while the store still reads the hours. Of windows cached, or
      // known absent, nothing is read (rangeWindows). The whole hours contribute their one merge, in their place.
      const body = split ? this.mergedSynced(v, segment, bodyFrom, bodyTo) : null;
      const sources: Array<Promise<WindowSummary[]>> = [];
      for (const part of parts) {
        if (body === null || part.from < bodyFrom || part.to > bodyTo) sources.push(this.windows.rangeWindows(v, part, epoch).then((ws) => ws.map((w) => w.summary)));
        else if (part.from === bodyFrom) sources.push(body.then((b) => [b]));
      }
      for (const src of sources) src.catch(() => undefined); // each is awaited below; a failure is thrown there
      // Windows are merged without keeping their decoded parts (mergeTransient; a numeric feature still in its stored
      // bytes is merged straight from them): decoded sketches kept with the cached windows would be alive, and copied,
      // at the next scavenges. That holds for windows cached already too (a dashboard's "last 24 h" a minute later):
      // decoding and keeping them there made that request's scavenges the tail of the next ones (docs/performance.md).
      for (const src of sources) {
        for (const summary of await src) out.mergeTransient(summary);
      }
      this.cache.putMergedRange(v, id, parts, out, epoch);
      return out;
    })();
    this.merging.set(key, { v, p });
    try {
      return await p;
    } finally {
      if (this.merging.get(key)?.p === p) this.merging.delete(key);
    }
  }

  /** Merges in progress, by range and cache epoch (see merged()). */
  private readonly merging = new Map<string, { v: VersionContext; p: Promise<WindowSummary> }>();

  /** The segments (other than the whole traffic) with day windows in [from, to). */
  async segments(v: VersionContext, from: number, to: number): Promise<string[]> {
    const keys = await this.store.querySummaryKeys({ model: v.record.model, version: v.record.version, granularity: 'day', from: Math.floor(from / GRANULARITY_MS.day) * GRANULARITY_MS.day, to });
    return [...new Set(keys.map((k) => k.segment))].filter((x) => x !== '').sort();
  }

  /**
   * The segments (other than the whole traffic) with a stored window in the range a query covers (effectiveRange, as
   * merged() reads it), for GET /segments: segments() lists those of the range's whole days, so a quiet hour listed
   * every segment of its day. One key read per window granularity of the range (keys only, no summaries).
   */
  async segmentsInRange(v: VersionContext, from: number, to: number): Promise<string[]> {
    await this.sync();
    const r = this.effectiveRange(from, to);
    const { model, version } = v.record;
    const parts = decomposeRange(r.from, r.to, this.intermediateSince);
    const keys = await Promise.all(parts.map((p) => this.store.querySummaryKeys({ model, version, granularity: p.granularity, from: p.from, to: p.to })));
    return [...new Set(keys.flat().map((k) => k.segment))].filter((x) => x !== '').sort();
  }

  /** An empty summary (a window without events). */
  empty(v: VersionContext, segment: string, from: number): WindowSummary {
    return new WindowSummary(v.spec, summarySeed(v.record.model, v.record.version, segment, 'query', from));
  }

  /** Summaries per window of one granularity over [from, to), keyed by window start (empty windows absent). */
  async series(v: VersionContext, segment: string, from: number, to: number, granularity: Granularity): Promise<Map<number, WindowSummary>> {
    const held = await this.segmentsHolding(v, segment, from, to);
    if (held !== null) return this.heldSeries(v, segment, held, from, to, granularity);
    const list = await this.windows.rangeWindows(v, windowRange(v, segment, from, to, granularity), this.cache.epoch);
    return new Map(list.map((w) => [w.key.windowStart, w.summary]));
  }

  /** series() of a segment held by several stored ones (segmentsHolding): their windows merged per window start. */
  private async heldSeries(v: VersionContext, segment: string, held: readonly string[], from: number, to: number, granularity: Granularity): Promise<Map<number, WindowSummary>> {
    const epoch = this.cache.epoch;
    const out = new Map<number, WindowSummary>();
    for (const s of held) {
      for (const w of await this.windows.rangeWindows(v, windowRange(v, s, from, to, granularity), epoch)) {
        let m = out.get(w.key.windowStart);
        if (!m) out.set(w.key.windowStart, (m = this.empty(v, segment, w.key.windowStart)));
        m.mergeTransient(w.summary);
      }
    }
    return new Map([...out].sort((a, b) => a[0] - b[0]));
  }

  /**
   * One value per stored window of [from, to) (a time-series point) and its event count: computed by
   * `compute` from the decoded summary, or taken from the cache when that window was not written since.
   */
  async seriesValues(
    v: VersionContext, segment: string, from: number, to: number, granularity: Granularity, metric: SeriesMetric,
  ): Promise<Map<number, { value: number | null; events: number }>> {
    return (await this.seriesValuesMany(v, segment, from, to, granularity, [metric]))[0] as Map<number, { value: number | null; events: number }>;
  }

  /**
   * seriesValues for several metrics over the same windows: one key read, each missing window decoded once.
   * When every metric says `head` (its value needs no feature: see HEAD_METRICS), windows not in the cache are
   * read as their small heads (a few KB instead of the feature sketches); such partial summaries are not cached.
   * Computed feature values are stored in the background; `awaitStore` waits for that write (the window-value filler).
   * `keepSummaries: false` (the filler) keeps the computed values but not the windows read for them: a backfill reads
   * thousands of windows once, which would otherwise evict what queries and the warm-up cached, and the feature
   * sketches decoded to compute the values would stay alive with each cached window (in bench:query's store, 1,198
   * windows kept after the filler's 30 days: 64 MB of stored bytes, ~157 MB of decoded heap on top).
   */
  async seriesValuesMany(
    v: VersionContext, segment: string, from: number, to: number, granularity: Granularity,
    metrics: readonly SeriesMetric[], opts: { awaitStore?: boolean; keepSummaries?: boolean } = {},
  ): Promise<Array<Map<number, { value: number | null; events: number }>>> {
    // A segment held by several stored ones: the values of its merged windows, computed (there is no stored window to
    // cache or store them under).
    const held = await this.segmentsHolding(v, segment, from, to);
    if (held !== null) return this.heldSeriesValues(await this.heldSeries(v, segment, held, from, to, granularity), metrics);
    // A mix (a dashboard asks for latency and drift share together): the feature metrics apart, so that they can come
    // from stored window values and the rest from the windows' heads, instead of every window read in full.
    const storable = metrics.filter((m) => m.store === true);
    const rest = metrics.filter((m) => m.store !== true);
    if (storable.length > 0 && rest.length > 0 && storesWindowValues(granularity) && windowValueBasis(v) !== null) {
      const a = await this.seriesValuesMany(v, segment, from, to, granularity, storable, opts);
      const b = await this.seriesValuesMany(v, segment, from, to, granularity, rest, opts);
      return metrics.map((m) => (m.store === true ? a[storable.indexOf(m)] : b[rest.indexOf(m)]) as Map<number, { value: number | null; events: number }>);
    }
    const epoch = this.cache.epoch;
    const range = windowRange(v, segment, from, to, granularity);
    const keys = await this.store.querySummaryKeys(rangeQuery(range));
    const out = metrics.map(() => new Map<number, { value: number | null; events: number }>());
    const need: SummaryKey[] = [];
    for (const k of keys) {
      const events = this.cache.value(v, k, 'events');
      const values = metrics.map((m) => this.cache.value(v, k, m.name));
      if (typeof events !== 'number' || values.some((x) => x === undefined)) {
        need.push(k);
        continue;
      }
      values.forEach((value, i) => out[i]?.set(k.windowStart, { value: value as number | null, events }));
    }
    // Feature metrics of hour and day windows: values computed earlier and stored (WindowValue) stand while their
    // window's event count is unchanged; only the other windows are read and computed, and their values stored.
    const basis = metrics.length > 0 && metrics.every((m) => m.store === true) && storesWindowValues(granularity) ? windowValueBasis(v) : null;
    const toRead = basis === null || need.length === 0 ? need : await this.fromStoredValues(v, range, need, metrics, basis, out, epoch);
    const headOnly = metrics.length > 0 && metrics.every((m) => m.head === true);
    const computed: WindowValue[] = [];
    let slice = performance.now();
    for (const w of await this.windows.fetch(v, range, toRead, epoch, headOnly, opts.keepSummaries ?? true)) {
      // Computing feature statistics for many windows takes a while (~1.5 ms per window of 50 features): other
      // requests get their turn every few milliseconds.
      if (performance.now() - slice > YIELD_AFTER_MS) {
        await yieldToLoop();
        slice = performance.now();
      }
      const events = w.summary.events;
      this.cache.putValue(v, w.key, 'events', events, epoch);
      metrics.forEach((m, i) => {
        const value = m.compute(w.summary);
        this.cache.putValue(v, w.key, m.name, value, epoch);
        out[i]?.set(w.key.windowStart, { value, events });
        if (basis !== null) computed.push({ ...keyOf(w.key), metric: m.name, basis, events, value });
      });
    }
    if (computed.length > 0) {
      const stored = this.store.putWindowValues(computed).catch((e: unknown) => this.onWindowValuesError(e));
      if (opts.awaitStore === true) await stored;
    }
    return out;
  }

  /** seriesValuesMany's values of merged windows (heldSeries). */
  private async heldSeriesValues(
    windows: ReadonlyMap<number, WindowSummary>, metrics: readonly SeriesMetric[],
  ): Promise<Array<Map<number, { value: number | null; events: number }>>> {
    const out = metrics.map(() => new Map<number, { value: number | null; events: number }>());
    let slice = performance.now();
    for (const [t, s] of windows) {
      if (performance.now() - slice > YIELD_AFTER_MS) {
        await yieldToLoop();
        slice = performance.now();
      }
      metrics.forEach((m, i) => out[i]?.set(t, { value: m.compute(s), events: s.events }));
    }
    return out;
  }

  /**
   * Fills `out` (and the cache) from stored window values of `need` that still hold (stored under `basis` for the
   * window's current event count, for every metric); returns the windows left to read and compute.
   */
  private async fromStoredValues(
    v: VersionContext, range: WindowRange, need: readonly SummaryKey[], metrics: readonly SeriesMetric[], basis: string,
    out: Array<Map<number, { value: number | null; events: number }>>, epoch: number,
  ): Promise<SummaryKey[]> {
    const from = Math.min(...need.map((k) => k.windowStart));
    const to = Math.max(...need.map((k) => k.windowStart)) + 1;
    const stored = await this.store.queryWindowValues({ ...rangeQuery({ ...range, from, to }), metrics: metrics.map((m) => m.name), basis });
    const byWindow = new Map<number, Map<string, WindowValue>>();
    for (const x of stored) {
      let m = byWindow.get(x.windowStart);
      if (!m) byWindow.set(x.windowStart, (m = new Map()));
      m.set(x.metric, x);
    }
    return need.filter((k) => {
      const found = metrics.map((m) => byWindow.get(k.windowStart)?.get(m.name));
      const events = k.events;
      if (events === undefined || found.some((x) => x === undefined || x.events !== events)) return true;
      this.cache.putValue(v, k, 'events', events, epoch);
      metrics.forEach((m, i) => {
        const value = (found[i] as WindowValue).value;
        this.cache.putValue(v, k, m.name, value, epoch);
        out[i]?.set(k.windowStart, { value, events });
      });
      return false;
    });
  }
}

function keyOf(k: SummaryKey): SummaryKey {
  return { model: k.model, version: k.version, segment: k.segment, granularity: k.granularity, windowStart: k.windowStart };
}
