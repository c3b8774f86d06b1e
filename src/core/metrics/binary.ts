/** Binary classification: accuracy, precision, recall, f1, rocAuc, logLoss, confusion matrix. */
import { aucFromRanking, rankScores, type Ranking } from './auc.js';
import { bootstrapMetric, countBootstrap, countRng, rowBootstrap, rowPlan, rowRng, type RowPlan } from './bootstrap.js';
import { binaryScores } from './classification.js';
import { ClassCollector, canonicalKey, isMissing, sortKeys } from './labels.js';
import { binaryRowLosses, meanLoss } from './logloss.js';
import { allUndefined, bootstrapSettings, checkLength, describe } from './options.js';
import type { BulkRandom } from './bulk-random.js';
import { MetricsInputError, undefinedMetric, type Label, type MetricValue, type MetricsInput, type MetricsResult } from './types.js';
import { wilsonMetric } from './wilson.js';

export const BINARY_METRICS = ['accuracy', 'precision', 'recall', 'f1', 'rocAuc', 'logLoss'] as const;

export function binaryMetrics(input: MetricsInput): MetricsResult {
  const { labels, predictions, scores } = input;
  const n0 = labels.length;
  const boot = bootstrapSettings(input.seed, input.resamples);
  if (!predictions && !scores) throw new MetricsInputError('binary metrics need predictions or scores');
  if (predictions) checkLength('predictions', predictions.length, n0);
  if (scores) checkLength('scores', scores.length, n0);
  const threshold = input.threshold ?? 0.5;
  if (!Number.isFinite(threshold)) throw new MetricsInputError(`threshold must be a finite number, got ${String(input.threshold)}`);

  // Rows kept, and classes seen among labels and predictions.
  const kept = new Int32Array(n0);
  let n = 0;
  for (let i = 0; i < n0; i++) {
    if (isMissing(labels[i]) || (predictions && isMissing(predictions[i]))) continue;
    if (scores) {
      const s = scores[i] as number;
      if (Number.isNaN(s)) continue;
      if (!(s >= 0 && s <= 1)) throw new MetricsInputError(`scores must be probabilities in [0, 1] (row ${i} is ${String(s)})`);
    }
    kept[n++] = i;
  }
  const keep = kept.subarray(0, n);
  const collector = new ClassCollector();
  const yKeys: string[] = new Array<string>(n);
  const pKeys: string[] | null = predictions ? new Array<string>(n) : null;
  for (let j = 0; j < n; j++) {
    const row = keep[j] as number;
    yKeys[j] = collector.add(labels[row] as Label);
    if (pKeys && predictions) pKeys[j] = collector.add(predictions[row] as Label);
  }
  const present = sortKeys(collector.original.keys());
  if (present.length > 2) {
    throw new MetricsInputError(`binary task but ${present.length} classes found: ${present.slice(0, 5).map(describe).join(', ')}`);
  }

  // Positive label: explicit, else the larger of the two classes in np.unique order.
  let posKey: string;
  let posLabel: Label;
  if (input.positiveLabel !== undefined && input.positiveLabel !== null) {
    posKey = positiveKey(input.positiveLabel, present);
    if (present.length === 2 && !present.includes(posKey)) {
      throw new MetricsInputError(`positiveLabel ${describe(input.positiveLabel)} is not one of the classes ${present.map(describe).join(', ')}`);
    }
    posLabel = collector.original.get(posKey) ?? (posKey === canonicalKey(input.positiveLabel) ? input.positiveLabel : posKey);
  } else if (present.length === 2) {
    posKey = present[1] as string;
    posLabel = collector.original.get(posKey) as Label;
  } else if (present.length === 1 && present[0] !== '0') {
    posKey = present[0] as string;
    posLabel = collector.original.get(posKey) as Label;
  } else {
    posKey = '1'; // sklearn's default pos_label
    posLabel = 1;
  }
  const negKey = present.find((k) => k !== posKey);
  const classes: Label[] = negKey === undefined ? [posLabel] : [collector.original.get(negKey) as Label, posLabel];

  const base = { task: 'binary' as const, n, missing: n0 - n, classes, positiveLabel: posLabel };
  if (n === 0) {
    return { ...base, confusionMatrix: [[0, 0], [0, 0]], metrics: allUndefined(BINARY_METRICS, 'no rows with both a label and a prediction/score') };
  }

  const isPos = new Uint8Array(n);
  const predPos = new Uint8Array(n);
  const prob = scores ? new Float64Array(n) : null;
  for (let j = 0; j < n; j++) {
    isPos[j] = yKeys[j] === posKey ? 1 : 0;
    if (prob && scores) prob[j] = scores[keep[j] as number] as number;
    if (pKeys) predPos[j] = pKeys[j] === posKey ? 1 : 0;
    else predPos[j] = (prob as Float64Array)[j] as number >= threshold ? 1 : 0;
  }
  let tp = 0, fp = 0, fn = 0, tn = 0;
  for (let j = 0; j < n; j++) {
    if (isPos[j]) { if (predPos[j]) tp++; else fn++; }
    else if (predPos[j]) fp++;
    else tn++;
  }

  const metrics: Record<string, MetricValue> = {};
  const want = (k: string): boolean => input.only === undefined || input.only.includes(k);
  const s = binaryScores(tp, fp, fn);
  metrics.accuracy = wilsonMetric((tp + tn) / n, tp + tn, n, 'no rows');
  metrics.precision = wilsonMetric(s.precision, tp, tp + fp, 'no predicted positives: precision is ill-defined and set to 0 (sklearn zero_division default)');
  metrics.recall = wilsonMetric(s.recall, tp, tp + fn, 'no actual positives: recall is ill-defined and set to 0 (sklearn zero_division default)');
  if (want('f1')) {
    const f1Stats = countBootstrap([tp, fp, fn, tn], boot.resamples, countRng(boot.seed), 1, (c) => [binaryScores(c[0] as number, c[1] as number, c[2] as number).f1]);
    metrics.f1 = bootstrapMetric(s.f1, f1Stats[0] as number[], boot.resamples);
    if (tp + fp + fn === 0) {
      // Every resample is 0 by the same convention: [0, 0] would claim a certainty no positive row supports (precision
      // and recall have no Wilson interval here either).
      metrics.f1 = { ...metrics.f1, ci: null, note: 'no actual or predicted positives: f1 is ill-defined and set to 0 (sklearn zero_division default)' };
    }
  }

  if (!want('rocAuc') && !want('logLoss')) {
    // neither asked for: no ranking, no row bootstrap
  } else if (!prob) {
    metrics.rocAuc = undefinedMetric('rocAuc needs scores');
    metrics.logLoss = undefinedMetric('logLoss needs scores');
  } else {
    const losses = binaryRowLosses(prob, isPos);
    const ranking = rankScores(prob);
    const auc = aucFromRanking(ranking, isPos);
    const plan = rowPlan(n, boot.resamples);
    const [aucStats, lossStats] = fusedRowBootstrap(ranking, isPos, losses, plan, rowRng(boot.seed));
    metrics.rocAuc = auc === null
      ? undefinedMetric('rocAuc is undefined: only one class present in labels')
      : bootstrapMetric(auc, aucStats, plan.resamples, plan.note);
    metrics.logLoss = bootstrapMetric(meanLoss(losses), lossStats, plan.resamples, plan.note);
  }
  return { ...base, confusionMatrix: [[tn, fp], [fn, tp]], metrics };
}

