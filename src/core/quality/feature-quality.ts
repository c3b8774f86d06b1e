import type { FeatureQuality, FeatureSample } from '../drift/types.js';

/** Data-quality summary of one feature in the reference and current datasets. */
export function featureQuality(reference: FeatureSample, current: FeatureSample): FeatureQuality {
  let outOfRange = 0;
  if (reference.kind === 'numerical' && current.kind === 'numerical' && current.sorted.length > 0 && reference.sorted.length > 0) {
    const lo = reference.sorted[0] as number;
    const hi = reference.sorted[reference.sorted.length - 1] as number;
    let outside = 0;
    for (let i = 0; i < current.sorted.length && (current.sorted[i] as number) < lo; i++) outside++;
    for (let i = current.sorted.length - 1; i >= 0 && (current.sorted[i] as number) > hi; i--) outside++;
    outOfRange = outside / current.sorted.length;
  }
  return {
    missingReference: share(reference.missing, reference.rows),
    missingCurrent: share(current.missing, current.rows),
    outOfRange,
    typeMismatch: current.typeMismatch,
    constantReference: isConstant(reference),
    constantCurrent: isConstant(current),
  };
}

function share(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}

/** A column with at least one value whose non-missing values are all equal. */
export function isConstant(s: FeatureSample): boolean {
  if (s.kind === 'numerical') return s.sorted.length > 0 && s.sorted[0] === s.sorted[s.sorted.length - 1];
  let distinct = 0;
  for (const c of s.counts.values()) if (c > 0) distinct++;
  return distinct === 1;
}

export function nonMissingCount(s: FeatureSample): number {
  if (s.kind === 'numerical') return s.sorted.length;
  let n = 0;
  for (const c of s.counts.values()) n += c;
  return n;
}
