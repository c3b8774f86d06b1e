import { unknownVersionMessage } from '../models/known-names.js';
import { baselineWindows, rollingMean } from '../core/rules/baseline.js';
import { baselineVerdict, thresholdVerdict } from '../core/rules/compare.js';
import { applyNoData } from '../core/rules/no-data.js';
import { cusumVerdict, ewmaVerdict } from '../core/rules/spc.js';
import type { Verdict } from '../core/rules/types.js';
import type { ModelCatalog, VersionContext } from '../monitoring/catalog.js';
import type { SummaryReader } from '../monitoring/query.js';
import type { EvaluationRecord } from '../storage/alerts.js';
import type { StorageBackend } from '../storage/backend.js';
import type { ModelRecord } from '../storage/types.js';
import { EvalCache } from './cache.js';
import { metricArgs, monitorSegment, valueKey, type MonitorDefinition } from './definition.js';
import { splitMetric } from '../monitoring/metric-name.js';
import { getMonitorMetric } from './metrics/registry.js';
import type { MetricValue } from './metrics/types.js';
import { readLabelled, type LabelledRead } from '../monitoring/labelled-read.js';
import type { EventsRetention } from '../monitoring/performance.js';
import { isOverflowSegment } from '../ingest/segment-cap.js';

export interface EvalDeps {
  reader: SummaryReader;
  catalog: ModelCatalog;
  store: StorageBackend;
  /** Stored evaluations of a monitor with `at` in [from, to) (control charts reuse them as history). */
  evaluations?: (monitorId: string, from: number, to: number) => Promise<EvaluationRecord[]>;
  /** Labelled events of a version with event time in [from, to), features left out (default: read from the store). */
  labelled?: LabelledReader;
  /** retention.eventsDays: labelCoverage is not computable for a window starting before the events kept (as GET /performance). */
  retention?: EventsRetention;
}

/** A version's labelled events with event time in [from, to): all, or a uniform sample at `rate` (readLabelled). */
export type LabelledReader = (model: string, version: string, from: number, to: number) => Promise<LabelledRead>;

export interface MonitorResult {
  def: MonitorDefinition;
  version: string | null;
  verdict: Verdict;
  evaluation: EvaluationRecord;
  detail: Record<string, unknown>;
}

const FRESHNESS_LOOKBACK_MS = 86_400_000;
/** Labelled events read at most (a sample beyond) to find the classes of a binary model without declared ones. */
const CLASS_LOOKBACK_MAX = 10_000;

/** A segment of an alert's context: its canonical key, the monitor's metric on its events; overflow: the segment past the model's limit. */
export interface AffectedSegment { segment: string; value: number | null; overflow?: true }

/** Evaluates monitors over stored summaries: the window ending at `at`, compared as the monitor's rule says. */
export class MonitorEvaluator {
  constructor(private readonly deps: EvalDeps) {}

  /** `exact`: segments are stored segment keys, each read alone (EvalCache). */
  newCache(exact = false): EvalCache {
    const store = this.deps.store;
    return new EvalCache(
      this.deps.reader, this.deps.labelled ?? ((model, version, from, to) => readLabelled(store, { model, version, from, to })),
      // a sample at most (by id, as /performance samples): only the classes are wanted, and the performance cache's set is left alone
      (model, version, from, to) => readLabelled(store, { model, version, from, to }, CLASS_LOOKBACK_MAX),
      exact,
    );
  }

