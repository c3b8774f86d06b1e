import type { CategoricalStats, FeatureKind, NumericalStats } from './types.js';

/**
 * A drift method, registered under a stable id. Every statistic is computed once per feature;
 * a method picks its score from those statistics and compares it with a threshold.
 */
export interface DriftMethod {
  id: string;
  description: string;
  kinds: readonly FeatureKind[];
  /** 'pValue': drift when score < threshold. 'distance': drift when score >= threshold. */
  scoreType: 'pValue' | 'distance';
  defaultThreshold: number;
  /** The largest score a distance can take (Jensen-Shannon base 2 and Hellinger: 1); absent: unbounded. P-values are at most 1. */
  maxScore?: number;
  numerical?: (stats: NumericalStats) => number | null;
  categorical?: (stats: CategoricalStats) => number | null;
}

export function isDrifted(method: DriftMethod, score: number, threshold: number): boolean {
  return method.scoreType === 'pValue' ? score < threshold : score >= threshold;
}
