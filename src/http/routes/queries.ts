import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GRANULARITY_MS, granularityFor } from '../../core/time/windows.js';
import { driftKinds, driftOf } from '../../monitoring/drift-query.js';
import { thresholdProblem } from '../../core/drift/threshold.js';
import { healthOf } from '../../monitoring/health.js';
import { metricNames } from '../../core/metrics/index.js';
import type { OutputKind } from '../../storage/types.js';
import type { VersionContext } from '../../monitoring/catalog.js';
import type { WindowSummary } from '../../core/summary/window.js';
import type { AppDeps } from '../deps.js';
import { answer, type AnswerSpec } from '../answers/index.js';
import { ApiError } from '../errors.js';
import { noReferenceError, requireModel, versionAndRange } from '../model-params.js';
import { RANGE_QUERY, thresholdParam, type RangeParams } from '../params.js';
import { coveredSeconds as covered, performanceFigures } from '../query-figures.js';
import { checkComputedWindows, checkDriftMethod, checkSeriesWindows, seriesMethodParams } from '../series-method-params.js';
import { seriesDriftMethod, seriesMetric, seriesMetricProblem, TIMESERIES_METRICS } from '../../monitoring/timeseries.js';
import { isClipped, seriesPoints } from '../../monitoring/series-points.js';
import { DEFAULT_DRIFT_SHARE, isDriftShare } from '../../core/drift/dataset.js';
import { MAX_BUCKETS, performanceBuckets } from '../../monitoring/performance-buckets.js';
import { segmentMatches } from '../../monitoring/segment-match.js';
import { isOverflowSegment } from '../../ingest/segment-cap.js';
import { formatDuration, parseDuration } from '../../monitors/duration.js';

type RG = { Params: { name: string }; Querystring: Record<string, unknown> };
type Req = FastifyRequest<RG>;

/** Segments described by GET /segments?details=true (the rest are listed only). */
const MAX_SEGMENT_DETAILS = 100;

