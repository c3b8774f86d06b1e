import { knownDriftMethods } from '../core/drift/registry.js';
import type { Granularity } from '../storage/types.js';
import type { VersionContext } from '../monitoring/catalog.js';
import { chosenDriftSeries, MAX_COMPUTED_WINDOWS, type ChosenDriftSeries } from '../monitoring/series-method.js';
import { seriesDriftMethod } from '../monitoring/timeseries.js';
import { ApiError } from './errors.js';
import { thresholdParam } from './params.js';
import { didYouMean } from '../core/text/closest.js';

/** A 400 for a `method` query parameter naming no drift method: the known ones, and the one meant. */
export function checkDriftMethod(method: string | undefined): void {
  if (method !== undefined && !knownDriftMethods().includes(method)) throw new ApiError('bad_request', `unknown drift method "${method.slice(0, 100)}"; known methods: ${knownDriftMethods().join(', ')}${didYouMean(method, knownDriftMethods())}`);
}

/** `method` and `threshold` of GET /timeseries and /series, checked (given once, a known method); null when neither is given. */
export function askedSeriesMethod(q: Record<string, unknown>): { method?: string; threshold?: number; raw: unknown } | null {
  if (q['method'] === undefined && q['threshold'] === undefined) return null;
  for (const k of ['method', 'threshold']) if (q[k] !== undefined && typeof q[k] !== 'string') throw new ApiError('bad_request', `${k} must be given once`);
  const method = q['method'] as string | undefined;
  checkDriftMethod(method);
  return { ...(method !== undefined && { method }), ...(q['threshold'] !== undefined && { threshold: thresholdParam(q['threshold']) }), raw: q['threshold'] };
}

/** One drift series computed with the method/threshold asked for (askedSeriesMethod), or a 400 naming the metric. */
export function chosenSeriesOrThrow(asked: { method?: string; threshold?: number; raw: unknown }, metric: string, v: VersionContext, seconds: number): ChosenDriftSeries {
  const c = chosenDriftSeries(metric, v, seconds, asked.method, asked.threshold);
  if (typeof c === 'string') throw new ApiError('bad_request', c, { metric, ...(asked.method !== undefined && { method: asked.method }), ...(asked.threshold !== undefined && { threshold: asked.raw }) });
  return c;
}

/** `method` and `threshold` of GET /timeseries (null when neither is given): a drift series computed with them, or a 400. */
export function seriesMethodParams(q: Record<string, unknown>, metric: string, v: VersionContext, seconds: number): ChosenDriftSeries | null {
  const asked = askedSeriesMethod(q);
  return asked ? chosenSeriesOrThrow(asked, metric, v, seconds) : null;
}

/**
 * `method` and `threshold` of GET /series, for each of its drift series (drift:FEATURE, predictionDrift) as /timeseries
 * takes them for one; its other metrics are not drift scores and are answered as without them. Empty when neither is
 * given; a 400 when none of the metrics is a drift series, or the method or threshold does not fit one of them.
 */
export function seriesMethodsParams(q: Record<string, unknown>, metrics: readonly string[], v: VersionContext, seconds: number): Map<string, ChosenDriftSeries> {
  const asked = askedSeriesMethod(q);
  const out = new Map<string, ChosenDriftSeries>();
  if (!asked) return out;
  const drift = metrics.filter((m) => seriesDriftMethod(m, v) !== null);
  // none is a drift series: the refusal /timeseries gives the first metric
  for (const m of drift.length > 0 ? drift : metrics.slice(0, 1)) out.set(m, chosenSeriesOrThrow(asked, m, v, seconds));
  return out;
}

/** A 400 when a drift series computed at query time (a method other than the automatic one) covers too many windows. */
export function checkComputedWindows(chosen: Iterable<ChosenDriftSeries>, from: number, to: number, size: number, granularity: Granularity): void {
  const windows = Math.ceil(to / size) - Math.floor(from / size);
  const computed = [...chosen].find((c) => c.computed);
  if (computed !== undefined && windows > MAX_COMPUTED_WINDOWS) {
    throw new ApiError('bad_request', `a drift series of method ${computed.method} (not the automatic one) is computed at query time, at most ${MAX_COMPUTED_WINDOWS} windows: this range has ${windows} ${granularity} windows; shorten it or use a coarser granularity`, { windows, max: MAX_COMPUTED_WINDOWS });
  }
}

/**
 * Windows a series (GET /timeseries, /series) answers at most: more than any chart draws, and more than the widest range a
 * granularity gives otherwise (hours over the 400 days a range may span: 9,601; minutes exist for the last 2 days only,
 * as events reach at most a day ahead). Minutes up to a `to` a year ahead were 574,621 points, 25 MB and 6 s of one
 * request's work.
 */
export const MAX_SERIES_WINDOWS = 10_000;

/** A 400 when the range holds more windows of the series' granularity than MAX_SERIES_WINDOWS. */
export function checkSeriesWindows(from: number, to: number, size: number, granularity: Granularity): void {
  const windows = Math.ceil(to / size) - Math.floor(from / size);
  if (windows > MAX_SERIES_WINDOWS) {
    throw new ApiError('bad_request', `a series answers at most ${MAX_SERIES_WINDOWS} windows: this range has ${windows} ${granularity} windows; shorten it (an event is at most a day ahead) or use a coarser granularity`, { windows, max: MAX_SERIES_WINDOWS, granularity });
  }
}
