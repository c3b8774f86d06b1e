/** Drops missing values (NaN, +-Infinity) and returns the rest sorted ascending. */
export function sortedFinite(values: ArrayLike<number>): Float64Array {
  let n = 0;
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isFinite(v)) out[n++] = v;
  }
  return out.subarray(0, n).sort();
}

/** Number of elements of sorted `a` that are <= x (numpy searchsorted side='right'). */
export function countAtMost(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Mean and population standard deviation (ddof = 0, as numpy.std) with a two-pass algorithm. */
export function meanStd(a: Float64Array): { mean: number; std: number } {
  const n = a.length;
  if (n === 0) return { mean: NaN, std: NaN };
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] as number;
  const mean = s / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - mean;
    ss += d * d;
  }
  return { mean, std: Math.sqrt(ss / n) };
}

/**
 * Whether the squared deviations of values between lo and hi can overflow (a spread beyond 1e150: numpy.std gives
 * inf) or underflow (below 1e-150: numpy.std gives 0 for values that differ), so that the standard deviation must be
 * computed on scaled values (scaledStd).
 */
export function stdNeedsScaling(lo: number, hi: number): boolean {
  const spread = hi - lo;
  return spread > 0 && !(spread >= 1e-150 && spread <= 1e150);
}

/**
 * Population standard deviation (ddof 0) of values with weights (1 each when absent), computed on the values scaled
 * by a power of two that brings the largest magnitude near 1 (exact), so that neither the deviations' squares nor
 * their sum overflows or underflows; the result is scaled back.
 */
export function scaledStd(values: ArrayLike<number>, weights?: ArrayLike<number>): number {
  let big = 0;
  for (let i = 0; i < values.length; i++) big = Math.max(big, Math.abs(values[i] as number));
  if (!(big > 0) || !Number.isFinite(big)) return big === 0 ? 0 : NaN;
  const k = -Math.floor(Math.log2(big));
  // 2^k in two factors: each stays a normal double for any k of a finite non-zero double (|k| <= 1074).
  const f1 = 2 ** Math.trunc(k / 2);
  const f2 = 2 ** (k - Math.trunc(k / 2));
  let total = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const w = weights ? (weights[i] as number) : 1;
    total += w;
    sum += w * (((values[i] as number) * f1) * f2);
  }
  const mean = sum / total;
  let ss = 0;
  for (let i = 0; i < values.length; i++) {
    const w = weights ? (weights[i] as number) : 1;
    const d = ((values[i] as number) * f1) * f2 - mean;
    ss += w * d * d;
  }
  return (Math.sqrt(ss / total) / f1) / f2;
}
