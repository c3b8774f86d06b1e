import { SEVERITIES } from '../../core/rules/types.js';
import { epochMs, nextPage, object, ref, type Schema } from './schema.js';

/** An alert (storage/alerts.ts AlertRecord). */
export const Alert: Schema = object({
  id: { type: 'string' },
  fingerprint: { type: 'string' },
  monitorId: { type: 'string' },
  model: { type: 'string' },
  version: { type: ['string', 'null'] },
  severity: { enum: [...SEVERITIES] },
  state: { enum: ['open', 'acknowledged', 'resolved'] },
  falsePositive: { type: 'boolean' },
  labels: { type: 'object', additionalProperties: { type: 'string' } },
  startsAt: epochMs,
  endsAt: { type: ['integer', 'null'], description: 'null while open or acknowledged' },
  updatedAt: epochMs,
  acknowledgedBy: { type: 'string' },
  resolvedBy: { type: 'string' },
  note: { type: 'string' },
  silenced: { type: 'boolean' },
  inhibited: { type: 'boolean' },
  context: { type: 'object', description: 'what the monitor saw (value, threshold, ...); a monitor\'s alert has segments, the most affected segments [{segment, value, overflow?}], overflow: true for the segment holding the events of segments past ingest.maxSegmentsPerModel (values "__other__")' },
}, ['acknowledgedBy', 'resolvedBy', 'note']);

/** GET /v1/alerts. */
export const AlertList: Schema = object({ alerts: { type: 'array', items: ref('Alert') }, next: nextPage('before') });

/** GET /v1/alerts/:id and the lifecycle operations (ack, resolve, false-positive). */
export const AlertAnswer: Schema = object({ alert: ref('Alert') });

/** POST /v1/alerts: the alert raised, or the open one of the same source and labels it was deduplicated into (null when neither is). */
export const RaisedAlert: Schema = object({ alert: { anyOf: [ref('Alert'), { type: 'null' }] } });

/** A silence (storage/alerts.ts SilenceRecord), whether it mutes now and its state. */
export const Silence: Schema = object({
  id: { type: 'string' },
  matchers: {
    type: 'array', minItems: 1,
    items: object({ name: { type: 'string' }, value: { type: 'string' }, isRegex: { const: true }, isNegative: { const: true } }, ['isRegex', 'isNegative']),
  },
  startsAt: epochMs,
  endsAt: epochMs,
  createdBy: { type: 'string' },
  comment: { type: 'string' },
  createdAt: epochMs,
  active: { type: 'boolean', description: 'startsAt <= now < endsAt' },
  state: { enum: ['pending', 'active', 'expired'], description: 'pending before startsAt, active until endsAt, expired from endsAt on' },
});

/** GET /v1/silences. */
export const SilenceList: Schema = object({ silences: { type: 'array', items: ref('Silence') }, next: nextPage('before') });

/** POST /v1/silences, DELETE /v1/silences/:id (expired now, kept). */
export const SilenceAnswer: Schema = object({ silence: ref('Silence') });
