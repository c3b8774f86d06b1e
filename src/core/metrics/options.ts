/** Input checks and defaults shared by the three tasks. */
import { DEFAULT_RESAMPLES } from './bootstrap.js';
import { MetricsInputError, undefinedMetric, type MetricValue } from './types.js';

export interface BootstrapSettings {
  seed: number;
  resamples: number;
}

export function bootstrapSettings(seed: number | undefined, resamples: number | undefined): BootstrapSettings {
  const s = seed ?? 0;
  const r = resamples ?? DEFAULT_RESAMPLES;
  if (!Number.isInteger(s)) throw new MetricsInputError(`seed must be an integer, got ${String(seed)}`);
  if (!Number.isInteger(r) || r < 0) throw new MetricsInputError(`resamples must be a non-negative integer, got ${String(resamples)}`);
  return { seed: s, resamples: r };
}

export function checkLength(name: string, actual: number, expected: number): void {
  if (actual !== expected) {
    throw new MetricsInputError(`${name} has ${actual} rows but labels has ${expected}`);
  }
}

/** Every named metric undefined with the same reason. */
export function allUndefined(names: readonly string[], note: string): Record<string, MetricValue> {
  const out: Record<string, MetricValue> = {};
  for (const name of names) out[name] = undefinedMetric(note);
  return out;
}

export function describe(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}
