/**
 * Head-to-head comparison of two model versions on the same labelled test set: each metric for both, and
 * the difference (b - a) with a 95% paired percentile bootstrap interval — every resample draws one set of
 * row multiplicities and evaluates both versions on it, so the interval reflects the paired design. Pure:
 * randomness only from the seed (src/core/metrics/bootstrap.ts), values match src/core/metrics.
 */
import { rankScores, sortedIndicator, weightedAuc } from '../metrics/auc.js';
import { bootstrapMetric, DEFAULT_RESAMPLES, rowBootstrap, rowPlan, rowRng } from '../metrics/bootstrap.js';
import { canonicalKey, isMissing, sortKeys } from '../metrics/labels.js';
import { binaryRowLosses, weightedMean } from '../metrics/logloss.js';
import { MetricsInputError, type Label, type MetricValue, type Task } from '../metrics/types.js';

export interface VersionOutputs {
  /** Predicted labels (classification) or values (regression). */
  predictions?: ReadonlyArray<Label | null>;
  /** Binary: probability of the positive class. */
  scores?: ReadonlyArray<number | null>;
}

export interface PairedInput {
  task: Task;
  labels: ReadonlyArray<Label | null>;
  a: VersionOutputs;
  b: VersionOutputs;
  positiveLabel?: Label;
  threshold?: number;
  seed?: number;
  resamples?: number;
}

export interface PairedMetric {
  metric: string;
  higherIsBetter: boolean;
  a: number | null;
  b: number | null;
  /** b - a with its paired bootstrap interval. */
  delta: MetricValue;
}

export interface PairedComparison {
  task: Task;
  /** Rows used (rows where the label or either version's output is missing are left out). */
  n: number;
  excluded: number;
  seed: number;
  /** Bootstrap resamples drawn (the request's, or fewer on a large test set: see the metrics' note). */
  resamples: number;
  /** Binary: the class `scores` are the probability of, and rocAuc and logLoss rank and score. */
  positiveLabel?: Label;
  metrics: PairedMetric[];
}

/** Per-row terms of one metric for one version, and how to aggregate them under row weights. */
type Evaluator = (w: Int32Array) => number | null;
interface MetricDef { metric: string; higherIsBetter: boolean; a: Evaluator; b: Evaluator }

export const HIGHER_IS_BETTER: Readonly<Record<string, boolean>> = { accuracy: true, rocAuc: true, logLoss: false, mae: false, rmse: false };

const meanOf = (values: Float64Array): Evaluator => (w) => weightedMean(values, w);

function numeric(v: Label | null | undefined): number {
  if (v === null || v === undefined) return NaN;
  return typeof v === 'number' ? v : Number(v);
}

const finiteOrNull = (v: number | null): number | null => (v !== null && Number.isFinite(v) ? v : null);

/** b - a of one resample; null (the resample skipped) when either is undefined or not finite. */
function finiteDelta(a: number | null, b: number | null): number | null {
  const fa = finiteOrNull(a);
  const fb = finiteOrNull(b);
  return fa === null || fb === null ? null : fb - fa;
}

