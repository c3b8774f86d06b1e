import type { WindowSummary } from '../core/summary/window.js';

export interface HealthFigures {
  events: number;
  throughputPerSecond: number;
  errorRate: number | null;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null; mean: number | null; max: number | null };
  /** Mean cost of the events that reported one (costUsd): events without a cost are not counted as free. */
  costPerInferenceUsd: number | null;
  costUsd: number;
  /** Events that reported a cost: what costPerInferenceUsd and costUsd are of. */
  costEvents: number;
}

/** System health over a merged summary covering `seconds` of wall time. */
export function healthOf(s: WindowSummary, seconds: number): HealthFigures {
  return {
    events: s.events,
    throughputPerSecond: seconds > 0 ? s.events / seconds : 0,
    errorRate: s.events > 0 ? s.errors / s.events : null,
    latencyMs: {
      p50: s.latencyQuantile(0.5), p95: s.latencyQuantile(0.95), p99: s.latencyQuantile(0.99),
      mean: s.latencyCount > 0 ? s.latencySum / s.latencyCount : null, max: s.latencyCount > 0 ? s.latencyMax : null,
    },
    costPerInferenceUsd: s.costCount > 0 ? s.costSum / s.costCount : null,
    costUsd: s.costSum,
    costEvents: s.costCount,
  };
}
