/** Multiclass: accuracy, macro/weighted scores, OvR macro rocAuc, logLoss, confusion matrix. */
import { aucFromRanking, rankScores, sortedIndicator, weightedAuc, type Ranking } from './auc.js';
import { bootstrapMetric, countBootstrap, countRng, rowBootstrap, rowPlan, rowRng } from './bootstrap.js';
import { multiclassScores } from './classification.js';
import { cellsToMatrix, confusionCells } from './confusion.js';
import { ClassCollector, canonicalKey, isMissing, sortKeys } from './labels.js';
import { meanLoss, multiclassRowLosses, weightedMean } from './logloss.js';
import { npSum } from './npsum.js';
import { allUndefined, bootstrapSettings, checkLength, describe } from './options.js';
import { MetricsInputError, undefinedMetric, type Label, type MetricValue, type MetricsInput, type MetricsResult } from './types.js';
import { wilsonMetric } from './wilson.js';

export const MULTICLASS_METRICS = ['accuracy', 'precisionMacro', 'recallMacro', 'f1Macro', 'f1Weighted', 'rocAuc', 'logLoss'] as const;
const COUNT_METRICS = ['precisionMacro', 'recallMacro', 'f1Macro', 'f1Weighted'] as const;

export function multiclassMetrics(input: MetricsInput): MetricsResult {
  const { labels, predictions, scoreMatrix } = input;
  const n0 = labels.length;
  const boot = bootstrapSettings(input.seed, input.resamples);
  if (!predictions && !scoreMatrix) throw new MetricsInputError('multiclass metrics need predictions or a score matrix');
  if (predictions) checkLength('predictions', predictions.length, n0);

  // Score matrix columns in sorted class order (sklearn's LabelBinarizer order).
  let sm: { keys: string[]; labels: Label[]; columns: ArrayLike<number>[] } | null = null;
  if (scoreMatrix) {
    if (scoreMatrix.classes.length === 0) throw new MetricsInputError('score matrix has no columns');
    if (scoreMatrix.classes.length !== scoreMatrix.columns.length) {
      throw new MetricsInputError(`score matrix has ${scoreMatrix.classes.length} classes but ${scoreMatrix.columns.length} columns`);
    }
    const byKey = new Map<string, number>();
    scoreMatrix.classes.forEach((c, j) => {
      const k = canonicalKey(c);
      if (byKey.has(k)) throw new MetricsInputError(`score matrix class ${describe(c)} appears twice`);
      byKey.set(k, j);
      checkLength(`score matrix column ${describe(c)}`, (scoreMatrix.columns[j] as ArrayLike<number>).length, n0);
    });
    const keys = sortKeys(byKey.keys());
    const order = keys.map((k) => byKey.get(k) as number);
    sm = { keys, labels: order.map((j) => scoreMatrix.classes[j] as Label), columns: order.map((j) => scoreMatrix.columns[j] as ArrayLike<number>) };
  }

  const keep: number[] = [];
  for (let i = 0; i < n0; i++) {
    if (isMissing(labels[i]) || (predictions && isMissing(predictions[i]))) continue;
    if (sm && sm.columns.some((col) => Number.isNaN(col[i]))) continue;
    keep.push(i);
  }
  const n = keep.length;
  const k = sm ? sm.keys.length : 0;
  const cols = sm ? sm.columns.map((col) => Float64Array.from(keep, (row) => col[row] as number)) : [];
  for (let j = 0; j < k; j++) {
    const col = cols[j] as Float64Array;
    for (let i = 0; i < n; i++) {
      const v = col[i] as number;
      if (!(v >= 0 && v <= 1)) {
        throw new MetricsInputError(`score matrix values must be probabilities in [0, 1] (class ${describe(sm?.labels[j])}, row ${keep[i]} is ${String(v)})`);
      }
    }
  }

  const collector = new ClassCollector();
  const yKeys = keep.map((row) => collector.add(labels[row] as Label));
  let pKeys: string[];
  if (predictions) {
    pKeys = keep.map((row) => collector.add(predictions[row] as Label));
  } else {
    const raw = scoreMatrix as NonNullable<typeof scoreMatrix>;
    pKeys = keep.map((row) => collector.add(raw.classes[argmaxRow(raw.columns, row)] as Label));
  }
  const { labels: classes, index } = collector.sorted();
  const kc = classes.length;
  const yIdx = Int32Array.from(yKeys, (key) => index.get(key) as number);
  const pIdx = Int32Array.from(pKeys, (key) => index.get(key) as number);
  const cells = confusionCells(yIdx, pIdx, kc);
  const base = { task: 'multiclass' as const, n, missing: n0 - n, classes, confusionMatrix: cellsToMatrix(cells, kc) };
  if (n === 0) return { ...base, metrics: allUndefined(MULTICLASS_METRICS, 'no rows with both a label and a prediction/score') };

  const metrics: Record<string, MetricValue> = {};
  const point = multiclassScores(cells, kc) as NonNullable<ReturnType<typeof multiclassScores>>;
  let correct = 0;
  for (let c = 0; c < kc; c++) correct += cells[c * kc + c] as number;
  metrics.accuracy = wilsonMetric(point.accuracy, correct, n, 'no rows');
  const countStats = countBootstrap(cells, boot.resamples, countRng(boot.seed), COUNT_METRICS.length, (draw) => {
    const s = multiclassScores(draw, kc);
    return COUNT_METRICS.map((m) => (s ? s[m] : null));
  });
  COUNT_METRICS.forEach((m, i) => {
    metrics[m] = bootstrapMetric(point[m], countStats[i] as number[], boot.resamples);
  });

  if (!sm) {
    metrics.rocAuc = undefinedMetric('rocAuc needs a score matrix');
    metrics.logLoss = undefinedMetric('logLoss needs a score matrix');
    return { ...base, metrics };
  }
  const smIndex = new Map(sm.keys.map((key, j) => [key, j] as const));
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const j = smIndex.get(yKeys[i] as string);
    if (j === undefined) throw new MetricsInputError(`label ${describe(labels[keep[i] as number])} has no column in the score matrix`);
    truth[i] = j;
  }
  const losses = multiclassRowLosses(cols, truth);
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) counts[truth[i] as number] = (counts[truth[i] as number] as number) + 1;
  const absent = sm.labels.filter((_, j) => counts[j] === 0);
  const rankings: Ranking[] = [];
  const posSorted: Uint8Array[] = [];
  const aucs: number[] = [];
  const normalised = rowsSumToOne(cols, n);
  if (absent.length === 0 && k >= 2 && normalised) {
    for (let j = 0; j < k; j++) {
      const r = rankScores(cols[j] as Float64Array);
      const pos = Uint8Array.from(truth, (t) => (t === j ? 1 : 0));
      rankings.push(r);
      posSorted.push(sortedIndicator(r, pos));
      aucs.push(aucFromRanking(r, pos) as number);
    }
  }
  const plan = rowPlan(n, boot.resamples);
  const rowStats = rowBootstrap(n, plan, rowRng(boot.seed), 2, (w) => {
    let auc: number | null = null;
    if (rankings.length > 0) {
      let sum = 0;
      for (let j = 0; j < k; j++) {
        const a = weightedAuc(rankings[j] as Ranking, posSorted[j] as Uint8Array, w);
        if (a === null) break; // a class absent from the resample: sklearn would raise
        sum += a;
        if (j === k - 1) auc = sum / k;
      }
    }
    return [auc, weightedMean(losses, w)];
  });
  if (rankings.length === 0 && (absent.length > 0 || k < 2)) {
    metrics.rocAuc = undefinedMetric(k < 2
      ? 'rocAuc needs at least two score matrix classes'
      : `rocAuc (one-vs-rest) is undefined: no rows with label ${absent.map(describe).join(', ')}`);
  } else if (!normalised) {
    metrics.rocAuc = undefinedMetric('rocAuc (one-vs-rest) needs score matrix rows that sum to 1, as sklearn requires');
  } else {
    metrics.rocAuc = bootstrapMetric(npSum(aucs) / k, rowStats[0] as number[], plan.resamples, plan.note);
  }
  metrics.logLoss = bootstrapMetric(meanLoss(losses), rowStats[1] as number[], plan.resamples, plan.note);
  return { ...base, metrics };
}

/** np.allclose(1, rowSums) as sklearn checks it (rtol 1e-5, atol 1e-8). */
function rowsSumToOne(cols: Float64Array[], n: number): boolean {
  const row = new Float64Array(cols.length);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < cols.length; j++) row[j] = (cols[j] as Float64Array)[i] as number;
    if (!sumsToOne(row)) return false;
  }
  return true;
}

/** Whether one row of scores sums to 1 as sklearn requires of rocAuc's score rows: np.allclose(1, sum) (rtol 1e-5, atol 1e-8). */
export function sumsToOne(row: ArrayLike<number>): boolean {
  const sum = npSum(row);
  return !(Math.abs(1 - sum) > 1e-8 + 1e-5 * Math.abs(sum));
}

/** numpy.argmax over the caller's column order: the first maximum wins. */
function argmaxRow(columns: ArrayLike<number>[], row: number): number {
  let best = 0;
  let bestValue = (columns[0] as ArrayLike<number>)[row] as number;
  for (let j = 1; j < columns.length; j++) {
    const v = (columns[j] as ArrayLike<number>)[row] as number;
    if (v > bestValue) {
      best = j;
      bestValue = v;
    }
  }
  return best;
}
