import { canonicalKey, isMissing } from '../metrics/labels.js';
import { decileEdges } from '../stats/binning.js';
import { base64ToBytes, bytesToBase64 } from './base64.js';
import { CategoricalSummary, DEFAULT_CATEGORY_CAP, type CategoricalSummaryState } from './categorical.js';
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
 * A classifier's labels are counted exactly, every class (not the first 200 met, a summary's cap, the rest in its
 * "other" bucket: the same shares met in another order compared as drift); on the reference's classes when `ref`
 * is given and folded some of its own into its "other" bucket: then a class the reference does not name is counted
 * in the bucket too, as the reference's would have been (else at most 200 classes it does not name are kept).
 */
export function labelSummary(outputKind: OutputKind, labels: Iterable<Label>, edges: readonly number[] | null, seed: number, ref?: FeatureSummary): FeatureSummary {
  if (outputKind !== 'regression') {
    const s = new CategoricalSummary(Number.MAX_SAFE_INTEGER);
    // As the realized metrics read classes (metrics/labels.ts): 1, "1" and "1.0", or "yes" and " yes", are one class.
    for (const l of labels) s.addClass(l === null || isMissing(l) ? null : canonicalKey(l));
    if (ref instanceof CategoricalSummary) {
      // Classes the reference does not name: all in the bucket when it has one; else kept, new classes are drift, but
      // at most DEFAULT_CATEGORY_CAP of them (the most frequent, ties by name), so that labels that are not classes (an
      // id sent as the label) cannot make an answer of a million categories.
      const unseen = [...s.counts].filter(([k]) => !ref.counts.has(k)).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      for (const [k, c] of unseen.slice(ref.other > 0 ? 0 : DEFAULT_CATEGORY_CAP)) {
        s.counts.delete(k);
        s.other += c;
      }
    }
    return CategoricalSummary.fromState({ ...s.toState(), cap: Math.max(ref instanceof CategoricalSummary ? ref.cap : DEFAULT_CATEGORY_CAP, s.counts.size) });
  }
  const s = new NumericSummary(featureRandom(LABEL, seed), edges);
  for (const l of labels) s.add(labelNumber(l));
  return s;
}

/**
 * The reference's label summary, from its labels: a regression model's binned on their own deciles (numpy.quantile,
 * linear); a classifier's class counts, every declared class (`classes`: how many the model declares) or the 200 most
 * frequent (ties by name: not the first met), the others in the "other" bucket.
 */
export function referenceLabels(outputKind: OutputKind, labels: readonly Label[], seed: number, classes = 0): FeatureSummary {
  if (outputKind !== 'regression') {
    const out = new CategoricalSummary(Math.max(DEFAULT_CATEGORY_CAP, classes));
    out.merge(labelSummary(outputKind, labels, null, seed) as CategoricalSummary);
    return out;
  }
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