  async evaluate(def: MonitorDefinition, at: number, cache: EvalCache = this.newCache()): Promise<MonitorResult> {
    const model = this.deps.catalog.model(def.model)?.model;
    const v = model ? this.deps.reader.resolveVersion(def.model, def.version) : undefined;
    if (!model || !v) {
      const note = !model ? `unknown model "${def.model}"`
        : def.version === undefined ? `model "${def.model}" has no version yet` : unknownVersionMessage(def.model, def.version, this.deps.catalog.versions(def.model).map((x) => x.record.version));
      const verdict: Verdict = { status: 'insufficient_data', value: null, baseline: null, threshold: null, compared: null, change: null, samples: 0, note };
      return this.result(def, null, at, verdict, {});
    }
    const seg = monitorSegment(def);
    const from = at - def.windowMs;
    const current = await this.valueAt(def, v, model, seg, from, at, cache);
    const metric = getMonitorMetric(splitMetric(def.metric).id);
    let verdict: Verdict;
    const detail: Record<string, unknown> = { ...(current.detail ?? {}), window: def.window, kind: def.kind };
    switch (def.kind) {
      case 'threshold':
        verdict = thresholdVerdict(current.value, current.samples, def.minSamples, def.levels, def.direction);
        break;
      case 'baseline': {
        const ref = metric.reference(v, model, metricArgs(def));
        verdict = baselineVerdict(current.value, ref, current.samples, def.minSamples, def.levels, def.direction, def.change);
        detail['baselineSource'] = 'reference';
        break;
      }
      case 'rolling': {
        const starts = baselineWindows(from, def.windowMs, def.baseline.periods, def.baseline.seasonality);
        const past = await Promise.all(starts.map((s) => this.valueAt(def, v, model, seg, s, s + def.windowMs, cache)));
        const usable = past.map((p) => (p.samples >= def.minSamples ? p.value : null));
        verdict = baselineVerdict(current.value, rollingMean(usable, def.baseline.minPeriods), current.samples, def.minSamples, def.levels, def.direction, def.change);
        detail['baselineSource'] = `${def.baseline.seasonality === 'weekly' ? 'same weekday/hour of the previous' : 'previous'} ${def.baseline.periods} ${def.baseline.seasonality === 'weekly' ? 'weeks' : 'windows'}`;
        detail['baselinePeriods'] = usable.filter((x) => x !== null).length;
        if (verdict.status === 'insufficient_data' && verdict.baseline === null && current.value !== null && current.samples >= def.minSamples) {
          // say which past windows it needs (a weekly baseline, the default, has none for a week after the traffic starts)
          verdict = { ...verdict, note: `no baseline value to compare with: ${detail['baselinePeriods']} of the ${detail['baselineSource']} have ${def.minSamples} samples (minSamples), ${def.baseline.minPeriods} needed (baseline.minPeriods)` };
        }
        break;
      }
      case 'ewma':
      case 'cusum': {
        const n = def.spc.history + def.spc.recent;
        const starts = Array.from({ length: n }, (_, i) => from - (n - 1 - i) * def.windowMs);
        const past = await this.storedValues(def, v.record.version, starts.slice(0, -1));
        if (!past) await cache.prefetch(v, seg, starts, def.windowMs);
        const values = past ? [...past, current] : await Promise.all(starts.map((s, i) => (i === n - 1 ? Promise.resolve(current) : this.valueAt(def, v, model, seg, s, s + def.windowMs, cache))));
        const xs = values.map((p) => (p.samples >= def.minSamples ? p.value : null));
        detail['history'] = past ? 'stored evaluations' : 'recomputed from summaries';
        const history = xs.slice(0, def.spc.history);
        const recent = xs.slice(def.spc.history);
        const f = def.kind === 'ewma' ? ewmaVerdict : cusumVerdict;
        verdict = f(history, recent, current.samples, def.minSamples, def.levels, def.direction, { lambda: def.spc.lambda, k: def.spc.k });
        detail['baselineSource'] = `control limits from ${def.spc.history} windows before the last ${def.spc.recent}`;
        break;
      }
    }
    const why = current.detail?.['note'];
    // the metric's own reason (a constant reference, no reference...) says more than the guard's generic note
    if (verdict.status === 'insufficient_data' && typeof why === 'string' && why !== '') verdict = { ...verdict, note: `${verdict.note ?? 'no verdict'}: ${why}` };
    if (verdict.status === 'insufficient_data' && seg !== '' && (await cache.summary(v, seg, from, at).catch(() => null))?.events === 0) {
      // Segment values are not known in advance: say that the segment had no traffic, which a misspelt one never has.
      verdict = { ...verdict, note: `no events of segment "${def.segment ?? seg}" in this window (a segment is "key=value" as the events carry it, keys joined by "&")` };
    }
    return this.result(def, v.record.version, at, verdict, detail);
  }

  /**
   * The monitor's own stored evaluations of these windows (starts), when every one is there and measured what the
   * monitor measures now (same valueKey: not before a redefinition; and the same version: a monitor without a version,
   * which follows its model's default version, does not learn a new version's limits from the old one's values): in steady state the scheduler evaluated
   * them already, so a control chart needs no summary reads for its history.
   */
  private async storedValues(def: MonitorDefinition, version: string, starts: readonly number[]): Promise<MetricValue[] | null> {
    if (!this.deps.evaluations || starts.length === 0) return null;
    const list = await this.deps.evaluations(def.id, (starts[0] as number) + def.windowMs, (starts[starts.length - 1] as number) + def.windowMs + 1);
    const byAt = new Map(list.map((e) => [e.at, e]));
    const key = valueKey(def);
    const out: MetricValue[] = [];
    for (const s of starts) {
      const e = byAt.get(s + def.windowMs);
      if (!e || e.detail?.['valueKey'] !== key || e.detail['version'] !== version) return null;
      out.push({ value: e.value, samples: e.samples });
    }
    return out;
  }

