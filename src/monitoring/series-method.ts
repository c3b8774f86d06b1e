import { featureDriftFromSummaries } from '../core/drift/from-summary.js';
import { driftMethodsFor, getDriftMethod } from '../core/drift/registry.js';
import { thresholdProblem } from '../core/drift/threshold.js';
import type { FeatureKind } from '../core/drift/types.js';
import type { VersionContext } from './catalog.js';
import { driftTargetKind } from './drift-query.js';
import { splitMetric } from './metric-name.js';
import type { SeriesMetric } from './query.js';
import { seriesDriftMethod, seriesMetric } from './timeseries.js';

/**
 * The most windows a series of a method other than the automatic one computes in one request (41 days of hours, 16 h of
 * minutes, 1000 days): its values are not stored, so each request may read and compute every window again.
 */
export const MAX_COMPUTED_WINDOWS = 1000;

export interface ChosenDriftSeries {
  series: SeriesMetric;
  method: string;
  threshold: number;
  autoSelected: boolean;
  /** Computed at query time (a method other than the automatic one): at most MAX_COMPUTED_WINDOWS windows. */
  computed: boolean;
}

/**
 * A drift series (`drift:FEATURE`, `predictionDrift`) with a method and/or threshold asked for, or why not (a string).
 * The automatic method's values are stored per window (WindowValue) without a method key; another method is computed
 * from each window's summary at query time, cached per window in memory under its own name (`drift:F#psi`) and never
 * stored, so it cannot be taken for the automatic values. Its cost is that of a first computation of the automatic
 * series: each window of the range read and decoded once (served from the summary cache when recently read), its
 * statistics computed once (the methods share them).
 */
export function chosenDriftSeries(metric: string, v: VersionContext, seconds: number, method: string | undefined, threshold: number | undefined): ChosenDriftSeries | string {
  const auto = seriesDriftMethod(metric, v);
  if (!auto) return `series take no drift method: only drift:FEATURE and predictionDrift of a version with a reference (got "${metric}")`;
  const { id, feature } = splitMetric(metric);
  const ref = v.reference;
  if (!ref) return 'no reference';
  const prediction = id === 'predictionDrift';
  const kind: FeatureKind = driftTargetKind(v, metric) ?? 'numerical';
  const m = getDriftMethod(method ?? auto.method);
  if (!m.kinds.includes(kind)) {
    return `method ${m.id} does not apply to ${kind} ${prediction ? 'prediction' : `feature "${feature ?? ''}"`}; methods for it: ${driftMethodsFor(kind).join(', ')}`;
  }
  if (threshold !== undefined) {
    const p = thresholdProblem(threshold, [kind], ref.profile.rows, { method: m.id });
    if (p) return p.message;
  }
  const out = { method: m.id, threshold: threshold ?? (m.id === auto.method ? auto.threshold : m.defaultThreshold), autoSelected: method === undefined };
  if (m.id === auto.method) return { ...out, computed: false, series: seriesMetric(metric, v, seconds) };
  const rows = ref.profile.rows;
  const compute: SeriesMetric['compute'] = (s) => {
    if (!s.events) return null;
    if (prediction) return featureDriftFromSummaries('__prediction', ref.summary.prediction, s.prediction, rows, { method: m.id }).score;
    const r = ref.summary.features.get(feature as string);
    const c = s.features.get(feature as string);
    return r && c ? featureDriftFromSummaries(feature as string, r, c, rows, { method: m.id }).score : null;
  };
  return { ...out, computed: true, series: { name: `${metric}#${m.id}`, compute, head: false, store: false } };
}
