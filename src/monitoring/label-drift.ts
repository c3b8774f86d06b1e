import { featureDriftFromSummaries } from '../core/drift/from-summary.js';
import type { MethodOverrides } from '../core/drift/select.js';
import type { FeatureDrift } from '../core/drift/types.js';
import { LABEL, labelSummary } from '../core/summary/label-summary.js';
import { NumericSummary } from '../core/summary/numeric.js';
import type { FeatureSummary } from '../core/summary/window.js';
import type { LabelledOutcome, ModelRecord } from '../storage/types.js';
import type { VersionContext } from './catalog.js';

/** Label drift of a range: its labelled events' labels against the reference's, or null and why not. */
export interface LabelDrift {
  labelDrift: FeatureDrift | null;
  labelDriftNote?: string;
}

/** Why a version has no label drift whatever the range: no reference, or a reference without labels; undefined if it has one. */
export function labelReferenceProblem(v: VersionContext): string | undefined {
  if (!v.reference) return 'no reference';
  if (!v.reference.labels) return 'the reference has no labels (upload a reference file with a label column; a reference stored before label drift existed gets its labels from its file when the server starts, unless that file is gone or changed: then upload it again)';
  return undefined;
}

/** The current side of label drift: the labels' summary, on the reference's label bins (regression). */
export function currentLabels(m: ModelRecord, ref: FeatureSummary, labelled: readonly LabelledOutcome[]): FeatureSummary {
  return labelSummary(m.outputKind, labelled.map((l) => l.label), ref instanceof NumericSummary ? ref.edges : null, 0, ref);
}

/**
 * The drift of the labels of `labelled` (the events labelled so far whose event time is in the range) against the
 * reference's labels, by the same methods, defaults and thresholds as features and the prediction (numerical for a
 * regression model, categorical for classifiers; `overrides` as /drift's method and threshold). The reference's size
 * for the automatic choice of method is labelRows.
 */
export function labelDriftOf(m: ModelRecord, v: VersionContext, labelled: readonly LabelledOutcome[], overrides: MethodOverrides = {}): LabelDrift {
  const ref = v.reference?.labels;
  if (!ref) return { labelDrift: null, labelDriftNote: labelReferenceProblem(v) ?? 'no reference' };
  if (labelled.length === 0) return { labelDrift: null, labelDriftNote: 'no labelled events in the range' };
  return { labelDrift: featureDriftFromSummaries(LABEL, ref, currentLabels(m, ref, labelled), labelRows(ref), overrides) };
}

/**
 * The reference's size for the automatic choice of a label drift method: its labelled rows (missing labels included),
 * a file's rows as for its features, a range's labelled events (not every event of the range: 300 labels among 100,000
 * events are a small reference).
 */
export function labelRows(ref: FeatureSummary): number {
  return ref.count + ref.missing;
}
