import type { MetricValue } from './types.js';

/** scipy.stats.norm.ppf(0.975). */
export const Z975 = 1.959963984540054;

/**
 * Wilson score interval for a proportion `successes / n`:
 * (p + z²/2n ± z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n). Null when n = 0.
 */
export function wilsonInterval(successes: number, n: number, z: number = Z975): [number, number] | null {
  if (n <= 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return [Math.max(0, center - half), Math.min(1, center + half)];
}

/** A proportion metric with its Wilson interval; `value` is the (sklearn) point estimate. */
export function wilsonMetric(value: number, successes: number, n: number, emptyNote: string): MetricValue {
  const ci = wilsonInterval(successes, n);
  if (ci === null) return { value, ci: null, ciMethod: 'wilson', note: emptyNote };
  return { value, ci, ciMethod: 'wilson' };
}
