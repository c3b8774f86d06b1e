import { countAtMost } from './sorted.js';
import { quantileSorted } from './quantile.js';

/** Proportion given to an empty bin so that log-ratios stay finite. */
export const EMPTY_BIN_PROPORTION = 1e-4;

/**
 * Bin edges for a numerical feature: the reference deciles (numpy.quantile, linear) as inner edges,
 * duplicates merged. With k edges there are k + 1 bins; bin 0 is (-inf, e0), bin i is [e(i-1), e(i)),
 * and the last bin [e(k-1), +inf). Both outer bins are open-ended, so every current value lands in one.
 */
export function decileEdges(referenceSorted: Float64Array, bins = 10): number[] {
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) {
    const q = quantileSorted(referenceSorted, i / bins);
    const e = q === 0 ? 0 : q; // -0 and 0 are one edge
    if (edges.length === 0 || e !== edges[edges.length - 1]) edges.push(e);
  }
  return edges;
}

/** Counts per bin of a sorted sample for the given edges (bin i holds values in [e(i-1), e(i))). */
export function binCountsSorted(sorted: Float64Array, edges: readonly number[]): number[] {
  const counts: number[] = [];
  let below = 0;
  for (const e of edges) {
    const c = countBelow(sorted, e);
    counts.push(c - below);
    below = c;
  }
  counts.push(sorted.length - below);
  return counts;
}

function countBelow(sorted: Float64Array, x: number): number {
  // Number of elements strictly less than x.
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Counts -> proportions, empty bins floored at EMPTY_BIN_PROPORTION (no renormalisation, as Evidently). */
export function proportions(counts: readonly number[]): number[] {
  const total = counts.reduce((s, c) => s + c, 0);
  return counts.map((c) => (c === 0 || total === 0 ? EMPTY_BIN_PROPORTION : c / total));
}

export { countAtMost };
