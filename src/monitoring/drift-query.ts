import { datasetDrift, DEFAULT_DRIFT_SHARE } from '../core/drift/dataset.js';
import { featureDriftFromSummaries } from '../core/drift/from-summary.js';
import type { MethodOverrides } from '../core/drift/select.js';
import type { DatasetDrift, FeatureDrift, FeatureKind } from '../core/drift/types.js';
import type { FeatureSummary, WindowSummary } from '../core/summary/window.js';
import type { VersionContext } from './catalog.js';
import { splitMetric } from './metric-name.js';

export interface DriftResult {
  features: FeatureDrift[];
  /** Features left out, and why: a column the reference lacks (as `lookout drift` lists it). */
  skipped: Array<{ name: string; reason: string }>;
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
  const skipped = v.spec.features.filter((f) => !inReference(v, f.name)).map((f) => ({ name: f.name, reason: 'missing in reference' }));
  for (const { name, ref: r } of referenceFeatures(v)) {
    const c = current.features.get(name);
    if (c) features.push(featureDriftFromSummaries(name, r, c, rows, overrides));
  }
  const prediction = ref.summary.prediction.count > 0 ? featureDriftFromSummaries('__prediction', ref.summary.prediction, current.prediction, rows, overrides) : null;
  return { features, skipped, prediction, datasetDrift: datasetDrift(features, driftShare), referenceRows: rows, currentEvents: current.events };
}

/**
 * Whether the version's reference has the feature: a reference file without its column summarised no row of it
 * (every row of a file, and every event of a reference range, counts as a value or as missing). Such a feature is
 * left out of drift and of the drift share, as `lookout drift` skips a column missing in the reference.
 */
export function inReference(v: VersionContext, name: string): boolean {
  const r = v.reference?.summary.features.get(name);
  return r !== undefined && r.count + r.missing > 0;
}

/** The version's features that its reference has (inReference), with their reference summaries, in schema order. */
export function referenceFeatures(v: VersionContext): Array<{ name: string; ref: FeatureSummary }> {
  const out: Array<{ name: string; ref: FeatureSummary }> = [];
  for (const f of v.spec.features) {
    const r = v.reference?.summary.features.get(f.name);
    if (r && inReference(v, f.name)) out.push({ name: f.name, ref: r });
  }
  return out;
}

/** The kind drift compares for a version's prediction: a number for a regression model, else a class. */
export function predictionKind(v: VersionContext): FeatureKind {
  return v.spec.outputKind === 'regression' ? 'numerical' : 'categorical';
}

/**
 * The kind a drift metric of the version compares (drift:FEATURE, predictionDrift, labelDrift: the labels are of the
 * prediction's kind); undefined for a feature it lacks.
 */
export function driftTargetKind(v: VersionContext, metric: string): FeatureKind | undefined {
  const { id, feature } = splitMetric(metric);
  return id === 'predictionDrift' || id === 'labelDrift' ? predictionKind(v) : v.spec.features.find((f) => f.name === feature)?.kind;
}

/** The kinds drift compares for the version: of its features in the reference, and of the prediction when the reference has it. */
export function driftKinds(v: VersionContext): FeatureKind[] {
  const kinds = referenceFeatures(v).map(({ name }) => v.spec.features.find((f) => f.name === name)?.kind ?? 'numerical');
  if (v.reference && v.reference.summary.prediction.count > 0) kinds.push(predictionKind(v));
  return kinds;
}
