/**
 * Quantile of a sorted sample with linear interpolation between order statistics:
 * numpy.quantile's default method ('linear', Hyndman & Fan type 7).
 */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (q <= 0) return sorted[0] as number;
  if (q >= 1) return sorted[n - 1] as number;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const frac = pos - lo;
  const a = sorted[lo] as number;
  if (frac === 0 || lo + 1 >= n) return a;
  const b = sorted[lo + 1] as number;
  // numpy's _lerp: a + (b - a) * t, switching to b - (b - a) * (1 - t) for t >= 0.5.
  const diff = b - a;
  return frac >= 0.5 ? b - diff * (1 - frac) : a + diff * frac;
}
