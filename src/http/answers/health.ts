import { withHead } from './head.js';
import { epochMs, numberOrNull, object, type Schema } from './schema.js';

/** System health of a range (monitoring/health.ts HealthFigures): the figures /health, /segments?details and /v1/overview give. */
export const HealthFigures: Schema = object({
  events: { type: 'integer', minimum: 0 },
  throughputPerSecond: { type: 'number', minimum: 0, description: 'events per second over the range (of a range still running, the part that has passed)' },
  errorRate: { ...numberOrNull, description: 'failed inferences / events; null without events' },
  latencyMs: object({ p50: numberOrNull, p95: numberOrNull, p99: numberOrNull, mean: numberOrNull, max: numberOrNull }, [], { description: 'null without events reporting a latency' }),
  costPerInferenceUsd: { ...numberOrNull, description: 'costUsd / costEvents; null when no event reported a cost' },
  costUsd: { type: 'number', minimum: 0 },
  costEvents: { type: 'integer', minimum: 0, description: 'events that reported a costUsd' },
});

/** GET /v1/models/:name/health. */
export const HealthAnswer: Schema = withHead({ ...(HealthFigures['properties'] as Record<string, Schema>) });

/** GET /healthz: the server answers and its store accepts writes (else 503 unavailable). */
export const Healthz: Schema = object({
  status: { const: 'ok' },
  version: { type: 'string', description: 'the server\'s release' },
  store: { enum: ['duckdb', 'postgres'] },
  time: { ...epochMs, description: 'the server\'s clock' },
});