  /**
   * The metric over [from, to) of the monitor's version (and a segment). The summary is of the range the windows cover
   * (SummaryReader.effectiveRange: whole minutes, or whole hours before the minute windows' retention), so a rate counts
   * over those seconds: a 15-minute window of four weeks ago reads its hour, whose events over 900 s made a throughput
   * baseline 4x the steady rate (a `rolling` weekly monitor fired on unchanged traffic).
   */
  async valueAt(def: MonitorDefinition, v: VersionContext, model: ModelRecord, segment: string, from: number, to: number, cache: EvalCache): Promise<MetricValue> {
    const metric = getMonitorMetric(splitMetric(def.metric).id);
    const summary = metric.source === 'summary' ? await cache.summary(v, segment, from, to) : await cache.summary(v, segment, from, to).catch(() => null);
    const covered = this.deps.reader.effectiveRange(from, to);
    try {
      return await metric.value({
        v, model, summary: summary as NonNullable<typeof summary>, seconds: (covered.to - covered.from) / 1000, from, to, now: to, covered,
        labelled: () => cache.labelledEvents(v, segment, from, to),
        coveredLabelled: () => cache.labelledRead(v, segment, covered.from, covered.to),
        retention: this.deps.retention,
        positiveClass: async () => cache.positiveClass(model, v, await cache.labelledEvents(v, segment, from, to), to),
        freshness: () => this.freshness(v, segment, to),
      }, metricArgs(def));
    } catch (e) {
      return { value: null, samples: 0, detail: { note: `metric failed: ${e instanceof Error ? e.message : String(e)}` } };
    }
  }

  /**
   * The segments that deviate most in the window (for the alert context): the metric computed per stored
   * segment, worst first. The segment of the events past ingest.maxSegmentsPerModel ("region=__other__") is marked
   * `overflow: true`: it mixes every segment past the limit (until audit 22 it was listed as any segment).
   */
  async affectedSegments(def: MonitorDefinition, at: number, top = 3): Promise<AffectedSegment[]> {
    const model = this.deps.catalog.model(def.model)?.model;
    const v = model ? this.deps.reader.resolveVersion(def.model, def.version) : undefined;
    if (!model || !v || def.segment) return [];
    const from = at - def.windowMs;
    const rows = await this.deps.store.querySummaries({ model: def.model, version: v.record.version, granularity: def.windowMs % 3_600_000 === 0 ? 'hour' : 'minute', from, to: at });
    const segments = [...new Set(rows.map((r) => r.segment).filter((s) => s !== ''))].slice(0, 50);
    // each stored segment on its own events (as /segments details them): "region=eu" (events without a tier) was merged
    // with region=eu&tier=gold until audit 20, as a monitor of region=eu is
    const cache = this.newCache(true);
    const out: AffectedSegment[] = [];
    for (const s of segments) {
      const x = await this.valueAt(def, v, model, s, from, at, cache);
      if (x.samples >= Math.min(def.minSamples, 1)) out.push({ segment: s, value: x.value, ...(isOverflowSegment(s) && { overflow: true as const }) });
    }
    const sign = def.direction === 'above' ? -1 : 1;
    return out.sort((a, b) => sign * ((a.value ?? (sign > 0 ? Infinity : -Infinity)) - (b.value ?? (sign > 0 ? Infinity : -Infinity)))).slice(0, top);
  }

  private async freshness(v: VersionContext, segment: string, now: number): Promise<{ ms: number; events: number }> {
    const from = now - FRESHNESS_LOOKBACK_MS;
    // A segment naming only some of the model's segment keys: the minute windows of the stored segments holding it.
    const segments = (await this.deps.reader.segmentsHolding(v, segment, from, now)) ?? [segment];
    const starts = new Set<number>();
    for (const s of segments) {
      const rows = await this.deps.store.querySummaries({ model: v.record.model, version: v.record.version, segment: s, granularity: 'minute', from, to: now });
      for (const r of rows) starts.add(r.windowStart);
    }
    const last = Math.max(...starts);
    return Number.isFinite(last) ? { ms: Math.max(0, now - (last + 60_000)), events: starts.size } : { ms: FRESHNESS_LOOKBACK_MS, events: 0 };
  }

  private result(def: MonitorDefinition, version: string | null, at: number, given: Verdict, givenDetail: Record<string, unknown>): MonitorResult {
    // the monitor's noData policy turns a window without a verdict into ok or a firing level (note: "no data ...")
    const verdict = applyNoData(given, def.noData ?? 'keep', def.levels);
    const detail = verdict === given ? givenDetail : { ...givenDetail, noData: def.noData };
    const evaluation: EvaluationRecord = {
      monitorId: def.id, at, status: verdict.status, value: verdict.value, baseline: verdict.baseline, threshold: verdict.threshold,
      samples: Math.min(verdict.samples, Number.MAX_SAFE_INTEGER), change: verdict.change,
      detail: {
        ...detail, ...(verdict.compared !== null && { compared: verdict.compared }), ...(verdict.note !== undefined && { note: verdict.note }), ...(version !== null && { version }),
        valueKey: valueKey(def),
      },
    };
    return { def, version, verdict, evaluation, detail };
  }
}
