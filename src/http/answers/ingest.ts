import { object, type Schema } from './schema.js';

const index: Schema = { type: 'integer', minimum: 0, description: 'the row\'s position in the batch' };

/** A batch's answer: counts and one result per row, in the batch's order. */
function batchAnswer(rejected: Schema, what: string, optional: Record<string, Schema> = {}): Schema {
  return object({
    accepted: { type: 'integer', minimum: 0 },
    rejected: { type: 'integer', minimum: 0 },
    results: {
      type: 'array',
      items: { oneOf: [object({ index, id: { type: 'string', description: `the ${what}'s id${what === 'event' ? ' (assigned when absent)' : ''}` }, status: { const: 'accepted' } }, [], { additionalProperties: false }), rejected] },
    },
    ...optional,
  }, Object.keys(optional));
}

/** A warning of fields of accepted rows that are not a row's (audit 29). */
const unknownFieldWarning: Schema = object({
  code: { const: 'unknown_field' }, message: { type: 'string' },
  details: object({ model: { type: 'string' }, keys: { type: 'array', items: { type: 'string' } }, rows: { type: 'integer', minimum: 1 }, fields: { type: 'array', items: { type: 'string' } } }),
});

/** POST /v1/events. */
export const EventsAnswer: Schema = batchAnswer(object({
  index,
  id: { type: 'string' },
  status: { const: 'rejected' },
  code: { type: 'string', description: 'why (docs/events.md): schema_violation, duplicate_id, ...' },
  message: { type: 'string' },
  details: {},
}, ['id', 'details']), 'event', {
  warnings: {
    type: 'array', description: 'present when accepted rows name segment keys their model does not declare (audit 28), or have fields that are not an event\'s (audit 29): ignored',
    items: { oneOf: [
      object({
        code: { const: 'undeclared_segment_key' }, message: { type: 'string' },
        details: object({ model: { type: 'string' }, keys: { type: 'array', items: { type: 'string' } }, rows: { type: 'integer', minimum: 1 }, segmentKeys: { type: 'array', items: { type: 'string' } } }),
      }),
      unknownFieldWarning,
    ] },
  },
});

/** POST /v1/labels. */
export const LabelsAnswer: Schema = batchAnswer(object({
  index,
  id: { type: 'string' },
  status: { const: 'rejected' },
  code: { enum: ['forbidden_key', 'invalid_label', 'invalid_id', 'unknown_prediction', 'model_mismatch', 'duplicate_in_batch'] },
  message: { type: 'string' },
}, ['id']), 'label', {
  warnings: { type: 'array', description: 'present when accepted rows have fields that are not a label row\'s (ignored; audit 29)', items: unknownFieldWarning },
});
