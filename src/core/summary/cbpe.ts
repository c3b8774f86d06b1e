/**
 * Confidence-based performance estimation (CBPE, as NannyML): with calibrated probabilities, the expected
 * confusion matrix of a window is the sum over events of p (if predicted positive: expected TP, else
 * expected FN) and 1 - p (expected FP / TN). The sums are additive, so windows merge.
 */
export interface CbpeState {
  n: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
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

export function mergeCbpe(a: CbpeState, b: CbpeState): void {
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

export function estimatedMetrics(s: CbpeState): EstimatedMetrics {
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