export function queryRoutes(deps: AppDeps) {
  const ctx = (req: Req): { v: VersionContext; r: RangeParams } => versionAndRange(deps, req.params.name, req.query);
  const timed = async <T>(endpoint: string, f: () => Promise<T>): Promise<T> => {
    const end = deps.metrics.queryDuration.startTimer({ endpoint });
    try {
      return await f();
    } finally {
      end();
    }
  };
  const perf = deps.performance;
  const coveredSeconds = (r: RangeParams): number => covered(deps, r);
  const head = (v: VersionContext, r: RangeParams): Record<string, unknown> => {
    const eff = deps.reader.effectiveRange(r.from, r.to);
    return { model: v.record.model, version: v.record.version, segment: r.segment, from: eff.from, to: eff.to, requested: { from: r.from, to: r.to } };
  };

  return async (app: FastifyInstance): Promise<void> => {
    const onRequest = deps.keys.hook('read');
    // the query parameters each route reads (known-query.ts): any other is a 400 unknown_parameter
    // `answer`: the answer's schema, for GET /v1/openapi.json only (answers/index.ts)
    const read = (spec: AnswerSpec | null, ...names: string[]) => ({ onRequest, config: { query: [...RANGE_QUERY, ...names], ...(spec && { answer: spec }) } });

    app.get<RG>('/v1/models/:name/drift', read(answer('DriftAnswer', 'per-feature drift and the prediction drift against the version\'s reference (422 without one)'), 'method', 'threshold', 'driftShare'), async (req: Req) => timed('drift', async () => {
      const { v, r } = ctx(req);
      for (const k of ['method', 'threshold']) if (Array.isArray(req.query[k])) throw new ApiError('bad_request', `${k} must be given once (got ${(req.query[k] as unknown[]).length} values)`);
      const method = typeof req.query['method'] === 'string' ? req.query['method'] : undefined;
      checkDriftMethod(method);
      const threshold = thresholdParam(req.query['threshold']);
      // the threshold applies to the method each feature uses (the one asked for where it fits the kind, else the automatic one)
      const tp = threshold !== undefined && v.reference ? thresholdProblem(threshold, driftKinds(v), v.reference.profile.rows, { ...(method && { method }) }) : null;
      if (tp) throw new ApiError('bad_request', tp.message, { threshold: req.query['threshold'], methods: tp.methods });
      const driftShare = driftShareParam(req.query['driftShare']);
      const merged = await deps.reader.merged(v, r.segment, r.from, r.to);
      const d = driftOf(v, merged, { ...(method && { method }), ...(threshold !== undefined && { threshold }) }, driftShare);
      if (!d) throw noReferenceError(deps, v, r.version);
      return { ...head(v, r), ...d, note: 'computed from window summaries: KS from KLL sketches (statistic within stats.ks.errorBound of the exact value; p-value conservative; exact while neither sketch has compacted), Wasserstein between sketch items, PSI/Jensen-Shannon/Hellinger exact on the reference bins' };
    }));

    app.get<RG>('/v1/models/:name/quality', read(answer('QualityAnswer', 'data quality per feature and rejected rows by code')), async (req: Req) => timed('quality', async () => {
      const { v, r } = ctx(req);
      const merged = await deps.reader.merged(v, r.segment, r.from, r.to);
      const d = v.reference ? driftOf(v, merged) : null;
      const features = v.spec.features.map((f) => {
        const s = merged.features.get(f.name);
        const q = d?.features.find((x) => x.name === f.name)?.stats;
        // Of a feature without a value in the range (no events, or all missing) no share is out of range and nothing is
        // constant: null, as missingRate of no events and newCategoryRate (not the 0 and false of an empty sample).
        const valued = (s?.count ?? 0) > 0;
        return {
          name: f.name, kind: f.kind,
          count: s?.count ?? 0, missing: s?.missing ?? 0,
          missingRate: s && s.count + s.missing > 0 ? s.missing / (s.count + s.missing) : null,
          missingRateReference: q?.quality.missingReference ?? null,
          outOfRange: valued ? q?.quality.outOfRange ?? null : null,
          newCategories: q?.newCategories ?? [],
          newCategoryRate: newCategoryRate(merged.features.get(f.name), q?.newCategories ?? []),
          constant: valued ? q?.quality.constantCurrent ?? null : null,
        };
      });
      return { ...head(v, r), events: merged.events, rejected: merged.rejected, rejectedByCode: merged.rejectedByCode, features };
    }));

    app.get<RG>('/v1/models/:name/performance', read(answer('PerformanceAnswer', 'realized metrics, label coverage and delay, CBPE estimate, label drift; per segment'), 'segments', 'metrics', 'ci'), async (req: Req) => timed('performance', async () => {
      const { v, r } = ctx(req);
      const m = requireModel(deps, v.record.model);
      const segments = booleanParam(req.query['segments'], 'segments');
      const metrics = metricsParam(req.query['metrics'], m.outputKind);
      const ci = booleanParam(req.query['ci'], 'ci');
      const result = await performanceFigures(deps, m, v, r, { segments, metrics, ci });
      return { ...head(v, r), ...result };
    }));

    /**
     * Realized metrics and the CBPE estimate per bucket of `step` (e.g. 2d; aligned to multiples of step since the
     * epoch, the first and last clipped to the range), for charts: each bucket as GET /performance?segments=false
     * answers for its range, in one request.
     */
    app.get<RG>('/v1/models/:name/performance/buckets', read(answer('PerformanceBucketsAnswer', 'realized metrics and the CBPE estimate per bucket of step'), 'step', 'metrics', 'ci'), async (req: Req) => timed('performance_buckets', async () => {
      const { v, r } = ctx(req);
      const m = requireModel(deps, v.record.model);
      // Buckets of the range the answer states (whole minutes, or hours before the minute windows' retention), as
      // /performance reads its labelled events and summaries: the first and last bucket clipped to it. Their bounds
      // must fall on those windows, or each bucket's summaries (its CBPE estimate) would be of its range widened to
      // them and a prediction estimated in two buckets: the step is rounded up to a whole number of them (answered).
      const eff = deps.reader.effectiveRange(r.from, r.to);
      const unit = deps.reader.seriesGranularity(r.from, 'minute') === 'hour' ? 3_600_000 : 60_000;
      const step = Math.ceil(stepParam(req.query['step']) / unit) * unit;
      const count = Math.ceil(eff.to / step) - Math.floor(eff.from / step);
      if (count > MAX_BUCKETS) throw new ApiError('bad_request', `step ${formatDuration(step)} cuts the range into ${count} buckets; at most ${MAX_BUCKETS}`, { buckets: count, max: MAX_BUCKETS });
      const metrics = metricsParam(req.query['metrics'], m.outputKind);
      const ci = booleanParam(req.query['ci'], 'ci');
      const summaries = (f: number, t: number): Promise<WindowSummary> => deps.reader.merged(v, r.segment, f, t);
      const buckets = await performanceBuckets(perf, m, v, eff.from, eff.to, step, { segment: r.segment, ci, summaries, retention: deps.retention, ...(metrics && { metrics }) });
      return { ...head(v, r), step, buckets, reference: v.reference?.profile.metrics ?? null };
    }));

    /**
     * The segments with traffic in the range (from the keys of its stored windows: cheap), for per-segment breakdowns;
     * `details=true` adds each segment's health and drifted features (what /health and /drift answer for it; of its own
     * events, for one naming only some of the keys)
     * for the first MAX_SEGMENT_DETAILS segments, in one request instead of two per segment.
     */
    app.get<RG>('/v1/models/:name/segments', read(answer('SegmentsAnswer', 'the segments with traffic in the range (with details=true their health and drifted features)'), 'details'), async (req: Req) => timed('segments', async () => {
      const { v, r } = ctx(req);
      // `segment` narrows the list to the stored segments holding it (region=eu: region=eu&tier=gold, ...), as it echoes
      const segments = (await deps.reader.segmentsInRange(v, r.from, r.to)).filter((s) => r.segment === '' || segmentMatches(s, r.segment));
      const withDetails = booleanParam(req.query['details'] ?? 'false', 'details');
      const details = [];
      for (const segment of withDetails ? segments.slice(0, MAX_SEGMENT_DETAILS) : []) {
        // The listed segment's own events (as /performance's bySegment groups them): a stored segment naming only some
        // keys ("region=eu", events without a tier) is not merged with those naming more, as ?segment=region=eu is
        // (until audit 20 its details counted "region=eu&tier=gold" too, and added up to more than the traffic).
        const merged = await deps.reader.mergedStored(v, segment, r.from, r.to);
        const d = driftOf(v, merged);
        details.push({ segment, ...healthOf(merged, coveredSeconds(r)), driftedFeatures: d ? d.features.filter((f) => f.drifted).map((f) => f.name) : null, ...(isOverflowSegment(segment) && { overflow: true }) });
      }
      // The segment of the events past ingest.maxSegmentsPerModel ("region=__other__"), said: until audit 21 it was
      // listed as any segment, and nothing said why events were there nor what the limit is.
      const folded = segments.filter(isOverflowSegment);
      let overflow: { segments: string[]; maxSegmentsPerModel: number; events: number } | undefined;
      if (folded.length > 0) {
        let events = 0;
        for (const segment of folded) events += details.find((d) => d.segment === segment)?.events ?? (await deps.reader.mergedStored(v, segment, r.from, r.to)).events;
        overflow = { segments: folded, maxSegmentsPerModel: deps.pipeline.maxSegmentsPerModel, events };
      }
      if (!withDetails) return { ...head(v, r), segments, ...(overflow && { overflow }) };
      return { ...head(v, r), segments, ...(overflow && { overflow }), details, detailsTruncated: segments.length > MAX_SEGMENT_DETAILS };
    }));

    app.get<RG>('/v1/models/:name/health', read(answer('HealthAnswer', 'latency, error rate, throughput and cost of the range')), async (req: Req) => timed('health', async () => {
      const { v, r } = ctx(req);
      const merged = await deps.reader.merged(v, r.segment, r.from, r.to);
      return { ...head(v, r), ...healthOf(merged, coveredSeconds(r)) };
    }));

    /** Raw events kept by sampling (ingest.sampleRate), newest last, for debugging. */
    app.get<RG>('/v1/models/:name/events', read(answer('EventPage', 'a page of the range\'s kept events, newest first'), 'limit', 'before'), async (req: Req) => timed('events', async () => {
      const { v, r } = ctx(req);
      const limit = req.query['limit'] === undefined ? 100 : Number(req.query['limit']);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new ApiError('bad_request', 'limit must be an integer from 1 to 10000');
      const before = req.query['before'] === undefined ? undefined : eventCursor(req.query['before']);
      // The events of the range the answer states (whole minutes, or hours before the minute windows' retention): those
      // /health and /quality count for the same from/to, not the requested range's (which the answer's from/to widen).
      const eff = deps.reader.effectiveRange(r.from, r.to);
      // one more than the page: `next` only when there is a following page (a page of exactly the events left had a
      // `next` to an empty page until audit 23)
      const got = await deps.store.queryEvents({
        model: v.record.model, version: v.record.version, from: eff.from, to: eff.to, sampledOnly: true, segment: r.segment, limit: limit + 1,
        newestFirst: true, ...(before && { before }),
      });
      const events = got.slice(0, limit);
      const last = got.length > limit ? events[events.length - 1] : undefined;
      return { ...head(v, r), events, next: last ? Buffer.from(JSON.stringify([last.ts, last.id])).toString('base64url') : null };
    }));

    app.get<RG>('/v1/models/:name/timeseries', read(answer('TimeseriesAnswer', 'one value of the metric per window'), 'granularity', 'metric', 'method', 'threshold'), async (req: Req) => timed('timeseries', async () => {
      const { v, r } = ctx(req);
      const metric = req.query['metric'];
      if (typeof metric !== 'string') throw new ApiError('bad_request', `metric must be one of ${TIMESERIES_METRICS.join(', ')} (feature metrics as drift:FEATURE, missing:FEATURE)`);
      const problem = seriesMetricProblem(metric, v);
      if (problem) throw new ApiError('bad_request', problem.message, problem.details);
      const granularity = deps.reader.seriesGranularity(r.from, r.granularity ?? granularityFor(r.from, r.to));
      const size = GRANULARITY_MS[granularity];
      checkSeriesWindows(r.from, r.to, size, granularity);
      const chosen = seriesMethodParams(req.query, metric, v, size / 1000);
      checkComputedWindows(chosen ? [chosen] : [], r.from, r.to, size, granularity);
      const drift = chosen ? { method: chosen.method, threshold: chosen.threshold, autoSelected: chosen.autoSelected } : seriesDriftMethod(metric, v);
      // Hour and day points clipped to the answer's from/to where it cuts their window: those say the part they cover (from, to).
      const series = (seconds: number) => chosen?.series ?? seriesMetric(metric, v, seconds);
      const p = await seriesPoints(deps.reader, v, r.segment, r.from, r.to, granularity, [{ name: metric, series }], deps.clock());
      const points = p.windows.map((w, i) => ({
        t: w.t, value: p.values[0]?.[i] ?? null, events: p.events[i] ?? 0, ...(isClipped(w, size) && { from: w.from, to: w.to }),
      }));
      return { ...head(v, r), metric, ...(drift && drift), granularity, points };
    }));
  };
}

