import { binaryScores, type BinaryScores } from '../../core/metrics/classification.js';
import type { MetricsResult } from '../../core/metrics/index.js';
import { percentileSorted } from '../../core/metrics/percentile.js';
import { beforeEventsKept, beforeKept, labelCoverageOf, labelDelayMs, predictionCount, realizedWithNote } from '../../monitoring/performance.js';
import type { WindowSummary } from '../../core/summary/window.js';
import { LABEL } from '../../core/summary/label-summary.js';
import { currentLabels, labelReferenceProblem, labelRows } from '../../monitoring/label-drift.js';
import { drift, driftDirection, methodProblem } from './summary-metrics.js';
import type { MetricArgs, MetricValue, MonitorMetric } from './types.js';

/** Metric ids of monitors -> names in MetricsResult.metrics. */
const LABELLED: ReadonlyArray<[id: string, key: string, better: 'higher' | 'lower']> = [
  ['accuracy', 'accuracy', 'higher'], ['precision', 'precision', 'higher'], ['recall', 'recall', 'higher'], ['f1', 'f1', 'higher'],
  ['auc', 'rocAuc', 'higher'], ['mae', 'mae', 'lower'], ['rmse', 'rmse', 'lower'],
];

function pick(r: MetricsResult | null | undefined, key: string): number | null {
  const m = r?.metrics[key];
  return m && typeof m.value === 'number' && Number.isFinite(m.value) ? m.value : null;
}

/** The per-class ids (a monitor's `class` picks the class); a multiclass model's realized metrics name their macro averages. */
const PER_CLASS = new Set(['precision', 'recall', 'f1']);
const MACRO: Readonly<Record<string, string>> = { precision: 'precisionMacro', recall: 'recallMacro', f1: 'f1Macro' };

/**
 * One class's precision, recall and F1 (one-vs-rest, as sklearn's precision_recall_fscore_support(average=None) gives
 * them) from a classification result's confusion matrix; null when the class is neither a label nor a prediction there.
 */
export function classScores(r: MetricsResult, cls: string): BinaryScores | null {
  const cm = r.confusionMatrix;
  if (!cm) return null;
  let tp: number, fp: number, fn: number;
  if (r.task === 'binary') {
    const [[tn, fpos], [fneg, tpos]] = cm as [[number, number], [number, number]];
    const positive = String(r.positiveLabel) === cls;
    if (!positive && !(r.classes ?? []).some((c) => String(c) === cls)) return null;
    [tp, fp, fn] = positive ? [tpos, fpos, fneg] : [tn, fneg, fpos];
  } else {
    const i = (r.classes ?? []).findIndex((c) => String(c) === cls);
    if (i < 0) return null;
    const row = cm[i] as number[];
    tp = row[i] as number;
    fn = row.reduce((a, b) => a + b, 0) - tp;
    fp = cm.reduce((a, rw) => a + (rw[i] as number), 0) - tp;
  }
  return tp + fp + fn === 0 ? null : binaryScores(tp, fp, fn);
}

/** A monitor's value of metric `id` from realized metrics: per class when it names one, else a multiclass model's macro average. */
function valueOf(r: MetricsResult | null | undefined, id: string, key: string, args: MetricArgs): number | null {
  if (!r || !PER_CLASS.has(id) || r.task === 'regression') return pick(r, key);
  if (args.class !== undefined) return classScores(r, args.class)?.[id as keyof BinaryScores] ?? null;
  return pick(r, r.task === 'multiclass' ? (MACRO[id] as string) : key);
}

