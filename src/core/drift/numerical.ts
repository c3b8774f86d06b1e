import { ks2sampSorted } from '../stats/ks.js';
import { wassersteinSorted } from '../stats/wasserstein.js';
import { meanStd } from '../stats/sorted.js';
import { binCountsSorted, decileEdges, proportions } from '../stats/binning.js';
import { hellinger, jensenShannon, psi } from '../stats/divergence.js';
import type { NumericalStats } from './types.js';

/** Every numerical drift statistic for two sorted, non-empty samples. */
export function numericalStats(reference: Float64Array, current: Float64Array): NumericalStats {
  const ks = ks2sampSorted(reference, current);
  const w = wassersteinSorted(reference, current);
  const { std } = meanStd(reference);
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
