import { withHead } from './head.js';
import { ref, type Schema } from './schema.js';

/** GET /v1/models/:name/segments; details and detailsTruncated with details=true only. */
export const SegmentsAnswer: Schema = withHead({
  segments: { type: 'array', items: { type: 'string', description: 'key=value[,key=value]' } },
  details: {
    type: 'array',
    items: {
      allOf: [ref('HealthFigures')],
      type: 'object', required: ['segment', 'driftedFeatures'],
      properties: {
        segment: { type: 'string' },
        driftedFeatures: { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'null' }], description: 'null without a reference' },
      },
    },
    description: 'the first 100 segments\' health and drifted features',
  },
  detailsTruncated: { type: 'boolean' },
}, ['details', 'detailsTruncated']);
