import { knownDriftMethods } from '../../core/drift/registry.js';
import { withHead } from './head.js';
import { epochMs, numberOrNull, object, type Schema } from './schema.js';

const granularity: Schema = { enum: ['minute', 'hour', 'day'], description: 'the windows\' size (minute asked before the minute windows\' retention is answered at hour)' };

/** The drift method and threshold of a drift series (drift:FEATURE, predictionDrift). */
const seriesMethod = {
  method: { enum: knownDriftMethods() },
  threshold: { type: 'number' },
  autoSelected: { type: 'boolean', description: 'given when ?method= or ?threshold= was' },
};

/** GET /v1/models/:name/timeseries: one point per window. */
export const TimeseriesAnswer: Schema = withHead({
  metric: { type: 'string' },
  ...seriesMethod,
  granularity,
  points: {
    type: 'array',
    items: object({
      t: { ...epochMs, description: 'the window\'s start' },
      value: { ...numberOrNull, description: 'null when the window has no value (no events, no reference, ...)' },
      events: { type: 'integer', minimum: 0 },
      from: { ...epochMs, description: 'a first or last hour/day point clipped to the range: the part it covers' },
      to: epochMs,
    }, ['from', 'to']),
  },
}, ['method', 'threshold', 'autoSelected'], 'method and threshold are given for a drift series (drift:FEATURE, predictionDrift) with a reference');

/** GET /v1/models/:name/series: several metrics on the same windows. */
export const SeriesAnswer: Schema = object({
  model: { type: 'string' }, version: { type: 'string' }, segment: { type: 'string' },
  granularity,
  t: { type: 'array', items: epochMs, description: 'the windows\' starts' },
  events: { type: 'array', items: { type: 'integer', minimum: 0 }, description: 'per window' },
  series: { type: 'object', additionalProperties: { type: 'array', items: numberOrNull }, description: 'per metric asked for, one value per window' },
  methods: { type: 'object', additionalProperties: object(seriesMethod, ['autoSelected']), description: 'per drift series: its method and threshold' },
  clipped: { type: 'array', items: object({ t: epochMs, from: epochMs, to: epochMs }), description: 'hour and day points clipped to the range (absent when none is)' },
}, ['clipped']);
