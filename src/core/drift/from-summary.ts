import { ks2sampSorted } from '../stats/ks.js';
import { ksAsymptoticPValue } from '../stats/kolmogorov-asymptotic.js';
import { proportions } from '../stats/binning.js';
import { scaledStd, stdNeedsScaling } from '../stats/sorted.js';
import { hellinger, jensenShannon, psi } from '../stats/divergence.js';
import { cdfDistancesFromSketches, exactValues, ksSketchErrorBound } from '../sketches/ks-from-sketch.js';
import { CategoricalSummary, OTHER_KEY } from '../summary/categorical.js';
import { NumericSummary } from '../summary/numeric.js';
import { categoricalStats } from './categorical.js';
import type { MethodOverrides } from './select.js';
import type { CategoricalStats, FeatureDrift, FeatureQuality, NumericalStats } from './types.js';
import { driftVerdict, type KindStats } from './verdict.js';

/**
 * Numerical drift statistics from two window summaries (sketches), as the offline CLI computes them from
 * raw data, with these differences, recorded in the result:
 * - KS: while neither sketch has compacted (small references and windows: a sketch holds every value it took),
 *   the values themselves, so the statistic, p-value and method ('exact' as scipy's ks_2samp) are the CLI's.
 *   Once one has, the statistic from the KLL sketches (within `ks.errorBound` of the exact one, see
 *   ks-from-sketch.ts) and the p-value of the limiting Kolmogorov distribution (kstwobign) at
 *   max(0, statistic - errorBound) and en = m n / (m + n) (method 'sketch'): constant time, and the statistic is
 *   approximate anyway; sketch error can only make the test more conservative, never raise a false alarm on its own;
 * - Wasserstein: integrated between the sketches' retained items (exact until a sketch compacts; then within
 *   ks.errorBound * (max - min) over both sides of the exact distance: each estimated CDF is within its sketch's rank
 *   error of the exact one, and they differ only between the smallest and largest value);
 * - PSI / Jensen-Shannon / Hellinger: exact, from the counts on the reference-decile bins kept per window.
 */
export function numericalStatsFromSummaries(ref: NumericSummary, cur: NumericSummary): NumericalStats & { ks: { errorBound: number } } {
  const { ks: d, wasserstein: w } = cdfDistancesFromSketches(ref.kll, cur.kll);
  const errorBound = ksSketchErrorBound(ref.kll, cur.kll);
  const refValues = exactValues(ref.kll);
  const curValues = exactValues(cur.kll);
  const m = Math.max(ref.count, cur.count);
  const n = Math.min(ref.count, cur.count);
  // Constant: 0, not a rounding residue of the running mean. Beyond spreads of 1e+-150 the summary's squared
  // deviations overflowed or underflowed: the std of the sketch's items (weighted), on scaled values, instead.
  const std = ref.min === ref.max ? 0 : stdNeedsScaling(ref.min, ref.max) ? sketchStd(ref) : (ref.std ?? 0);
  const edges = ref.edges ? [...ref.edges] : [];
  const [p, q, fromSketch] = binShares(ref, cur, edges);
  return {
    ks: refValues && curValues
      ? { ...ks2sampSorted(refValues, curValues), errorBound: 0 }
      : { statistic: d, pValue: Math.min(1, Math.max(0, ksAsymptoticPValue(Math.max(0, d - errorBound), (m * n) / (m + n)))), method: 'sketch', errorBound },
    wasserstein: w,
    wassersteinNormalized: std > 0 ? w / std : w === 0 ? 0 : null,
    psi: psi(p, q),
    jensenShannon: jensenShannon(p, q),
    hellinger: hellinger(p, q),
    binEdges: edges,
    ...(fromSketch && { binShares: 'sketch' as const }),
  };
}

/** The std of a summary's sketch: of the values themselves while it has not compacted, else of its weighted items. */
function sketchStd(s: NumericSummary): number {
  const view = s.kll.sortedView();
  const w = new Float64Array(view.cumWeights.length);
  for (let i = 0; i < w.length; i++) w[i] = (view.cumWeights[i] as number) - (i === 0 ? 0 : (view.cumWeights[i - 1] as number));
  return scaledStd(view.items, w);
}

/**
 * Bin proportions on the reference edges: exact counts when both kept them, else from the sketches' CDFs (a window
 * summarised before the reference's edges were known, or under a replaced reference's): then the third item is true.
 */
