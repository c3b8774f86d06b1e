import { sortedFinite } from '../stats/sorted.js';
import type { CategoricalSample, NumericalSample } from './types.js';

/** Builds a numerical sample from raw values; NaN, +-Infinity, null and undefined count as missing. */
export function numericalSample(values: ArrayLike<number | null | undefined>, typeMismatch = 0): NumericalSample {
  const nums = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    nums[i] = typeof v === 'number' ? v : NaN;
  }
  const sorted = sortedFinite(nums);
  return { kind: 'numerical', sorted, rows: values.length, missing: values.length - sorted.length, typeMismatch };
}

/** Builds a categorical sample from raw values; null, undefined and '' count as missing. */
export function categoricalSample(values: ArrayLike<string | null | undefined>): CategoricalSample {
  const counts = new Map<string, number>();
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || v === '') missing++;
    else counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return { kind: 'categorical', counts, rows: values.length, missing, typeMismatch: 0 };
}
