import { epochMs, nextPage, object, orNull, ref, type Schema } from './schema.js';

const STATES = ['running', 'promoted', 'rolled_back', 'paused'];
const POLICIES = ['canary', 'shadow', 'blue-green'];
const CHECKS = ['errorRate', 'latencyP95', 'disagreement', 'drift', 'estimatedPerformance'];

/** One step's analysis (core/rollout/analysis.ts Analysis, rollout/spec.ts StepAnalysis). */
const stepAnalysis: Schema = object({
  step: { type: 'integer', minimum: 0 }, weight: { type: 'number' }, at: epochMs,
  pass: { type: 'boolean' }, fail: { type: 'boolean' }, insufficient: { type: 'boolean' },
  samples: object({ canary: { type: 'integer', minimum: 0 }, primary: { type: 'integer', minimum: 0 }, pairs: { type: 'integer', minimum: 0 } }),
  checks: {
    type: 'array',
    items: object({ name: { enum: CHECKS }, canary: { type: ['number', 'null'] }, primary: { type: ['number', 'null'] }, limit: { type: ['number', 'null'] }, pass: { type: 'boolean' }, detail: { type: 'string' } }, ['detail']),
  },
});

/** A rollout (rollout/spec.ts Rollout): its settings, defaults filled, and where it is. */
export const Rollout: Schema = object({
  id: { type: 'string' },
  model: { type: 'string' },
  alias: { type: 'string' },
  primary: { type: 'string' },
  candidate: { type: 'string' },
  policy: { enum: POLICIES },
  steps: { type: 'array', items: { type: 'number' }, description: 'candidate traffic percentages' },
  stepDurationMs: { type: 'number' },
  maxStepDurationMs: { type: 'number' },
  bakeMs: { type: 'number' },
  stickyKey: { type: 'string' },
  analysis: { type: 'object', description: 'the analysis settings (docs/gateway.md)', additionalProperties: { type: 'number' } },
  slo: object({ maxErrorRate: { type: 'number' }, errorRateAlpha: { type: 'number' }, maxP95Ms: { type: 'number' }, minSamples: { type: 'number' } }),
  step: { type: 'integer', minimum: 0, description: 'the index of the current step in steps' },
  weight: { type: 'number', description: 'the candidate\'s traffic share now, in percent' },
  state: { enum: STATES },
  stepStartedAt: epochMs,
  createdAt: epochMs,
  updatedAt: epochMs,
  by: { type: 'string' },
  reason: { type: 'string' },
  promotedAt: { type: ['integer', 'null'] },
  endedAt: { type: ['integer', 'null'] },
  endReason: { type: ['string', 'null'], description: 'why it was rolled back' },
  analyses: { type: 'array', items: stepAnalysis },
  stepLooks: { type: 'array', items: { type: 'number' } },
  lastError: object({ at: epochMs, message: { type: 'string' } }),
  blocked: { type: 'string', description: 'GET .../rollout, a running rollout whose candidate (or model) is paused: it gets no traffic, and what then happens (audit 29)' },
}, ['stickyKey', 'stepLooks', 'lastError', 'blocked']);

/** GET /v1/models/:name/rollout: the current or most recent rollout (null: never one). POST: the rollout started (201); abort: the rollout ended. */
export const RolloutAnswer: Schema = object({ rollout: orNull(ref('Rollout')) });

/** POST .../rollout/pause|resume. */
export const RolloutChange: Schema = object({ rollout: ref('Rollout'), changed: { type: 'boolean', description: 'false when it was already so' } });

/** GET /v1/models/:name/rollouts: a page of the model's rollouts, newest first (rollout/history.ts RolloutSummary). */
export const RolloutPage: Schema = object({
  rollouts: {
    type: 'array',
    items: object({
      id: { type: 'string' }, policy: { enum: POLICIES }, primary: { type: 'string' }, candidate: { type: 'string' }, state: { enum: STATES },
      steps: { type: 'array', items: { type: 'number' } }, stepReached: { type: 'integer', minimum: 1 }, stepsTotal: { type: 'integer', minimum: 1 },
      weightReached: { type: 'number' }, by: { type: 'string' }, reason: { type: 'string' }, createdAt: epochMs,
      promotedAt: { type: ['integer', 'null'] }, endedAt: { type: ['integer', 'null'] }, endReason: { type: ['string', 'null'] },
    }),
  },
  next: nextPage('before'),
});

/** POST /v1/rollouts/tick: one evaluation round of every running rollout. */
export const TickAnswer: Schema = object({
  ok: { type: 'boolean', description: 'true when no rollout\'s evaluation failed' },
  errors: { type: 'array', items: object({ model: { type: 'string' }, rollout: { type: 'string' }, message: { type: 'string' } }) },
});

/** POST /v1/models/:name/compare (registry/promote.ts Comparison): the paired comparison on a test set, and the gate's verdict. */
export const Comparison: Schema = object({
  current: { type: 'string' },
  candidate: { type: 'string' },
  comparison: object({
    task: { enum: ['binary', 'multiclass', 'regression'] },
    n: { type: 'integer', minimum: 0, description: 'rows used' },
    excluded: { type: 'integer', minimum: 0 },
    seed: { type: 'integer' },
    resamples: { type: 'integer', minimum: 0 },
    positiveLabel: { type: ['string', 'number'] },
    metrics: {
      type: 'array',
      items: object({
        metric: { type: 'string' }, higherIsBetter: { type: 'boolean' }, a: { type: ['number', 'null'] }, b: { type: ['number', 'null'] },
        delta: { ...ref('MetricValue'), description: 'b - a with its paired bootstrap interval' },
      }),
    },
  }, ['positiveLabel']),
  gate: object({
    pass: { type: 'boolean' }, metric: { type: 'string' }, current: { type: ['number', 'null'] }, candidate: { type: ['number', 'null'] },
    improvement: { type: ['number', 'null'], description: 'candidate minus current, positive is better' },
    improvementCi: orNull({ type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 }),
    minImprovement: { type: 'number' }, requireSignificant: { type: 'boolean' }, reason: { type: 'string' },
  }),
});

/** POST /v1/models/:name/promote: the alias moved, with the comparison that passed its gate (null: none was made). */
export const PromoteAnswer: Schema = object({
  alias: { type: 'string' },
  version: { type: 'string' },
  previous: { type: ['string', 'null'] },
  comparison: orNull(ref('Comparison')),
});
