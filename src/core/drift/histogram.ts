import { quantileSorted } from '../stats/quantile.js';
import { countAtMost } from '../stats/sorted.js';

/** Reference and current shares over shared bins, for overlaid distribution charts. */
export interface OverlayHistogram {
  kind: 'numerical';
  /** bins + 1 edges; the first and last bins also hold the values beyond them (outliers). */
  edges: number[];
  reference: number[];
  current: number[];
}

export interface CategoryBars {
  kind: 'categorical';
  categories: string[];
  reference: number[];
  current: number[];
}

export type Distribution = OverlayHistogram | CategoryBars;

/**
 * Equal-width bins over the central 99% of both samples (0.5th to 99.5th percentile), so that a few
 * outliers do not squash the chart; values outside land in the outer bins. Shares sum to 1 per side.
 */
export function overlayHistogram(reference: Float64Array, current: Float64Array, bins = 40): OverlayHistogram {
  const sides = [reference, current].filter((s) => s.length > 0);
  if (sides.length === 0) return { kind: 'numerical', edges: [], reference: [], current: [] };
  let lo = Math.min(...sides.map((s) => quantileSorted(s, 0.005)));
  let hi = Math.max(...sides.map((s) => quantileSorted(s, 0.995)));
  if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? hi : lo + i * width));
  const shares = (s: Float64Array): number[] => {
    if (s.length === 0) return new Array<number>(bins).fill(0);
    const out: number[] = [];
    let prev = 0;
    for (let i = 1; i <= bins; i++) {
      const upto = i === bins ? s.length : countAtMost(s, edges[i] as number);
      out.push((upto - prev) / s.length);
      prev = upto;
    }
    return out;
  };
  return { kind: 'numerical', edges, reference: shares(reference), current: shares(current) };
}

/** The most frequent categories (by combined share) and an "(other)" bar for the rest. */
export function categoryBars(reference: ReadonlyMap<string, number>, current: ReadonlyMap<string, number>, top = 20): CategoryBars {
  const total = (m: ReadonlyMap<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
  const tr = total(reference) || 1;
  const tc = total(current) || 1;
  const keys = new Set([...reference.keys(), ...current.keys()]);
  const ranked = [...keys]
    .map((k) => ({ k, r: (reference.get(k) ?? 0) / tr, c: (current.get(k) ?? 0) / tc }))
    .sort((a, b) => b.r + b.c - (a.r + a.c) || (a.k < b.k ? -1 : 1));
  const shown = ranked.slice(0, top);
  const rest = ranked.slice(top);
  const bars: CategoryBars = { kind: 'categorical', categories: shown.map((x) => x.k), reference: shown.map((x) => x.r), current: shown.map((x) => x.c) };
  if (rest.length > 0) {
    bars.categories.push(`(other: ${rest.length})`);
    bars.reference.push(rest.reduce((s, x) => s + x.r, 0));
    bars.current.push(rest.reduce((s, x) => s + x.c, 0));
  }
  return bars;
}
