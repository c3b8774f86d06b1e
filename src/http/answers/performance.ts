import { withHead } from './head.js';
import { count, epochMs, numberOrNull, object, orNull, ref, type Schema } from './schema.js';


/** A CBPE estimate (monitoring/segment-estimates.ts Estimate); null without predictions, or no calibrated reference. */
export const Estimate: Schema = orNull(object({
  accuracy: numberOrNull, precision: numberOrNull, recall: numberOrNull, f1: numberOrNull,
  n: { type: 'integer', minimum: 0, description: 'predictions estimated' },
}, [], { description: 'multiclass: precision, recall and F1 are macro averages' }));

/** Set when the range held more labelled events than server.maxLabelledEvents: figures of a uniform sample. */
export const Sample: Schema = orNull(object({ rate: { type: 'number', exclusiveMinimum: 0, maximum: 1 }, labelledInRange: count }));

const labelDrift = { labelDrift: { anyOf: [ref('FeatureDrift'), { type: 'null' }], description: 'the labels against the reference\'s (named __label); null with labelDriftNote' }, labelDriftNote: { type: 'string' } };
const realized = { realized: { anyOf: [ref('MetricsResult'), { type: 'null' }], description: 'null without labelled events, or with realizedNote when the metrics refused them' }, realizedNote: { type: 'string' } };

/** Realized metrics, label coverage and delay, CBPE estimate and label drift of a range (monitoring/performance.ts PerformanceResult). */
export const PerformanceFigures: Schema = object({
  labelled: count,
  events: count,
  predictions: { ...count, description: 'events with a prediction (failed inferences have none)' },
  labelCoverage: { ...numberOrNull, description: 'labelled / predictions; null without predictions, or with labelCoverageNote' },
  labelCoverageNote: { type: 'string', description: 'why labelCoverage is null although the range has predictions: it starts before the events kept (retention.eventsDays)' },
  labelDelayMs: object({ p50: numberOrNull, p95: numberOrNull, max: numberOrNull }),
  ...realized,
  estimated: Estimate,
  estimatedNote: { type: 'string', description: 'why estimated is null although the range has predictions' },
  reference: { anyOf: [ref('MetricsResult'), { type: 'null' }], description: 'the reference\'s metrics (null without a labelled reference)' },
  ...labelDrift,
  bySegment: {
    anyOf: [{
      type: 'array',
      items: object({
        segment: { type: 'string' }, labelled: count, ...realized, estimated: Estimate, estimatedNote: { type: 'string' }, ...labelDrift,
      }, ['realizedNote', 'estimated', 'estimatedNote', 'labelDriftNote']),
    }, { type: 'null' }],
    description: 'every segment with traffic in the range; null with segments=false',
  },
  sampled: Sample,
}, ['labelCoverageNote', 'realizedNote', 'estimatedNote', 'labelDriftNote']);

/** GET /v1/models/:name/performance. */
export const PerformanceAnswer: Schema = withHead({ ...(PerformanceFigures['properties'] as Record<string, Schema>) }, ['labelCoverageNote', 'realizedNote', 'estimatedNote', 'labelDriftNote']);

/** One bucket of GET /performance/buckets (monitoring/performance-buckets.ts PerformanceBucket). */
export const PerformanceBucket: Schema = object({
  from: epochMs, to: epochMs, labelled: count,
  predictions: { ...count, description: 'events of the bucket with a prediction (failed inferences have none)' },
  labelCoverage: { ...numberOrNull, description: 'labelled / predictions; null without predictions, or with labelCoverageNote' },
  labelCoverageNote: { type: 'string', description: 'why labelCoverage is null although the bucket has predictions: it starts before the events kept (retention.eventsDays)' },
  ...realized, estimated: Estimate, estimatedNote: { type: 'string' }, ...labelDrift, sampled: Sample,
}, ['labelCoverageNote', 'realizedNote', 'estimatedNote', 'labelDriftNote']);

/** GET /v1/models/:name/performance/buckets. */
export const PerformanceBucketsAnswer: Schema = withHead({
  step: { type: 'integer', minimum: 60000, description: 'bucket size in ms: the step asked, rounded up to whole minutes (whole hours for a range answered in hours)' },
  buckets: { type: 'array', items: ref('PerformanceBucket'), maxItems: 1000 },
  reference: { anyOf: [ref('MetricsResult'), { type: 'null' }] },
});
