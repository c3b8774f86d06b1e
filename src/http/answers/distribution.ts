import { count, epochMs, numberOrNull, object, type Schema } from './schema.js';

const head = { model: { type: 'string' }, version: { type: 'string' }, feature: { type: 'string' }, segment: { type: 'string' }, from: epochMs, to: epochMs };
const numericSide: Schema = object({ shares: { type: 'array', items: { type: 'number' } }, count, missing: count, min: numberOrNull, max: numberOrNull });

/** GET /v1/models/:name/features/:feature/distribution: reference vs current shares per bin or per category. */
export const DistributionAnswer: Schema = {
  oneOf: [
    object({ ...head, kind: { const: 'numerical' }, edges: { type: 'array', items: { type: 'number' }, description: '31 equal-width edges ([] when neither side has a value)' }, reference: numericSide, current: numericSide }),
    object({
      ...head,
      kind: { const: 'categorical' },
      categories: {
        type: 'array',
        items: object({ name: { type: 'string' }, reference: { type: 'number' }, current: { type: 'number' }, isNew: { type: 'boolean' }, other: { const: true, description: 'the bucket of the categories beyond the cap (named __other__)' } }, ['other']),
      },
      reference: object({ count, missing: count }),
      current: object({ count, missing: count }),
    }),
  ],
};
