import { epochMs, object, ref, type Schema } from './schema.js';

/** GET /v1/overview: the figures of every version of a page of models. */
export const OverviewAnswer: Schema = object({
  segment: { type: 'string', description: 'the segment filter as a stored segment key (k=v&k2=v2, keys sorted, values URI-encoded); "" for the whole traffic' },
  from: epochMs,
  to: epochMs,
  requested: object({ from: epochMs, to: epochMs }),
  rows: {
    type: 'array',
    items: object({
      model: { type: 'string' },
      version: { type: 'string' },
      health: ref('HealthFigures'),
      drift: {
        anyOf: [object({
          datasetDrift: ref('DatasetDrift'), driftedFeatures: { type: 'array', items: { type: 'string' } },
          skipped: { type: 'array', items: object({ name: { type: 'string' }, reason: { type: 'string' } }), description: 'features whose column the reference lacks (not measured), as /drift\'s skipped' },
        }), { type: 'null' }],
        description: 'null without a reference (or with driftError)',
      },
      driftError: { type: 'string' },
      performance: { anyOf: [ref('PerformanceFigures'), { type: 'null' }], description: 'with performance=true only (null with performanceError)' },
      performanceError: { type: 'string' },
    }, ['driftError', 'performance', 'performanceError']),
  },
  next: { type: ['string', 'null'], description: 'cursor of the next page (as after); null on the last' },
});
