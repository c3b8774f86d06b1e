import { withHead } from './head.js';
import { count, object, ref, type Schema } from './schema.js';

/** GET /v1/models/:name/segments; details and detailsTruncated with details=true only. */
export const SegmentsAnswer: Schema = withHead({
  segments: { type: 'array', items: { type: 'string', description: 'a stored segment key: key=value[&key=value], keys sorted, keys and values URI-encoded' } },
  overflow: object({
    segments: { type: 'array', items: { type: 'string' }, description: 'the listed segments whose values are all "__other__"' },
    maxSegmentsPerModel: { type: 'integer', minimum: 1, description: 'the server\'s ingest.maxSegmentsPerModel' },
    events: { ...count, description: 'events of those segments in the range' },
  }, [], { description: 'when a listed segment holds the events of the segments past the model\'s limit of distinct segments (ingest.maxSegmentsPerModel)' }),
  details: {
    type: 'array',
    items: {
      allOf: [ref('HealthFigures')],
      type: 'object', required: ['segment', 'driftedFeatures'],
      properties: {
        segment: { type: 'string' },
        driftedFeatures: { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'null' }], description: 'null without a reference' },
        overflow: { const: true, description: 'on the segment of the events past ingest.maxSegmentsPerModel only' },
      },
    },
    description: 'the first 100 segments\' health and drifted features',
  },
  detailsTruncated: { type: 'boolean' },
}, ['overflow', 'details', 'detailsTruncated']);
