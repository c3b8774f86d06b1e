import { ks2sampSorted } from '../stats/ks.js';
import { wassersteinSorted } from '../stats/wasserstein.js';
import { meanStd, scaledStd, stdNeedsScaling } from '../stats/sorted.js';
import { binCountsSorted, decileEdges, proportions } from '../stats/binning.js';
import { hellinger, jensenShannon, psi } from '../stats/divergence.js';
import type { NumericalStats } from './types.js';

/** Every numerical drift statistic for two sorted, non-empty samples. */
export function numericalStats(reference: Float64Array, current: Float64Array): NumericalStats {
  const ks = ks2sampSorted(reference, current);
  const w = wassersteinSorted(reference, current);
  // A constant reference has std 0 (README: normalised Wasserstein undefined), although the mean of n copies
  // of a value like 0.1 is not always that value, which would leave a std of ~1e-17.
  // Beyond spreads of 1e+-150 the squared deviations overflow or underflow (numpy too): scaled values then.
  const lo = reference[0] as number;
  const hi = reference[reference.length - 1] as number;
  const std = lo === hi ? 0 : stdNeedsScaling(lo, hi) ? scaledStd(reference) : meanStd(reference).std;
  const binEdges = decileEdges(reference);
  const p = proportions(binCountsSorted(reference, binEdges));
  const q = proportions(binCountsSorted(current, binEdges));
  return {
    ks: { statistic: ks.statistic, pValue: ks.pValue, method: ks.method },
    wasserstein: w,
    wassersteinNormalized: std > 0 ? w / std : w === 0 ? 0 : null,
    psi: psi(p, q),
    jensenShannon: jensenShannon(p, q),
    hellinger: hellinger(p, q),
    binEdges,
  };
}
