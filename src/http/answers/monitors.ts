import { RULE_KINDS, SEVERITIES } from '../../core/rules/types.js';
import { epochMs, numberOrNull, object, orNull, ref, type Schema } from './schema.js';

/** An evaluation of a monitor or an SLO (storage/alerts.ts EvaluationRecord). */
export const Evaluation: Schema = object({
  monitorId: { type: 'string' },
  at: { ...epochMs, description: 'the end of the window evaluated' },
  status: { type: 'string', description: 'ok, insufficient_data, pending, or the severity of the level crossed (warning, ticket, page, critical)' },
  value: numberOrNull,
  baseline: numberOrNull,
  threshold: numberOrNull,
  samples: { type: 'integer', minimum: 0 },
  change: numberOrNull,
  detail: { type: 'object', description: 'what was used: method, window, notes, alert state' },
}, ['change', 'detail']);

/**
 * A monitor as GET /v1/monitors shows it: its definition (window, delay and for as durations), its last evaluation and
 * why it is not evaluated (problem) or what is wrong though it is (warnings). A stored definition this release does not
 * accept may lack any of its fields: `id`, `last`, `problem` and `warnings` are always there.
 */
export const Monitor: Schema = object({
  id: { type: 'string' },
  model: { type: 'string' },
  name: { type: 'string' },
  metric: { type: 'string', description: 'metric id, with :FEATURE for a feature metric (drift:age)' },
  method: { type: 'string' },
  class: { type: 'string' },
  version: { type: 'string' },
  segment: { type: 'string' },
  window: { type: 'string', description: 'a duration: 1h' },
  delay: { type: 'string' },
  for: { type: 'string' },
  kind: { enum: [...RULE_KINDS] },
  direction: { enum: ['above', 'below'] },
  change: { type: 'string' },
  baseline: { type: 'object' },
  spc: { type: 'object' },
  levels: { type: 'array', items: { type: 'object', required: ['severity', 'threshold'], properties: { severity: { enum: [...SEVERITIES] }, threshold: { type: 'number' } } } },
  minSamples: { type: 'integer' },
  noData: { type: 'string' },
  labels: { type: 'object', additionalProperties: { type: 'string' } },
  runbookUrl: { type: 'string' },
  enabled: { type: 'boolean' },
  last: {
    ...orNull(object({
      at: epochMs, status: { type: 'string' }, value: numberOrNull, baseline: numberOrNull, threshold: numberOrNull,
      state: { type: 'string' }, activeSince: epochMs, firesAt: epochMs, pendingSeverity: { enum: [...SEVERITIES] },
    }, ['state', 'activeSince', 'firesAt', 'pendingSeverity'])),
    description: 'the last evaluation; null before the first',
  },
  problem: { ...orNull(object({ code: { enum: ['invalid', 'misconfigured'] }, message: { type: 'string' } })), description: 'why it is not evaluated; null when it is' },
  warnings: { type: 'array', items: { type: 'string' }, description: 'what is wrong with it though it is evaluated as stored (a level that can never be the verdict, of a monitor stored before audit 23); [] when nothing' },
}, ['model', 'name', 'metric', 'method', 'class', 'version', 'segment', 'window', 'delay', 'for', 'kind', 'direction', 'change', 'baseline', 'spc', 'levels', 'minSamples', 'noData', 'labels', 'runbookUrl', 'enabled']);

/** GET /v1/monitors. */
export const MonitorList: Schema = object({ monitors: { type: 'array', items: ref('Monitor') } });

/** GET, POST, DELETE of one monitor. */
export const MonitorAnswer: Schema = object({ monitor: ref('Monitor') });

/** GET /v1/monitors/:id/evaluations. */
export const EvaluationList: Schema = object({
  evaluations: { type: 'array', items: ref('Evaluation') },
  next: { type: ['integer', 'null'], description: 'when more evaluations of the range follow: the "from" of the rest (the last one\'s time + 1 ms); null when none' },
});
