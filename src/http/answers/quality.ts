import { withHead } from './head.js';
import { count, numberOrNull, object, type Schema } from './schema.js';


/** GET /v1/models/:name/quality: per feature missing rates, out-of-range share, new categories; rejected rows by code. */
export const QualityAnswer: Schema = withHead({
  events: count,
  rejected: count,
  rejectedByCode: { type: 'object', additionalProperties: count },
  features: {
    type: 'array',
    items: object({
      name: { type: 'string' },
      kind: { enum: ['numerical', 'categorical'] },
      count,
      missing: count,
      missingRate: { ...numberOrNull, description: 'null without events' },
      missingRateReference: { ...numberOrNull, description: 'null without a reference' },
      outOfRange: { ...numberOrNull, description: 'null without a value in the range, or without a reference' },
      newCategories: { type: 'array', items: { type: 'string' } },
      newCategoryRate: numberOrNull,
      constant: { type: ['boolean', 'null'] },
    }),
  },
});