export const LABEL_METRICS: MonitorMetric[] = [
  ...LABELLED.map(([id, key, better]): MonitorMetric => ({
    id, description: `realized ${id} from labels joined by prediction id (event time in the window)`,
    direction: () => (better === 'higher' ? 'below' : 'above'), feature: 'none', source: 'labels', defaultMinSamples: 50,
    async value(ctx, args): Promise<MetricValue> {
      const labelled = await ctx.labelled();
      // accuracy, mae and rmse do not depend on it: no read of the classes for them
      const positive = PER_CLASS.has(id) || id === 'auc' ? await ctx.positiveClass() : undefined;
      const r = realizedWithNote(ctx.model, ctx.v, labelled, 0, 0, undefined, positive).realized;
      const detail = {
        ...(args.class !== undefined && PER_CLASS.has(id) && { class: args.class }),
        // the class precision, recall and F1 are of (and AUC ranks): the same in every window of the model
        ...(r?.task === 'binary' && { positiveClass: String(r.positiveLabel) }),
      };
      return { value: valueOf(r, id, key, args), samples: r?.n ?? 0, ...(Object.keys(detail).length > 0 && { detail }) };
    },
    reference: (v, _m, args) => valueOf(v.reference?.profile.metrics, id, key, args),
  })),
  {
    id: 'labelDrift', description: 'drift score of the labels (ground truth of the events in the window, labelled so far) against the reference\'s labels (method: psi by default; any registered drift method)',
    direction: driftDirection, feature: 'none', source: 'labels', defaultMinSamples: 100,
    async value(ctx, args): Promise<MetricValue> {
      const ref = ctx.v.reference?.labels;
      if (!ref) return { value: null, samples: 0, detail: { note: labelReferenceProblem(ctx.v) ?? 'no reference' } };
      const cur = currentLabels(ctx.model, ref, await ctx.labelled());
      const problem = methodProblem(LABEL, cur, args);
      if (problem) return { value: null, samples: 0, detail: { note: problem } };
      const d = drift(LABEL, ref, cur, labelRows(ref), args);
      return { value: d.score, samples: cur.count, detail: { method: d.method, methodThreshold: d.threshold, drifted: d.drifted, ...(d.note !== undefined && { note: d.note }) } };
    },
    reference: () => null,
  },
  {
    id: 'labelDelay', description: 'p95 delay between an event and its label (ms), over events labelled so far',
    direction: () => 'above', feature: 'none', source: 'labels', defaultMinSamples: 20,
    async value(ctx): Promise<MetricValue> {
      const d = Float64Array.from((await ctx.labelled()).map(labelDelayMs)).sort();
      return { value: d.length ? percentileSorted(d, 95) : null, samples: d.length }; // as /performance's labelDelayMs.p95
    },
    reference: () => null,
  },
  {
    // Audit 24: label coverage could not be monitored (labels that stop arriving paged no one).
    id: 'labelCoverage', description: 'share of the window\'s predictions labelled so far (labelled / predictions, as /performance\'s labelCoverage); give the monitor a `delay` for labels to arrive',
    direction: () => 'below', feature: 'none', source: 'labels', defaultMinSamples: 20,
    async value(ctx): Promise<MetricValue> {
      // the summary of a 'labels' metric is null when it could not be read (MonitorEvaluator.valueAt)
      const summary = ctx.summary as WindowSummary | null;
      if (!summary) return { value: null, samples: 0, detail: { note: 'the window summaries (its predictions) could not be read' } };
      // GET /performance's computation on the same events: the summary's predictions over the range it covers (whole
      // minutes or hours), the labelled events of that range, divided by the rate of a sample; not computable (null, with
      // its labelCoverageNote) for a window starting before the events retention.eventsDays keeps.
      const predictions = predictionCount(summary);
      const read = await ctx.coveredLabelled();
      const labelled = read.events.length;
      const figures = { labelled, predictions, labelCoverage: labelCoverageOf(labelled, read.rate, predictions), realized: null };
      const kept = beforeKept(ctx.retention, ctx.covered.from, ctx.covered.to);
      const r = kept ? beforeEventsKept(figures, kept) : figures;
      const note = 'labelCoverageNote' in r ? r.labelCoverageNote : undefined;
      return {
        value: r.labelCoverage, samples: r.labelCoverage === null ? 0 : predictions,
        detail: { labelled, predictions, ...(read.rate < 1 && { sampleRate: read.rate }), ...(note !== undefined && { note }) },
      };
    },
    reference: () => null,
  },
  {
    id: 'freshness', description: 'time since the newest event (ms): data freshness',
    direction: () => 'above', feature: 'none', source: 'store', defaultMinSamples: 0,
    async value(ctx): Promise<MetricValue> {
      const f = await ctx.freshness();
      return { value: f.ms, samples: Number.MAX_SAFE_INTEGER, detail: { eventsInLookback: f.events } };
    },
    reference: () => null,
  },
];
