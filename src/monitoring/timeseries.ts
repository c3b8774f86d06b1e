import { featureDriftFromSummaries } from '../core/drift/from-summary.js';
import { datasetDrift } from '../core/drift/dataset.js';
import { estimatedMetrics } from '../core/summary/cbpe.js';
import type { FeatureDrift } from '../core/drift/types.js';
import type { CategoricalSummary } from '../core/summary/categorical.js';
import type { NumericSummary } from '../core/summary/numeric.js';
import type { WindowSummary } from '../core/summary/window.js';
import type { VersionContext } from './catalog.js';
import type { SeriesMetric } from './query.js';
import { splitMetric } from './metric-name.js';
import { closest, didYouMean } from '../core/text/closest.js';
import { referenceFeatures } from './drift-query.js';
import { chooseMethod } from '../core/drift/select.js';
import { NumericSummary as NumericSummaryClass } from '../core/summary/numeric.js';

/** Metrics a time series can chart, one value per window. Feature metrics take ":FEATURE". */
export const TIMESERIES_METRICS = [
  'events', 'throughput', 'errorRate', 'latencyP50', 'latencyP95', 'latencyP99', 'costPerInference', 'rejected',
  'driftShare', 'estimatedAccuracy', 'estimatedPrecision', 'estimatedRecall', 'estimatedF1', 'predictionDrift', 'drift', 'missing',
] as const;

/**
 * The metrics computed without looking at features: a window's stored head (WindowSummary.headBytes) is enough
 * for them, so their series read a few KB per window instead of the feature sketches.
 */
export const HEAD_METRICS: ReadonlySet<string> = new Set([
  'events', 'throughput', 'errorRate', 'latencyP50', 'latencyP95', 'latencyP99', 'costPerInference', 'rejected',
  'estimatedAccuracy', 'estimatedPrecision', 'estimatedRecall', 'estimatedF1', 'predictionDrift',
]);

/** The metrics that take a feature (`drift:FEATURE`, `missing:FEATURE`); the others take none. */
const FEATURE_METRICS: ReadonlySet<string> = new Set(['drift', 'missing']);

/**
 * The series holding a field of GET /health's answer, tried as a metric name (audit 27: no hint was given), with its
 * unit: a series' values are per window, named as the monitors' metrics are.
 */
const HEALTH_FIELD_SERIES: ReadonlyMap<string, string> = new Map([
  ['throughputPerSecond', '; did you mean "throughput" (events per second)?'],
  ['costPerInferenceUsd', '; did you mean "costPerInference" (USD per inference that reported a cost)?'],
  ['latencyMs', '; did you mean "latencyP50", "latencyP95" or "latencyP99" (milliseconds)?'],
]);

/**
 * Why `metric` is not a series of version `v` (null when it is): an unknown metric, a feature metric without a feature
 * or with one the version does not summarise, or a feature on a metric that takes none. Checked before anything is
 * computed: a feature metric's values are stored per window (WindowValue), so a mistyped name would otherwise be
 * answered with nulls and stored in every window it read.
 */
export function seriesMetricProblem(metric: string, v: VersionContext): { message: string; details: Record<string, unknown> } | null {
  const { id: name, feature } = splitMetric(metric);
  if (!(TIMESERIES_METRICS as readonly string[]).includes(name)) {
    const hint = HEALTH_FIELD_SERIES.get(name) ?? didYouMean(name, TIMESERIES_METRICS);
    return { message: `unknown metric "${metric}": one of ${TIMESERIES_METRICS.join(', ')} (feature metrics as drift:FEATURE, missing:FEATURE)${hint}`, details: { metric, known: TIMESERIES_METRICS } };
  }
  if (!FEATURE_METRICS.has(name)) return feature === undefined ? null : { message: `metric "${name}" takes no feature (got "${metric}")`, details: { metric } };
  const known = v.spec.features.map((f) => f.name);
  if (feature === undefined || feature === '') return { message: `metric "${name}" needs a feature: ${name}:FEATURE, one of ${known.join(', ') || '(none)'}`, details: { metric, features: known } };
  if (!known.includes(feature)) {
    const near = closest(feature, known);
    const hint = near === null ? '' : `; did you mean "${name}:${near}"?`;
    return { message: `unknown feature "${feature}" in "${metric}"; ${v.record.model}@${v.record.version} summarises ${known.join(', ') || 'no features'}${hint}`, details: { metric, unknown: feature, features: known } };
  }
  return null;
}

/**
 * The drift method and threshold of a `drift:FEATURE` or `predictionDrift` series (null for other metrics, or without a
 * reference): the automatic choice, by the feature's kind and the reference's rows, as GET /drift without `method`.
 */