/** The `before` cursor of GET /events: the `next` of the page before (the last event's time and id). */
function eventCursor(raw: unknown): { ts: number; id: string } {
  let v: unknown;
  try {
    v = typeof raw === 'string' ? JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) : undefined;
  } catch {
    v = undefined;
  }
  if (Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string') return { ts: v[0] as number, id: v[1] };
  throw new ApiError('bad_request', 'before must be the "next" of a previous answer of this endpoint');
}

/** `driftShare`: the share of drifted features that means dataset drift, as `lookout drift --drift-share` (default 0.5). */
function driftShareParam(raw: unknown): number {
  if (raw === undefined) return DEFAULT_DRIFT_SHARE;
  const x = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!isDriftShare(x)) throw new ApiError('bad_request', `driftShare must be a number in (0, 1] (got ${JSON.stringify(raw)})`);
  return x;
}

function booleanParam(raw: unknown, name: string): boolean {
  if (raw !== undefined && raw !== 'true' && raw !== 'false') throw new ApiError('bad_request', `${name} must be true or false`);
  return raw !== 'false';
}

/** A bucket size: a duration ("15m", "6h", "2d") or milliseconds, at least a minute. */
function stepParam(raw: unknown): number {
  let step: number;
  try {
    step = parseDuration(typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw, 'step');
  } catch (e) {
    throw new ApiError('bad_request', (e as Error).message);
  }
  if (!(step >= 60_000)) throw new ApiError('bad_request', `step must be at least a minute (got ${step} ms)`);
  return step;
}

function newCategoryRate(s: unknown, newCats: readonly string[]): number | null {
  const c = s as { counts?: Map<string, number>; count?: number } | undefined;
  if (!c?.counts || !c.count) return null;
  let n = 0;
  for (const k of newCats) n += c.counts.get(k) ?? 0;
  return n / c.count;
}

/** `metrics=a,b`: only these realized metrics (of the model's task), e.g. the dashboard's headline per bucket. */
function metricsParam(raw: unknown, task: OutputKind): string[] | undefined {
  if (raw === undefined) return undefined;
  const list = typeof raw === 'string' ? raw.split(',').map((x) => x.trim()).filter(Boolean) : [];
  const known = metricNames(task);
  const unknown = list.filter((k) => !known.includes(k));
  if (list.length === 0 || unknown.length > 0) {
    throw new ApiError('bad_request', `metrics must be a comma-separated list of ${task} metrics: ${known.join(', ')}`, { unknown, known });
  }
  return list;
}
