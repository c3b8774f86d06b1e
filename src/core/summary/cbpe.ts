import { multiclassScores } from '../metrics/classification.js';

/**
 * Confidence-based performance estimation (CBPE, as NannyML): with calibrated probabilities, the expected
 * confusion matrix of a window is the sum over events of p (if predicted positive: expected TP, else
 * expected FN) and 1 - p (expected FP / TN). The sums are additive, so windows merge.
 * Multiclass: `cells` is the expected k x k matrix (row-major, rows = actual class, columns = predicted, in the
 * model's declared class order): an event predicted as class j adds its calibrated probability of each class i to
 * cell (i, j).
 */
export interface CbpeState {
  n: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  cells?: number[];
}

export function emptyCbpe(): CbpeState {
  return { n: 0, tp: 0, fp: 0, fn: 0, tn: 0 };
}

/** Adds one event: p = calibrated probability of the positive class, predictedPositive from the prediction. */
export function addCbpe(s: CbpeState, p: number, predictedPositive: boolean): void {
  s.n++;
  if (predictedPositive) {
    s.tp += p;
    s.fp += 1 - p;
  } else {
    s.fn += p;
    s.tn += 1 - p;
  }
}

/** Adds one event of a multiclass model: `probs` its calibrated probabilities of the k classes (summing to 1), `predicted` the index of its predicted class. */
export function addCbpeMulticlass(s: CbpeState, probs: readonly number[], predicted: number): void {
  const k = probs.length;
  const cells = (s.cells ??= new Array<number>(k * k).fill(0));
  s.n++;
  for (let i = 0; i < k; i++) cells[i * k + predicted] = (cells[i * k + predicted] as number) + (probs[i] as number);
}

export function mergeCbpe(a: CbpeState, b: CbpeState): void {
  if (b.cells) {
    const cells = (a.cells ??= new Array<number>(b.cells.length).fill(0));
    if (cells.length === b.cells.length) for (let i = 0; i < cells.length; i++) cells[i] = (cells[i] as number) + (b.cells[i] as number);
  }
  a.n += b.n;
  a.tp += b.tp;
  a.fp += b.fp;
  a.fn += b.fn;
  a.tn += b.tn;
}

export interface EstimatedMetrics {
  accuracy: number | null;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

/**
 * Estimated metrics of the expected confusion matrix. Multiclass: accuracy, and precision, recall and F1 as macro
 * averages over the classes (sklearn's average='macro' on the expected matrix: NannyML's per-class one-vs-rest
 * estimates, averaged).
 */
export function estimatedMetrics(s: CbpeState): EstimatedMetrics {
  if (s.cells) {
    const k = Math.round(Math.sqrt(s.cells.length));
    const m = multiclassScores(s.cells, k);
    return m ? { accuracy: m.accuracy, precision: m.precisionMacro, recall: m.recallMacro, f1: m.f1Macro } : { accuracy: null, precision: null, recall: null, f1: null };
  }
  const div = (a: number, b: number): number | null => (b > 0 ? a / b : null);
  const precision = div(s.tp, s.tp + s.fp);
  const recall = div(s.tp, s.tp + s.fn);
  return {
    accuracy: div(s.tp + s.tn, s.n),
    precision,
    recall,
    f1: precision !== null && recall !== null && precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : null,
  };
}
