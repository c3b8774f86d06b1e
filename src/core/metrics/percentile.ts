/**
 * numpy.percentile(a, q) with the default 'linear' method (numpy 1.24 arithmetic, including
 * its _lerp that interpolates from the upper neighbour when gamma >= 0.5).
 */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const virtual = (n - 1) * (q / 100);
  if (virtual >= n - 1) return sorted[n - 1] as number;
  if (virtual < 0) return sorted[0] as number;
  const prev = Math.floor(virtual);
  const a = sorted[prev] as number;
  const b = sorted[prev + 1] as number;
  const t = virtual - prev;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** numpy.percentile of an unsorted array (does not modify the input). */
export function percentile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  return percentileSorted(sorted, q);
}
