import { datasetDrift } from '../../core/drift/dataset.js';
import { featureDriftFromStats, featureStatsFromSummaries, type FeatureStats } from '../../core/drift/from-summary.js';
import type { FeatureDrift } from '../../core/drift/types.js';
import { driftMethodsFor, getDriftMethod } from '../../core/drift/registry.js';
import { estimatedMetrics } from '../../core/summary/cbpe.js';
import { CategoricalSummary } from '../../core/summary/categorical.js';
import { NumericSummary } from '../../core/summary/numeric.js';
import type { WindowSummary } from '../../core/summary/window.js';
import type { VersionContext } from '../../monitoring/catalog.js';
import { referenceFeatures } from '../../monitoring/drift-query.js';
import type { ModelRecord } from '../../storage/types.js';
import type { MetricArgs, MetricValue, MonitorMetric } from './types.js';

type Compute = (s: WindowSummary, v: VersionContext, m: ModelRecord, args: MetricArgs, seconds: number) => MetricValue;

/** Default drift method of monitors: PSI is exact on the reference bins kept in every summary. */
export const DEFAULT_MONITOR_DRIFT_METHOD = 'psi';

const above = (): 'above' => 'above';
const below = (): 'below' => 'below';

function summaryMetric(id: string, description: string, direction: MonitorMetric['direction'], feature: MonitorMetric['feature'], compute: Compute, defaultMinSamples = 100, hasReference = true): MonitorMetric {
  return {
    id, description, direction, feature, source: 'summary', defaultMinSamples,
    value: (ctx, args) => compute(ctx.summary, ctx.v, ctx.model, args, ctx.seconds),
    reference: (v, m, args) => (hasReference && v.reference ? compute(v.reference.summary, v, m, args, 1).value : null),
  };
}

function overrides(args: MetricArgs): { method: string; threshold?: number } {
  return { method: args.method ?? DEFAULT_MONITOR_DRIFT_METHOD, ...(args.threshold !== undefined && { threshold: args.threshold }) };
}

const statsMemo = new WeakMap<object, FeatureStats>();

/**
 * A feature's drift: the statistics do not depend on the method, so they are computed once per current
 * summary (per tick, monitors share merged summaries) and each monitor's method only picks its score.
 */
export function drift(name: string, ref: NumericSummary | CategoricalSummary, cur: NumericSummary | CategoricalSummary, rows: number, args: MetricArgs): FeatureDrift {
  let st = statsMemo.get(cur);
  if (!st) {
    st = featureStatsFromSummaries(name, ref, cur);
    statsMemo.set(cur, st);
  }
  return featureDriftFromStats(name, st, rows, overrides(args));
}

/**
 * Why the monitor's method cannot score this feature (null when it can): a method of the other kind (ks or wasserstein
 * on a categorical feature, chisquare on a numerical one) would fall back to the automatic method, whose score (a
 * p-value or a distance) the monitor's direction, taken from the method asked for, would read the wrong way.
 */
export function methodProblem(name: string, s: NumericSummary | CategoricalSummary, args: MetricArgs): string | null {
  const id = args.method ?? DEFAULT_MONITOR_DRIFT_METHOD;
  const kind = s instanceof NumericSummary ? 'numerical' : 'categorical';
  if (getDriftMethod(id).kinds.includes(kind)) return null;
  return `method ${id} does not apply to ${kind} feature "${name}"; methods for it: ${driftMethodsFor(kind).join(', ')}`;
}

export const driftDirection = (args: MetricArgs): 'above' | 'below' => (getDriftMethod(args.method ?? DEFAULT_MONITOR_DRIFT_METHOD).scoreType === 'pValue' ? 'below' : 'above');

function positiveClass(v: VersionContext, m: ModelRecord, args: MetricArgs): string {
  return args.class ?? v.reference?.profile.positiveClass ?? m.classes?.[m.classes.length - 1] ?? '1';
}

