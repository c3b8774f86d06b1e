import { datasetDrift, DEFAULT_DRIFT_SHARE } from '../core/drift/dataset.js';
import { featureDriftFromSummaries } from '../core/drift/from-summary.js';
import type { MethodOverrides } from '../core/drift/select.js';
import type { DatasetDrift, FeatureDrift } from '../core/drift/types.js';
import type { WindowSummary } from '../core/summary/window.js';
import type { VersionContext } from './catalog.js';

export interface DriftResult {
  features: FeatureDrift[];
  prediction: FeatureDrift | null;
  datasetDrift: DatasetDrift;
  referenceRows: number;
  currentEvents: number;
}

/** Drift of every feature (and of the prediction) of a merged summary against the version's reference. */
export function driftOf(v: VersionContext, current: WindowSummary, overrides: MethodOverrides = {}, driftShare = DEFAULT_DRIFT_SHARE): DriftResult | null {
  const ref = v.reference;
  if (!ref) return null;
  const rows = ref.profile.rows;
  const features: FeatureDrift[] = [];
  for (const f of v.spec.features) {
    const r = ref.summary.features.get(f.name);
    const c = current.features.get(f.name);
    if (r && c) features.push(featureDriftFromSummaries(f.name, r, c, rows, overrides));
  }
  const prediction = ref.summary.prediction.count > 0 ? featureDriftFromSummaries('__prediction', ref.summary.prediction, current.prediction, rows, overrides) : null;
  return { features, prediction, datasetDrift: datasetDrift(features, driftShare), referenceRows: rows, currentEvents: current.events };
}
