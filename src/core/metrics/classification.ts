/**
 * Precision, recall and F1 from confusion counts, as sklearn 1.2.1's
 * precision_recall_fscore_support computes them with zero_division='warn' (the default): a
 * ratio with a zero denominator is 0; F = 2·P·R / (P + R) with 0 when P + R = 0.
 */
import { npSum } from './npsum.js';

/** sklearn's _prf_divide with zero_division 0. */
function divide(num: number, den: number): number {
  return den === 0 ? 0 : num / den;
}

/** sklearn's F-score from precision and recall (beta = 1), same operation order. */
export function fScore(precision: number, recall: number): number {
  let denom = precision + recall;
  if (denom === 0) denom = 1;
  return (2 * precision * recall) / denom;
}

export interface BinaryScores {
  precision: number;
  recall: number;
  f1: number;
}

export function binaryScores(tp: number, fp: number, fn: number): BinaryScores {
  const precision = divide(tp, tp + fp);
  const recall = divide(tp, tp + fn);
  return { precision, recall, f1: fScore(precision, recall) };
}

export interface MulticlassScores {
  accuracy: number;
  precisionMacro: number;
  recallMacro: number;
  f1Macro: number;
  f1Weighted: number;
}

/**
 * Scores from a k × k cell table (row-major, rows = actual). Averages run over the classes
 * that occur as a label or a prediction (sklearn's unique_labels(y_true, y_pred)), so a
 * class absent from a bootstrap resample drops out as it would for sklearn. Null if empty.
 */
export function multiclassScores(cells: ArrayLike<number>, k: number): MulticlassScores | null {
  const precision: number[] = [];
  const recall: number[] = [];
  const f1: number[] = [];
  const support: number[] = [];
  let n = 0;
  let correct = 0;
  for (let c = 0; c < k; c++) {
    let trueSum = 0;
    let predSum = 0;
    for (let j = 0; j < k; j++) {
      trueSum += cells[c * k + j] as number;
      predSum += cells[j * k + c] as number;
    }
    const tp = cells[c * k + c] as number;
    n += trueSum;
    correct += tp;
    if (trueSum === 0 && predSum === 0) continue;
    const p = divide(tp, predSum);
    const r = divide(tp, trueSum);
    precision.push(p);
    recall.push(r);
    f1.push(fScore(p, r));
    support.push(trueSum);
  }
  if (n === 0) return null;
  const m = precision.length;
  const weighted = npSum(f1.map((f, i) => f * (support[i] as number))) / npSum(support);
  return {
    accuracy: correct / n,
    precisionMacro: npSum(precision) / m,
    recallMacro: npSum(recall) / m,
    f1Macro: npSum(f1) / m,
    f1Weighted: weighted,
  };
}