function binShares(ref: NumericSummary, cur: NumericSummary, edges: number[]): [number[], number[], boolean] {
  let fromSketch = false;
  const counts = (s: NumericSummary): number[] => {
    if (s.hist && s.edges && s.edges.length === edges.length && s.edges.every((e, i) => e === edges[i])) return s.hist;
    if (edges.length === 0) return [s.count];
    fromSketch = true;
    // Share of values < e for each edge, from the sketch (rank is "<=", so step just below e).
    const below = edges.map((e) => s.kll.rank(prevDouble(e)) * s.count);
    return [...below, s.count].map((c, i) => c - (i === 0 ? 0 : (below[i - 1] as number)));
  };
  const p = proportions(counts(ref));
  const q = proportions(counts(cur));
  return [p, q, fromSketch];
}

/** The largest double below x (rank(prevDouble(x)) is the share of values < x). */
export function prevDouble(x: number): number {
  if (x === 0) return -Number.MIN_VALUE;
  const buf = new Float64Array([x]);
  const bits = new BigInt64Array(buf.buffer);
  bits[0] = (bits[0] as bigint) + (x > 0 ? -1n : 1n);
  return buf[0] as number;
}

function quality(ref: NumericSummary | CategoricalSummary, cur: NumericSummary | CategoricalSummary): FeatureQuality {
  const share = (a: number, b: number): number => (b === 0 ? 0 : a / b);
  let outOfRange = 0;
  if (ref instanceof NumericSummary && cur instanceof NumericSummary && ref.count > 0 && cur.count > 0) {
    const below = cur.min < ref.min ? cur.kll.rank(prevDouble(ref.min)) : 0;
    const above = cur.max > ref.max ? 1 - cur.kll.rank(ref.max) : 0;
    outOfRange = below + above;
  }
  const constant = (s: NumericSummary | CategoricalSummary): boolean =>
    s instanceof NumericSummary ? s.count > 0 && s.min === s.max : s.counts.size + (s.other > 0 ? 1 : 0) === 1;
  return {
    missingReference: share(ref.missing, ref.count + ref.missing),
    missingCurrent: share(cur.missing, cur.count + cur.missing),
    outOfRange,
    typeMismatch: 0,
    constantReference: constant(ref),
    constantCurrent: constant(cur),
  };
}

/**
 * Categorical statistics from capped category counts: the "other" bucket (categories beyond the cap) takes part in
 * the statistics as one more bin, but it is no category value, so it is never listed in newCategories. A reference
 * over the cap did not name every category it has: a category it did not name may be in its bucket, so none is new.
 */
function categoricalStatsFromSummaries(ref: CategoricalSummary, cur: CategoricalSummary): CategoricalStats {
  const stats = categoricalStats(ref.countsWithOther(), cur.countsWithOther());
  if (ref.other === 0 && cur.other === 0) return stats;
  const other = { reference: ref.other, current: cur.other };
  if (ref.other > 0) return { ...stats, newCategories: [], other };
  return { ...stats, newCategories: stats.newCategories.filter((c) => c !== OTHER_KEY), other };
}

/** The method-independent part of a feature's drift: every statistic, computed once (see featureDriftFromSummaries). */
export interface FeatureStats {
  kind: 'numerical' | 'categorical';
  quality: FeatureQuality;
  computed: KindStats | null;
  emptySide: 'reference' | 'current' | null;
}

export function featureStatsFromSummaries(name: string, ref: NumericSummary | CategoricalSummary, cur: NumericSummary | CategoricalSummary): FeatureStats {
  const kind = ref instanceof NumericSummary ? 'numerical' : 'categorical';
  const emptySide = ref.count === 0 ? 'reference' : cur.count === 0 ? 'current' : null;
  let computed: KindStats | null = null;
  if (!emptySide) {
    if (ref instanceof NumericSummary && cur instanceof NumericSummary) computed = { kind: 'numerical', stats: numericalStatsFromSummaries(ref, cur) };
    else if (ref instanceof CategoricalSummary && cur instanceof CategoricalSummary) computed = { kind: 'categorical', stats: categoricalStatsFromSummaries(ref, cur) };
    else throw new Error(`feature ${name}: reference and current summaries are of different kinds`);
  }
  return { kind, quality: quality(ref, cur), computed, emptySide };
}

/** The verdict of a method (chosen or automatic) on precomputed statistics. */
export function featureDriftFromStats(name: string, st: FeatureStats, referenceRows: number, overrides: MethodOverrides = {}): FeatureDrift {
  return driftVerdict(name, st.kind, referenceRows, st.quality, st.computed, overrides, st.emptySide);
}

/** Drift of one feature between a reference summary and the merged summary of the current windows. */
export function featureDriftFromSummaries(
  name: string,
  ref: NumericSummary | CategoricalSummary,
  cur: NumericSummary | CategoricalSummary,
  referenceRows: number,
  overrides: MethodOverrides = {},
): FeatureDrift {
  return featureDriftFromStats(name, featureStatsFromSummaries(name, ref, cur), referenceRows, overrides);
}
