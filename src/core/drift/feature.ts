import { featureQuality, nonMissingCount } from '../quality/feature-quality.js';
import type { MethodOverrides } from './select.js';
import { numericalStats } from './numerical.js';
import { categoricalStats } from './categorical.js';
import { driftVerdict, type KindStats } from './verdict.js';
import type { FeatureDrift, FeatureSample } from './types.js';

/**
 * Drift of one feature from raw samples: all applicable statistics, the chosen method's score and
 * verdict, and quality. Missing values never reach the statistics; a side with no values left gives
 * score null, no drift, and a note.
 */
export function featureDrift(name: string, reference: FeatureSample, current: FeatureSample, overrides: MethodOverrides = {}): FeatureDrift {
  if (reference.kind !== current.kind) throw new Error(`feature ${name}: reference is ${reference.kind} but current is ${current.kind}`);
  const emptySide = nonMissingCount(reference) === 0 ? 'reference' : nonMissingCount(current) === 0 ? 'current' : null;
  let computed: KindStats | null = null;
  if (!emptySide) {
    if (reference.kind === 'numerical' && current.kind === 'numerical') computed = { kind: 'numerical', stats: numericalStats(reference.sorted, current.sorted) };
    else if (reference.kind === 'categorical' && current.kind === 'categorical') computed = { kind: 'categorical', stats: categoricalStats(reference.counts, current.counts) };
  }
  return driftVerdict(name, reference.kind, reference.rows, featureQuality(reference, current), computed, overrides, emptySide);
}
