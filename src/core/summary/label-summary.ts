import { canonicalKey, isMissing } from '../metrics/labels.js';
import { decileEdges } from '../stats/binning.js';
import { base64ToBytes, bytesToBase64 } from './base64.js';
import { CategoricalSummary, type CategoricalSummaryState } from './categorical.js';
import { NumericSummary } from './numeric.js';
import { featureRandom, type FeatureSummary } from './window-state.js';

/*
 * Label drift: the distribution of the ground truth (a regression model's numbers, a classifier's classes) summarised
 * like a feature, so that it is compared with the reference's by the same drift methods, defaults and thresholds as the
 * features and the prediction are (featureDriftFromSummaries).
 */

/** The name label drift is reported under (as the prediction's is "__prediction"). */
export const LABEL = '__label';

/** A reference's label distribution as stored in its profile: a numeric summary's bytes (base64) or a class count. */
export type StoredLabels = { n: string } | { c: CategoricalSummaryState };

/** A label as the metrics read it: a regression label is a number (a text of one, as labels are stored), else a class. */
type Label = string | number | null;

type OutputKind = 'binary' | 'multiclass' | 'regression';

/**
 * The summary of labels: numerical for a regression model (with the reference's decile edges for the binned
 * methods; a text that is not a finite number counts as missing), else categorical (classes by the canonical key the realized
 * metrics read them by: 1, "1" and "1.0" one class, blanks missing). `seed` makes the KLL sketch deterministic.
 */
export function labelSummary(outputKind: OutputKind, labels: Iterable<Label>, edges: readonly number[] | null, seed: number): FeatureSummary {
  if (outputKind !== 'regression') {
    const s = new CategoricalSummary();
    // As the realized metrics read classes (metrics/labels.ts): 1, "1" and "1.0", or "yes" and " yes", are one class.
    for (const l of labels) s.addClass(l === null || isMissing(l) ? null : canonicalKey(l));
    return s;
  }
  const s = new NumericSummary(featureRandom(LABEL, seed), edges);
  for (const l of labels) s.add(labelNumber(l));
  return s;
}

/** The reference's label summary, from its labels: a regression model's binned on their own deciles (numpy.quantile, linear). */
export function referenceLabels(outputKind: OutputKind, labels: readonly Label[], seed: number): FeatureSummary {
  if (outputKind !== 'regression') return labelSummary(outputKind, labels, null, seed);
  const values = labels.map(labelNumber).filter((x): x is number => x !== null && Number.isFinite(x));
  const edges = decileEdges(Float64Array.from(values).sort());
  return labelSummary(outputKind, labels, edges, seed);
}

export function storeLabels(s: FeatureSummary): StoredLabels {
  return s instanceof NumericSummary ? { n: bytesToBase64(s.toBytes()) } : { c: s.toState() };
}

export function loadLabels(s: StoredLabels, seed: number): FeatureSummary {
  return 'n' in s ? NumericSummary.fromBytes(base64ToBytes(s.n), featureRandom(LABEL, seed)) : CategoricalSummary.fromState(s.c);
}

/** Whether a profile's `labels` field is a stored label summary (profiles are JSON from the store). */
export function isStoredLabels(x: unknown): x is StoredLabels {
  if (typeof x !== 'object' || x === null) return false;
  const o = x as Record<string, unknown>;
  return typeof o['n'] === 'string' || (typeof o['c'] === 'object' && o['c'] !== null);
}

/** A regression label as a number: a stored label is the text of one (a blank text is missing, not 0). */
function labelNumber(l: Label): number | null {
  return typeof l === 'string' ? (l.trim() === '' ? null : Number(l)) : l;
}
