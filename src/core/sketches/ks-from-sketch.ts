// Two-sample Kolmogorov-Smirnov statistic from two KLL sketches.
//
// Each sketch defines an estimated CDF F^(x) = rank(x) (inclusive: weight of retained items <= x,
// over n), a right-continuous step function whose jumps are at its retained items (the sorted
// view). D_sketch = sup_x |F^_a(x) - F^_b(x)| is therefore attained at a point of the union of the
// two sorted views, and one merge over them computes it exactly. When neither sketch has compacted,
// F^ is the empirical CDF and D_sketch equals the exact statistic (as scipy's ks_2samp /
// ks2sampSorted compute it).
//
// Error bound: with F the exact ECDFs, |D_sketch - D_exact| <= sup|F^_a - F_a| + sup|F^_b - F_b|
// (triangle inequality). DataSketches' normalised rank error eps(k) bounds sup|F^ - F| over all
// queries with 99% confidence for a sketch that has compacted (it is an empirical fit to the 99th
// percentile of the maximum rank error), and the error is 0 for a sketch that has not. So
// |D_sketch - D_exact| <= eps_a + eps_b = ksSketchErrorBound(a, b), with probability >= 98% (each
// sketch within its bound with 99% confidence). This is DataSketches' KolmogorovSmirnov approach
// (computeKSThreshold adds eps1 + eps2 to the test threshold), with the statistic taken over the
// union of distinct values so that ties are handled like the exact test.

import type { KllSketch } from './kll.js';

/** sup_x |F^_a(x) - F^_b(x)| over the union of retained items; NaN if either sketch is empty. */
export function ksStatisticFromSketches(a: KllSketch, b: KllSketch): number {
  return cdfDistancesFromSketches(a, b).ks;
}

/**
 * The KS statistic (above) and the Wasserstein-1 distance between the sketches' estimated distributions (the
 * integral of |F^_a - F^_b| between consecutive points of the union of retained items; exact when neither has
 * compacted), both from one walk over the union: a drift query computes them for every feature of every window.
 * NaN for both if either sketch is empty.
 */
export function cdfDistancesFromSketches(a: KllSketch, b: KllSketch): { ks: number; wasserstein: number } {
  if (a.isEmpty || b.isEmpty) return { ks: NaN, wasserstein: NaN };
  const va = a.sortedView();
  const vb = b.sortedView();
  const xa = va.items;
  const xb = vb.items;
  const wa = va.cumWeights;
  const wb = vb.cumWeights;
  const na = va.n;
  const nb = vb.n;
  const la = xa.length;
  const lb = xb.length;
  let i = 0;
  let j = 0;
  let ca = 0; // cumulative weight of a's items <= current value
  let cb = 0;
  let d = 0;
  let total = 0;
  let prev = NaN;
  while (i < la || j < lb) {
    let v: number;
    if (j >= lb) v = xa[i] as number;
    else if (i >= la) v = xb[j] as number;
    else {
      const x = xa[i] as number;
      const y = xb[j] as number;
      v = x <= y ? x : y;
    }
    // |F^_a - F^_b| is constant on [prev, v): its area, before both step at v
    if (i + j > 0) total += Math.abs(ca / na - cb / nb) * (v - prev);
    while (i < la && (xa[i] as number) <= v) ca = wa[i++] as number;
    while (j < lb && (xb[j] as number) <= v) cb = wb[j++] as number;
    const diff = Math.abs(ca / na - cb / nb);
    if (diff > d) d = diff;
    prev = v;
  }
  return { ks: d, wasserstein: total };
}

/**
 * Bound on |ksStatisticFromSketches(a, b) - exact KS statistic| holding with 99% confidence per
 * sketch: the sum of the sketches' a-priori single-sided normalised rank errors (DataSketches'
 * 2.296 / minK^0.9723), counting 0 for a sketch that is still exact (has never compacted).
 */
export function ksSketchErrorBound(a: KllSketch, b: KllSketch): number {
  const ea = a.isEstimationMode ? a.normalizedRankError(false) : 0;
  const eb = b.isEstimationMode ? b.normalizedRankError(false) : 0;
  return ea + eb;
}

/**
 * Every value the sketch took, sorted ascending, while it has never compacted (its sorted view is then the sample
 * itself, each item of weight 1); null once it has (or when empty). Treat as read-only: the sketch caches it.
 */
export function exactValues(s: KllSketch): Float64Array | null {
  if (s.isEmpty || s.isEstimationMode) return null;
  const v = s.sortedView();
  return v.items.length === v.n ? v.items : null;
}
