import type { DatasetDrift, FeatureDrift } from './types.js';

/** Dataset drift is declared when the share of drifted features reaches this (Evidently's default). */
export const DEFAULT_DRIFT_SHARE = 0.5;

/** Whether `x` can be a drift share: a share of features in (0, 1] (the CLI's --drift-share, the API's driftShare). */
export const isDriftShare = (x: number): boolean => x > 0 && x <= 1;

export function datasetDrift(features: readonly FeatureDrift[], threshold = DEFAULT_DRIFT_SHARE): DatasetDrift {
  const driftedFeatures = features.filter((f) => f.drifted).length;
  const share = features.length === 0 ? 0 : driftedFeatures / features.length;
  return { share, drifted: features.length > 0 && share >= threshold, threshold, driftedFeatures, features: features.length };
}
