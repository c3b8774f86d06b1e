/**
 * Regression metrics as sklearn 1.2.1 computes them (single output, no sample weights), with
 * numpy's summation order so that exact-zero tests agree:
 * mae = mean|ŷ−y|; rmse = sqrt(mean (y−ŷ)²); mape = mean |ŷ−y| / max(|y|, float64 eps);
 * r2 = 1 − SS_res/SS_tot with force_finite (SS_res = 0 → 1; SS_tot = 0 < SS_res → 0),
 * undefined (NaN in sklearn, null here) for fewer than two samples.
 */
import { npMean, npSum } from './npsum.js';

export const FLOAT64_EPS = 2.220446049250313e-16;

export interface RegressionTerms {
  absErr: Float64Array;
  sqErr: Float64Array;
  ape: Float64Array;
}

export function regressionTerms(y: Float64Array, yhat: Float64Array): RegressionTerms {
  const n = y.length;
  const absErr = new Float64Array(n);
  const sqErr = new Float64Array(n);
  const ape = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = y[i] as number;
    const p = yhat[i] as number;
    const a = Math.abs(p - t);
    const d = t - p;
    absErr[i] = a;
    sqErr[i] = d * d;
    ape[i] = a / Math.max(Math.abs(t), FLOAT64_EPS);
  }
  return { absErr, sqErr, ape };
}

export interface RegressionValues {
  mae: number;
  rmse: number;
  mape: number;
  r2: number | null;
}

export function forceFiniteR2(numerator: number, denominator: number): number {
  if (numerator === 0) return 1;
  if (denominator === 0) return 0;
  return 1 - numerator / denominator;
}

export function regressionValues(y: Float64Array, terms: RegressionTerms): RegressionValues {
  const n = y.length;
  let r2: number | null = null;
  if (n >= 2) {
    const mean = npMean(y);
    const dev = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const d = (y[i] as number) - mean;
      dev[i] = d * d;
    }
    r2 = forceFiniteR2(npSum(terms.sqErr), npSum(dev));
  }
  return {
    mae: npMean(terms.absErr),
    rmse: Math.sqrt(npMean(terms.sqErr)),
    mape: npMean(terms.ape),
    r2,
  };
}

/**
 * The four metrics on one bootstrap resample (row multiplicities `w`). SS_tot is accumulated
 * around the full-sample mean `center` (stable one-pass form); a resample whose y values are
 * all equal has SS_tot exactly 0 (r2 1 or 0 by force_finite), where sklearn's own (weighted) mean
 * of equal values may leave a rounding residue and an r2 of -9.6e31 (README, `lookout metrics`).
 */
export function weightedRegression(
  y: Float64Array,
  terms: RegressionTerms,
  center: number,
  w: Int32Array,
): Array<number | null> {
  let ws = 0;
  let sAbs = 0;
  let sSq = 0;
  let sApe = 0;
  let sD = 0;
  let sD2 = 0;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (let i = 0; i < w.length; i++) {
    const wv = w[i] as number;
    if (wv === 0) continue;
    const t = y[i] as number;
    ws += wv;
    sAbs += wv * (terms.absErr[i] as number);
    sSq += wv * (terms.sqErr[i] as number);
    sApe += wv * (terms.ape[i] as number);
    const d = t - center;
    sD += wv * d;
    sD2 += wv * d * d;
    if (t < yMin) yMin = t;
    if (t > yMax) yMax = t;
  }
  if (ws === 0) return [null, null, null, null];
  const ssTot = yMin === yMax ? 0 : Math.max(0, sD2 - (sD * sD) / ws);
  const r2 = ws < 2 ? null : forceFiniteR2(sSq, ssTot);
  return [sAbs / ws, Math.sqrt(sSq / ws), sApe / ws, r2];
}