export function seriesDriftMethod(metric: string, v: VersionContext): { method: string; threshold: number } | null {
  const { id: name, feature } = splitMetric(metric);
  const ref = v.reference;
  if (!ref || (name !== 'drift' && name !== 'predictionDrift') || (name === 'predictionDrift' && ref.summary.prediction.count === 0)) return null;
  const kind = name === 'drift' ? v.spec.features.find((f) => f.name === feature)?.kind : ref.summary.prediction instanceof NumericSummaryClass ? 'numerical' : 'categorical';
  if (!kind) return null;
  const c = chooseMethod(kind, ref.profile.rows);
  return { method: c.method.id, threshold: c.threshold };
}

/** Metrics that count: a window without events has the value 0, not none. */
const COUNT_METRICS = new Set(['events', 'throughput', 'rejected']);

/**
 * The value a chart shows for the window starting at `t` at time `now`: a rate (throughput) of a window still running
 * counts its events over the part that has passed, not the whole window (else every throughput chart ended in a false
 * drop: half the rate at midday for a day window). A count (events, throughput, rejected) of a window that has begun
 * and has no events is 0: until audit 23 it was null, as a rate or a quantile of no events is, and a model whose
 * traffic stopped showed a gap in its throughput chart where it had dropped to 0. Other metrics as computed.
 */
export function pointValue(metric: string, value: number | null, t: number, size: number, now: number): number | null {
  if (value === null) return COUNT_METRICS.has(metric) && t < now ? 0 : null;
  if (metric !== 'throughput' || now >= t + size || now <= t) return value;
  return (value * size) / (now - t);
}

/** A series request for `metric` (seriesValue per window), marked as head-only where it can be, else as worth storing. */
export function seriesMetric(metric: string, v: VersionContext, seconds: number): SeriesMetric {
  const head = HEAD_METRICS.has(metric);
  // The rest look at feature sketches (drift share, a feature's drift or missing rate): worth storing per window.
  return { name: metric, compute: (s) => seriesValue(metric, v, s, seconds), head, store: !head };
}

export function seriesValue(metric: string, v: VersionContext, s: WindowSummary, seconds: number): number | null {
  const { id: name, feature } = splitMetric(metric);
  const ref = v.reference;
  const rows = ref?.profile.rows ?? 0;
  switch (name) {
    case 'events': return s.events;
    case 'throughput': return s.events / seconds;
    case 'errorRate': return s.events ? s.errors / s.events : null;
    case 'latencyP50': return s.latencyQuantile(0.5);
    case 'latencyP95': return s.latencyQuantile(0.95);
    case 'latencyP99': return s.latencyQuantile(0.99);
    case 'costPerInference': return s.costCount ? s.costSum / s.costCount : null;
    case 'rejected': return s.rejected;
    case 'estimatedAccuracy': return s.cbpe.n ? estimatedMetrics(s.cbpe).accuracy : null;
    case 'estimatedPrecision': return s.cbpe.n ? estimatedMetrics(s.cbpe).precision : null;
    case 'estimatedRecall': return s.cbpe.n ? estimatedMetrics(s.cbpe).recall : null;
    case 'estimatedF1': return s.cbpe.n ? estimatedMetrics(s.cbpe).f1 : null;
    case 'driftShare': {
      if (!ref || s.events === 0) return null;
      const fs = referenceFeatures(v).flatMap(({ name: f, ref: r }) => {
        const c = s.features.get(f);
        return c ? [windowFeatureDrift(f, r, c, rows)] : [];
      });
      return datasetDrift(fs).share;
    }
    case 'predictionDrift':
      return ref && s.events ? featureDriftFromSummaries('__prediction', ref.summary.prediction, s.prediction, rows).score : null;
    case 'drift': {
      const r = feature ? ref?.summary.features.get(feature) : undefined;
      const c = feature ? s.features.get(feature) : undefined;
      return r && c && s.events ? windowFeatureDrift(feature as string, r, c, rows).score : null;
    }
    case 'missing': {
      const c = feature ? s.features.get(feature) : undefined;
      return c && c.count + c.missing > 0 ? c.missing / (c.count + c.missing) : null;
    }
    default: return null;
  }
}

type FeatureSummary = NumericSummary | CategoricalSummary;

/** The last drift computed per window feature summary: against which reference, at which count. */
const driftMemo = new WeakMap<FeatureSummary, { ref: FeatureSummary; values: number; drift: FeatureDrift }>();

/**
 * A window feature's drift, computed once per window summary and reference: a window's drift share and its
 * features' drift series (the window-value filler asks for all of them together) share the statistics. A summary
 * that took more values since (a different count) is computed again.
 */
function windowFeatureDrift(name: string, ref: FeatureSummary, cur: FeatureSummary, referenceRows: number): FeatureDrift {
  const values = cur.count + cur.missing;
  const hit = driftMemo.get(cur);
  if (hit && hit.ref === ref && hit.values === values) return hit.drift;
  const drift = featureDriftFromSummaries(name, ref, cur, referenceRows);
  driftMemo.set(cur, { ref, values, drift });
  return drift;
}
