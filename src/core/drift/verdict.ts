import { isDrifted } from './method.js';
import { chooseMethod, type MethodOverrides } from './select.js';
import type { CategoricalStats, DriftStats, FeatureDrift, FeatureKind, FeatureQuality, NumericalStats } from './types.js';

export type KindStats = { kind: 'numerical'; stats: NumericalStats } | { kind: 'categorical'; stats: CategoricalStats };

/**
 * Turns computed statistics into a feature verdict: the method chosen for the kind and reference size
 * (or requested), its score and threshold, and whether it drifted. `computed` is null when one side has
 * no values (`emptySide` names it): no verdict then.
 */
export function driftVerdict(
  name: string,
  kind: FeatureKind,
  referenceRows: number,
  quality: FeatureQuality,
  computed: KindStats | null,
  overrides: MethodOverrides,
  emptySide: 'reference' | 'current' | null,
): FeatureDrift {
  const choice = chooseMethod(kind, referenceRows, overrides);
  const stats: DriftStats = { quality };
  const base = { name, kind, method: choice.method.id, threshold: choice.threshold, autoSelected: choice.autoSelected };
  if (computed === null) {
    return { ...base, score: null, drifted: false, stats, note: `no non-missing values in ${emptySide ?? 'one of the datasets'}` };
  }
  Object.assign(stats, computed.stats);
  const score = computed.kind === 'numerical' ? (choice.method.numerical?.(computed.stats) ?? null) : (choice.method.categorical?.(computed.stats) ?? null);
  if (score === null) {
    // Only normalised Wasserstein can be undefined: a constant reference (std 0) and a current that differs.
    return { ...base, score: null, drifted: true, stats, note: 'reference is constant (std 0) and current differs: drift without a finite normalised score' };
  }
  const drifted = isDrifted(choice.method, score, choice.threshold);
  if (!Number.isFinite(score)) {
    // A distance past float64's range (scipy: inf), e.g. a normalised Wasserstein of values near 1e308: JSON writes it null.
    return { ...base, score, drifted, stats, note: `the ${choice.method.id} score is ${String(score)} in float64 (values too large for it; scipy gives inf too): JSON writes it as null` };
  }
  return { ...base, score, drifted, stats };
}
