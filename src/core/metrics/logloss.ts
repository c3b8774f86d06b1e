/**
 * Log loss as sklearn 1.2.1's log_loss computes it: probabilities are clipped to
 * [eps, 1 − eps] with eps = 'auto' = np.finfo(float64).eps (1.2.1's default; the old fixed
 * 1e-15 is no longer the default), each row is renormalised to sum to 1, and the loss is the
 * mean of −log p(true class) (normalize=True). Row sums and the mean use numpy's summation order.
 */
import { npMean, npSum } from './npsum.js';

export const LOG_LOSS_EPS = 2.220446049250313e-16;
const ONE_MINUS_EPS = 1 - LOG_LOSS_EPS;

function clip(p: number): number {
  return p < LOG_LOSS_EPS ? LOG_LOSS_EPS : p > ONE_MINUS_EPS ? ONE_MINUS_EPS : p;
}

/** Per-row loss for a binary problem from the positive-class probability. */
export function binaryRowLosses(prob: Float64Array, isPos: Uint8Array): Float64Array {
  const out = new Float64Array(prob.length);
  for (let i = 0; i < prob.length; i++) {
    const c = clip(prob[i] as number);
    const q = 1 - c;
    const s = q + c;
    out[i] = -Math.log((isPos[i] ? c : q) / s);
  }
  return out;
}

/**
 * Per-row loss for a multiclass problem. `columns[j][i]` is row i's probability of class j,
 * `truth[i]` the column of row i's true class.
 */
export function multiclassRowLosses(columns: Float64Array[], truth: Int32Array): Float64Array {
  const n = truth.length;
  const k = columns.length;
  const row = new Float64Array(k);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) row[j] = clip((columns[j] as Float64Array)[i] as number);
    const s = npSum(row);
    out[i] = -Math.log((row[truth[i] as number] as number) / s);
  }
  return out;
}

export function meanLoss(losses: Float64Array): number {
  return npMean(losses);
}

/** Weighted mean loss of a bootstrap resample (null if empty). */
export function weightedMean(values: Float64Array, w: Int32Array): number | null {
  let s = 0;
  let ws = 0;
  for (let i = 0; i < values.length; i++) {
    const wv = w[i] as number;
    if (wv !== 0) {
      s += wv * (values[i] as number);
      ws += wv;
    }
  }
  return ws === 0 ? null : s / ws;
}
