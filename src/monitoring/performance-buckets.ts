import type { MetricsResult } from '../core/metrics/index.js';
import type { LabelledOutcome, ModelRecord } from '../storage/types.js';
import type { FeatureDrift } from '../core/drift/types.js';
import type { VersionContext } from './catalog.js';
import { labelDriftOf } from './label-drift.js';
import { beforeEventsKept, beforeKept, labelCoverageOf, positiveClass, predictionCount, realizedWithNote, sampleOf, type EventsRetention, type Sample } from './performance.js';
import type { PerformanceCache } from './performance-cache.js';
import { segmentMatches } from './segment-match.js';
import { estimateNote, estimateOf, type Estimate } from './segment-estimates.js';
import type { WindowSummary } from '../core/summary/window.js';

/** Most buckets one request may ask for. */
export const MAX_BUCKETS = 1000;

export interface PerformanceBucket {
  from: number;
  to: number;
  labelled: number;
  /** As in GET /performance: events of the bucket with a prediction (its window summaries'). */
  predictions: number;
  /** As in GET /performance: labelled / predictions; null without predictions, or with labelCoverageNote. */
  labelCoverage: number | null;
  /** As in GET /performance: why labelCoverage is null although the bucket has predictions (it starts before the events kept, retention.eventsDays). */
  labelCoverageNote?: string;
  realized: MetricsResult | null;
  /** As in GET /performance: the CBPE estimate from the window summaries of the bucket's range (null without predictions). */
  estimated: Estimate;
  /** As in GET /performance: why `estimated` is null although the bucket has predictions. */
  estimatedNote?: string;
  /** As in GET /performance: why realized is null although events are labelled. */
  realizedNote?: string;
  /** As in GET /performance: the label drift of the bucket's labelled events (null with labelDriftNote when none). */
  labelDrift: FeatureDrift | null;
  labelDriftNote?: string;
  /** As in GET /performance: set when the bucket holds more labelled events than a read holds (then of a sample). */
  sampled: Sample | null;
}

export interface BucketOptions {
  segment: string;
  /** Only these realized metrics (undefined: all of the model's task). */
  metrics?: readonly string[];
  /** Bootstrap CIs (default true). */
  ci?: boolean;
  /** The merged window summaries of [from, to) of the segment, for each bucket's CBPE estimate. */
  summaries: (from: number, to: number) => Promise<WindowSummary>;
  /**
   * retention.eventsDays (undefined: events are kept): a bucket starting before the events kept has labelCoverage null
   * with a note, as GET /performance. Required: buckets are cached per range, whoever computed them first (warm-up).
   */
  retention: EventsRetention | undefined;
}

/**
 * [from, to) cut into buckets of `step` ms aligned to multiples of step since the epoch, the first and last clipped to
 * the range: a range not aligned to step starts with a partial bucket [from, next multiple) and ends with one up to
 * `to`, so no bucket counts events outside the range asked for.
 */
export function bucketRanges(from: number, to: number, step: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let t = Math.floor(from / step) * step; t < to; t += step) out.push([Math.max(t, from), Math.min(t + step, to)]);
  return out;
}

/**
 * Realized metrics and the CBPE estimate per aligned bucket (the first and last clipped to the range), for charts:
 * what GET /performance?segments=false answers for each bucket's range (same labelled events, same seed, same
 * bootstrap, same window summaries), in one request. The labelled events of the
 * whole span are read once (the performance cache slices them per bucket) and each bucket's result is kept
 * per bucket range, so a chart opened again a minute later reuses every bucket no write has touched.
 */
export async function performanceBuckets(perf: PerformanceCache, m: ModelRecord, v: VersionContext, from: number, to: number, step: number, opts: BucketOptions): Promise<PerformanceBucket[]> {
  const ranges = bucketRanges(from, to, step);
  const first = ranges[0];
  const last = ranges.at(-1);
  if (!first || !last) return [];
  const ci = opts.ci !== false;
  const id = `bucket\u0000${opts.segment}\u0000${opts.metrics?.join(',') ?? ''}\u0000${ci}`;
  const whole = await perf.labelled(m.name, v.record.version, first[0], last[1]); // one read for all buckets
  // One positive class for every bucket (a binary model without declared classes: that of the whole range's labelled events).
  const positive = positiveClass(m, v, whole.events);
  const key = `${id}\u0000${positive ?? ''}`;
  return Promise.all(ranges.map(([bf, bt]) => perf.result(v, bf, bt, key, async (): Promise<PerformanceBucket> => {
    const all = await perf.labelled(m.name, v.record.version, bf, bt);
    const events: readonly LabelledOutcome[] = opts.segment === '' ? all.events : all.events.filter((l) => segmentMatches(l.event.segment, opts.segment));
    const summary = await opts.summaries(bf, bt);
    const estimated = estimateOf(summary);
    const note = estimateNote(v, summary);
    const predictions = predictionCount(summary);
    const bucket: PerformanceBucket = {
      from: bf, to: bt, labelled: events.length, predictions, labelCoverage: labelCoverageOf(events.length, all.rate, predictions),
      ...realizedWithNote(m, v, events, 0, ci ? 200 : 0, opts.metrics, positive), estimated, ...(note !== undefined && { estimatedNote: note }), ...labelDriftOf(m, v, events), sampled: sampleOf(all),
    };
    // Audit 24: a bucket before the events kept had only `labelled: 0` beside its predictions (a chart read 0 coverage).
    const kept = beforeKept(opts.retention, bf, bt);
    return kept ? beforeEventsKept(bucket, kept) : bucket;
  })));
}
