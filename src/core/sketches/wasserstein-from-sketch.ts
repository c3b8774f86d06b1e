import type { KllSketch } from './kll.js';

/**
 * Wasserstein-1 distance between the estimated distributions of two KLL sketches: the integral of
 * |F^_a - F^_b| between consecutive retained items of either sketch (exact when neither has compacted).
 */
export function wassersteinFromSketches(a: KllSketch, b: KllSketch): number {
  if (a.isEmpty || b.isEmpty) return NaN;
  const va = a.sortedView();
  const vb = b.sortedView();
  const xa = va.items;
  const xb = vb.items;
  let i = 0;
  let j = 0;
  let ca = 0;
  let cb = 0;
  let total = 0;
  let prev = NaN;
  while (i < xa.length || j < xb.length) {
    const v = j >= xb.length || (i < xa.length && (xa[i] as number) <= (xb[j] as number)) ? (xa[i] as number) : (xb[j] as number);
    if (!Number.isNaN(prev)) total += Math.abs(ca / va.n - cb / vb.n) * (v - prev);
    while (i < xa.length && (xa[i] as number) <= v) ca = va.cumWeights[i++] as number;
    while (j < xb.length && (xb[j] as number) <= v) cb = vb.cumWeights[j++] as number;
    prev = v;
  }
  return total;
}
