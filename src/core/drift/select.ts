import type { DriftMethod } from './method.js';
import type { FeatureKind } from './types.js';
import { getDriftMethod } from './registry.js';

/** Reference sizes up to this use a statistical test; larger ones a distance (Evidently's rule). */
export const SMALL_REFERENCE_ROWS = 1000;

export interface MethodChoice {
  method: DriftMethod;
  threshold: number;
  autoSelected: boolean;
}

export interface MethodOverrides {
  /** Method id requested for the run; applied to every feature kind it supports. */
  method?: string;
  /** Threshold requested for the run; applied to whatever method each feature uses. */
  threshold?: number;
}

/**
 * Default choice: numerical -> KS when the reference has <= 1000 rows, else normalised Wasserstein;
 * categorical -> chi-squared when <= 1000 rows, else Jensen-Shannon. A requested method that does not
 * apply to the feature's kind leaves the automatic choice in place (recorded as autoSelected).
 */
export function chooseMethod(kind: FeatureKind, referenceRows: number, overrides: MethodOverrides = {}): MethodChoice {
  let method: DriftMethod | undefined;
  let autoSelected = true;
  if (overrides.method !== undefined) {
    const requested = getDriftMethod(overrides.method);
    if (requested.kinds.includes(kind)) {
      method = requested;
      autoSelected = false;
    }
  }
  if (!method) {
    const small = referenceRows <= SMALL_REFERENCE_ROWS;
    method = getDriftMethod(kind === 'numerical' ? (small ? 'ks' : 'wasserstein') : small ? 'chisquare' : 'jensenshannon');
  }
  return { method, threshold: overrides.threshold ?? method.defaultThreshold, autoSelected };
}
