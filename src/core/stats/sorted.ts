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