export function pairedComparison(input: PairedInput): PairedComparison {
  const n0 = input.labels.length;
  for (const [side, out] of [['a', input.a], ['b', input.b]] as const) {
    if (!out.predictions && !out.scores) throw new MetricsInputError(`version ${side} needs predictions or scores`);
    for (const col of [out.predictions, out.scores]) if (col && col.length !== n0) throw new MetricsInputError(`version ${side} has ${col.length} rows but labels has ${n0}`);
  }
  const threshold = input.threshold ?? 0.5;
  const predicted = (o: VersionOutputs, i: number): Label | null => {
    if (o.predictions) return o.predictions[i] ?? null;
    const s = o.scores?.[i];
    return s === null || s === undefined || Number.isNaN(s) ? null : s >= threshold ? positive : negative;
  };
  let positive: Label = '1';
  let negative: Label = '0';
  if (input.task === 'binary') {
    // the classes of the labels and of both versions' predictions: a test set of "no" rows that a version calls "yes"
    // has "yes" as the larger class (positive by default), as monitoring takes it from labels and predictions
    const seen = [input.labels, input.a.predictions ?? [], input.b.predictions ?? []].flatMap((col) => col.filter((l): l is Label => !isMissing(l ?? null)));
    const keys = sortKeys(new Set(seen.map(canonicalKey)));
    positive = input.positiveLabel ?? keys[keys.length - 1] ?? '1';
    negative = keys.find((k) => k !== canonicalKey(positive)) ?? '0';
  }
  const keep: number[] = [];
  for (let i = 0; i < n0; i++) {
    const usable = (o: VersionOutputs): boolean => !isMissing(predicted(o, i)) && (!o.scores || !isMissing(o.scores[i] ?? null));
    if (!isMissing(input.labels[i] ?? null) && usable(input.a) && usable(input.b)) keep.push(i);
  }
  const n = keep.length;
  if (n === 0) throw new MetricsInputError('no rows with a label and outputs of both versions');
  const defs: MetricDef[] = [];
  if (input.task === 'regression') {
    const y = Float64Array.from(keep, (i) => numeric(input.labels[i]));
    const err = (o: VersionOutputs, sq: boolean): Float64Array => Float64Array.from(keep, (i, j) => {
      const d = numeric(o.predictions?.[i]) - (y[j] as number);
      return sq ? d * d : Math.abs(d);
    });
    defs.push({ metric: 'mae', higherIsBetter: false, a: meanOf(err(input.a, false)), b: meanOf(err(input.b, false)) });
    const sqA = meanOf(err(input.a, true));
    const sqB = meanOf(err(input.b, true));
    const root = (f: Evaluator): Evaluator => (w) => { const v = f(w); return v === null ? null : Math.sqrt(v); };
    defs.push({ metric: 'rmse', higherIsBetter: false, a: root(sqA), b: root(sqB) });
  } else {
    const truth = keep.map((i) => canonicalKey(input.labels[i] as Label));
    const correct = (o: VersionOutputs): Float64Array => Float64Array.from(keep, (i, j) => (canonicalKey(predicted(o, i) as Label) === truth[j] ? 1 : 0));
    defs.push({ metric: 'accuracy', higherIsBetter: true, a: meanOf(correct(input.a)), b: meanOf(correct(input.b)) });
    if (input.task === 'binary' && input.a.scores && input.b.scores) {
      const isPos = Uint8Array.from(truth, (k) => (k === canonicalKey(positive) ? 1 : 0));
      const probs = (o: VersionOutputs): Float64Array => Float64Array.from(keep, (i) => o.scores?.[i] as number);
      const auc = (o: VersionOutputs): Evaluator => {
        const r = rankScores(probs(o));
        const posSorted = sortedIndicator(r, isPos);
        return (w) => weightedAuc(r, posSorted, w);
      };
      defs.push({ metric: 'rocAuc', higherIsBetter: true, a: auc(input.a), b: auc(input.b) });
      defs.push({ metric: 'logLoss', higherIsBetter: false, a: meanOf(binaryRowLosses(probs(input.a), isPos)), b: meanOf(binaryRowLosses(probs(input.b), isPos)) });
    }
  }
  const seed = input.seed ?? 0;
  const plan = rowPlan(n, input.resamples ?? DEFAULT_RESAMPLES);
  const deltas = rowBootstrap(n, plan, rowRng(seed), defs.length, (w) => defs.map((d) => finiteDelta(d.a(w), d.b(w))));
  const ones = new Int32Array(n).fill(1);
  const metrics = defs.map((d, m): PairedMetric => {
    // NaN (a value that is not a number) or an overflow to Infinity: shown as null, and so without an interval
    const a = finiteOrNull(d.a(ones));
    const b = finiteOrNull(d.b(ones));
    const delta = a === null || b === null ? { value: null, ci: null, note: 'undefined on this test set (no rows, or a value that is not a finite number)' } : bootstrapMetric(b - a, deltas[m] ?? [], plan.resamples, plan.note);
    return { metric: d.metric, higherIsBetter: d.higherIsBetter, a, b, delta };
  });
  return { task: input.task, n, excluded: n0 - n, seed, resamples: plan.resamples, ...(input.task === 'binary' && { positiveLabel: positive }), metrics };
}
