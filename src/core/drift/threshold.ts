import type { DriftMethod } from './method.js';
import { getDriftMethod, knownDriftMethods } from './registry.js';
import { chooseMethod, type MethodOverrides } from './select.js';
import type { FeatureKind } from './types.js';

/**
 * The thresholds that mean something for a method: a p-value threshold in (0, 1] (above 1 every feature drifts, at 0
 * none can); a distance threshold above 0 (at 0 or below every feature drifts, even an identical one) and at most
 * the largest score the distance can take (Jensen-Shannon base 2 and Hellinger: 1; above it none can drift).
 */
export function thresholdRange(m: DriftMethod): { min: number; max: number } {
  return { min: 0, max: m.scoreType === 'pValue' ? 1 : (m.maxScore ?? Infinity) };
}

export function fitsThreshold(m: DriftMethod, threshold: number): boolean {
  const { min, max } = thresholdRange(m);
  return Number.isFinite(threshold) && threshold > min && threshold <= max;
}

/** "(0, 1]" or "> 0": the valid thresholds of a method, as error messages give them. */
export function describeRange(m: DriftMethod): string {
  const { max } = thresholdRange(m);
  return `${m.scoreType === 'pValue' ? 'a p-value' : 'a distance'} ${max === Infinity ? '> 0' : `in (0, ${max}]`}`;
}

/** Every registered method with its valid thresholds, e.g. "ks: a p-value in (0, 1]; psi: a distance > 0; ...". */
export function validThresholds(): string {
  return knownDriftMethods().map((id) => `${id}: ${describeRange(getDriftMethod(id))}`).join('; ');
}

/**
 * Why `threshold` means nothing for a method it would apply to (null when it fits them all). The threshold of a run
 * applies to whatever method each feature uses: the requested one where it fits the feature's kind, else the automatic
 * one (by kind and reference rows), so every method of `kinds` is checked.
 */
export function thresholdProblem(threshold: number, kinds: readonly FeatureKind[], referenceRows: number, overrides: Pick<MethodOverrides, 'method'> = {}): { message: string; methods: string[] } | null {
  const used = new Map<string, DriftMethod>();
  for (const k of new Set(kinds)) {
    const m = chooseMethod(k, referenceRows, overrides).method;
    used.set(m.id, m);
  }
  const bad = [...used.values()].filter((m) => !fitsThreshold(m, threshold));
  if (bad.length === 0) return null;
  const what = bad.map((m) => `${m.id} (${describeRange(m)})`).join(' and ');
  return { message: `threshold ${threshold} does not fit drift method ${what}; valid thresholds: ${validThresholds()}`, methods: bad.map((m) => m.id) };
}