/** Classes that are booleans' texts: a CSV column pandas wrote True/False is read as the classes false/true. */
const BOOLEAN_CLASS = /^(true|false)$/i;

/**
 * The key of the positive label given: its canonical key, or, when the classes are booleans (true/false), the class
 * it names in another case (`True`, the spelling pandas writes, for the class true; until audit 16 refused as no class).
 */
function positiveKey(given: Label, present: string[]): string {
  const key = canonicalKey(given);
  if (present.includes(key) || !BOOLEAN_CLASS.test(key) || !present.every((k) => BOOLEAN_CLASS.test(k))) return key;
  return present.find((k) => k.toLowerCase() === key.toLowerCase()) ?? key.toLowerCase();
}

/**
 * rocAuc and logLoss on the same row resamples in one pass. Rows are first laid out in
 * ascending score order; since bootstrap multiplicities are exchangeable they are drawn
 * directly in that order, so the pass is sequential.
 */
function fusedRowBootstrap(r: Ranking, isPos: Uint8Array, losses: Float64Array, plan: RowPlan, rng: BulkRandom): [number[], number[]] {
  const n = r.order.length;
  const pos = new Uint8Array(n);
  const loss = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    const row = r.order[p] as number;
    pos[p] = isPos[row] as number;
    loss[p] = losses[row] as number;
  }
  const ends = r.groupEnd;
  const stats = rowBootstrap(n, plan, rng, 2, (w) => {
    let u2 = 0, negBelow = 0, posTotal = 0, posG = 0, negG = 0, lossSum = 0;
    for (let p = 0; p < n; p++) {
      const wv = w[p] as number;
      const wp = wv * (pos[p] as number); // branch-free: labels are in random order
      posG += wp;
      negG += wv - wp;
      lossSum += wv * (loss[p] as number);
      if (ends[p]) {
        u2 += posG * (2 * negBelow + negG);
        negBelow += negG;
        posTotal += posG;
        posG = 0;
        negG = 0;
      }
    }
    const total = posTotal + negBelow;
    const auc = posTotal === 0 || negBelow === 0 ? null : u2 / (2 * posTotal * negBelow);
    return [auc, total === 0 ? null : lossSum / total];
  });
  return [stats[0] as number[], stats[1] as number[]];
}