export const SUMMARY_METRICS: MonitorMetric[] = [
  summaryMetric('drift', 'drift score of one feature against the reference (method: psi by default; any registered drift method)', driftDirection, 'required', (s, v, _m, args) => {
    const f = args.feature as string;
    const r = v.reference?.summary.features.get(f);
    const c = s.features.get(f);
    if (!r || !c || !v.reference) return { value: null, samples: 0, detail: { note: v.reference ? `no feature "${f}"` : 'no reference' } };
    const problem = methodProblem(f, c, args);
    if (problem) return { value: null, samples: 0, detail: { note: problem } };
    const d = drift(f, r, c, v.reference.profile.rows, args);
    return { value: d.score, samples: c.count, detail: { method: d.method, methodThreshold: d.threshold, drifted: d.drifted, ...(d.note !== undefined && { note: d.note }) } };
  }, 100, false),
  summaryMetric('driftShare', 'share of features that drifted (each with the method given, psi by default)', above, 'none', (s, v, _m, args) => {
    const ref = v.reference;
    if (!ref) return { value: null, samples: 0, detail: { note: 'no reference' } };
    const fs = referenceFeatures(v).flatMap(({ name: f, ref: r }) => {
      const c = s.features.get(f);
      return c ? [drift(f, r, c, ref.profile.rows, args)] : [];
    });
    const d = datasetDrift(fs);
    const method = args.method ?? DEFAULT_MONITOR_DRIFT_METHOD;
    // A feature whose kind the method does not fit is scored with the automatic method for its kind (as /drift?method=
    // does): the share stays a share of drifted features, but which method scored each one is said, and which fell back.
    const fellBack = fs.filter((f) => !getDriftMethod(method).kinds.includes(f.kind));
    const note = fellBack.length === 0 ? undefined
      : `method ${method} does not apply to ${fellBack.map((f) => `${f.kind} feature "${f.name}": scored with the automatic method (${f.method})`).join('; ')}`;
    return { value: d.share, samples: s.events, detail: { method, methods: Object.fromEntries(fs.map((f) => [f.name, f.method])), fellBack: fellBack.map((f) => f.name), drifted: fs.filter((f) => f.drifted).map((f) => f.name), ...(note !== undefined && { note }) } };
  }, 100, false),
  summaryMetric('predictionDrift', 'drift score of the prediction distribution against the reference', driftDirection, 'none', (s, v, _m, args) => {
    const ref = v.reference;
    if (!ref || ref.summary.prediction.count === 0) return { value: null, samples: 0, detail: { note: 'no reference predictions' } };
    const problem = methodProblem('__prediction', s.prediction, args);
    if (problem) return { value: null, samples: 0, detail: { note: problem } };
    const d = drift('__prediction', ref.summary.prediction, s.prediction, ref.profile.rows, args);
    return { value: d.score, samples: s.prediction.count, detail: { method: d.method, methodThreshold: d.threshold } };
  }, 100, false),
  summaryMetric('predictionRate', 'share of predictions of a class (default the positive class); mean prediction for regression', above, 'none', (s, v, m, args) => {
    const p = s.prediction;
    if (p instanceof NumericSummary) return { value: p.count ? p.sum / p.count : null, samples: p.count };
    const cls = positiveClass(v, m, args);
    return { value: p.count ? (p.counts.get(cls) ?? 0) / p.count : null, samples: p.count, detail: { class: cls } };
  }),
  summaryMetric('missingRate', 'share of missing values of a feature (without a feature: the worst feature)', above, 'optional', (s, _v, _m, args) => {
    let worst: { value: number; samples: number; feature: string } | null = null;
    for (const [name, f] of s.features) {
      if (args.feature !== undefined && name !== args.feature) continue;
      const n = f.count + f.missing;
      if (n === 0) continue;
      const rate = f.missing / n;
      if (!worst || rate > worst.value) worst = { value: rate, samples: n, feature: name };
    }
    return worst ? { value: worst.value, samples: worst.samples, detail: { feature: worst.feature } } : { value: null, samples: 0 };
  }),
  summaryMetric('newCategoryRate', 'share of values of a categorical feature in categories the reference never saw', above, 'required', (s, v, _m, args) => {
    const c = s.features.get(args.feature as string);
    const r = v.reference?.summary.features.get(args.feature as string);
    if (!(c instanceof CategoricalSummary) || !(r instanceof CategoricalSummary)) return { value: null, samples: 0, detail: { note: 'not a categorical feature with a reference' } };
    // As newCategories (from-summary.ts): a reference over the cap did not name every category it has, so a current
    // category it did not name may be in its "other" bucket: none is called new.
    if (r.other > 0) return { value: c.count ? 0 : null, samples: c.count, detail: { note: `the reference has more categories than the cap of ${r.cap}: the ones beyond it are not named, so no category is called new` } };
    let n = 0;
    for (const [k, x] of c.counts) if (!r.counts.has(k)) n += x;
    return { value: c.count ? n / c.count : null, samples: c.count };
  }, 100, false),
  ...(['Accuracy', 'Precision', 'Recall', 'F1'] as const).map((name) => summaryMetric(`estimated${name}`, `CBPE-estimated ${name.toLowerCase()} (binary; multiclass: macro precision, recall, F1; calibrated scores, no labels needed)`, below, 'none', (s) => {
    const key = name.toLowerCase() as 'accuracy' | 'precision' | 'recall' | 'f1';
    return { value: s.cbpe.n ? estimatedMetrics(s.cbpe)[key] : null, samples: s.cbpe.n };
  }, 100, false)),
  ...([['latencyP50', 0.5], ['latencyP95', 0.95], ['latencyP99', 0.99]] as const).map(([id, q]) => summaryMetric(id, `latency quantile p${Math.round(q * 100)} (ms)`, above, 'none', (s) => ({ value: s.latencyQuantile(q), samples: s.latencyCount }), 100, false)),
  summaryMetric('errorRate', 'share of events with an error', above, 'none', (s) => ({ value: s.events ? s.errors / s.events : null, samples: s.events }), 100, false),
  summaryMetric('throughput', 'events per second', below, 'none', (s, _v, _m, _a, seconds) => ({ value: s.events / seconds, samples: Number.MAX_SAFE_INTEGER }), 0, false),
  summaryMetric('costPerInference', 'mean cost per inference (USD)', above, 'none', (s) => ({ value: s.costCount ? s.costSum / s.costCount : null, samples: s.costCount }), 100, false),
];
