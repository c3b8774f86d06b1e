import type { FastifyInstance } from 'fastify';
import { GRANULARITY_MS, granularityFor } from '../../core/time/windows.js';
import { seriesDriftMethod, seriesMetric, seriesMetricProblem, TIMESERIES_METRICS } from '../../monitoring/timeseries.js';
import { isClipped, seriesPoints } from '../../monitoring/series-points.js';
import { checkComputedWindows, checkSeriesWindows, seriesMethodsParams } from '../series-method-params.js';
import type { AppDeps } from '../deps.js';
import { answer } from '../answers/index.js';
import { ApiError } from '../errors.js';
import { versionAndRange } from '../model-params.js';
import { RANGE_QUERY } from '../params.js';

const MAX_METRICS = 16;

/**
 * GET /v1/models/:name/series?metrics=a,b,c&from&to&granularity&version&segment: several timeseries metrics
 * over the same windows in one call (each window summary is read and decoded once), for dashboards.
 * Answers {granularity, t:[window starts], events:[...], series:{metric:[value|null]}}.
 */
export function seriesRoutes(deps: AppDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get<{ Params: { name: string }; Querystring: Record<string, unknown> }>('/v1/models/:name/series', { onRequest: deps.keys.hook('read'), config: { query: [...RANGE_QUERY, 'granularity', 'metrics', 'method', 'threshold'], answer: answer('SeriesAnswer', 'several metrics on the same windows') } }, async (req) => {
      const { v, r } = versionAndRange(deps, req.params.name, req.query);
      const raw = req.query['metrics'];
      const metrics = typeof raw === 'string' ? raw.split(',').map((m) => m.trim()).filter(Boolean) : [];
      if (metrics.length === 0 || metrics.length > MAX_METRICS) {
        throw new ApiError('bad_request', `metrics must list 1 to ${MAX_METRICS} of ${TIMESERIES_METRICS.join(', ')} (feature metrics as drift:FEATURE, missing:FEATURE)`, { count: metrics.length });
      }
      const problems = metrics.flatMap((m) => {
        const p = seriesMetricProblem(m, v);
        return p ? [{ metric: m, message: p.message }] : [];
      });
      if (problems.length > 0) {
        throw new ApiError('bad_request', problems.map((p) => p.message).join('; '), {
          unknown: problems.map((p) => p.metric), metrics: TIMESERIES_METRICS, features: v.spec.features.map((f) => f.name),
        });
      }
      const granularity = deps.reader.seriesGranularity(r.from, r.granularity ?? granularityFor(r.from, r.to));
      const size = GRANULARITY_MS[granularity];
      checkSeriesWindows(r.from, r.to, size, granularity);
      // `method`/`threshold` apply to each drift series as GET /timeseries applies them to one (same refusals and cap).
      const chosen = seriesMethodsParams(req.query, metrics, v, size / 1000);
      checkComputedWindows(chosen.values(), r.from, r.to, size, granularity);
      // The method and threshold of each drift series (drift:FEATURE, predictionDrift), as GET /timeseries gives them.
      const methods = Object.fromEntries(metrics.flatMap((m) => {
        const c = chosen.get(m);
        const d = c ? { method: c.method, threshold: c.threshold, autoSelected: c.autoSelected } : seriesDriftMethod(m, v);
        return d ? [[m, d]] : [];
      }));
      const end = deps.metrics.queryDuration.startTimer({ endpoint: 'series' });
      try {
        // Per window and metric, values are cached by the reader (dropped when a checkpoint rewrites the window):
        // a repeated or overlapping range computes only the windows written since.
        // Hour and day points clipped to the range where it cuts their window, as GET /timeseries gives them (listed in `clipped`).
        const p = await seriesPoints(deps.reader, v, r.segment, r.from, r.to, granularity, metrics.map((m) => ({ name: m, series: (seconds: number) => chosen.get(m)?.series ?? seriesMetric(m, v, seconds) })), deps.clock());
        const series: Record<string, Array<number | null>> = {};
        metrics.forEach((m, i) => (series[m] = p.values[i] ?? []));
        const clipped = p.windows.filter((w) => isClipped(w, size));
        return {
          model: v.record.model, version: v.record.version, segment: r.segment, granularity, t: p.windows.map((w) => w.t), events: p.events, series, methods,
          ...(clipped.length > 0 && { clipped }),
        };
      } finally {
        end();
      }
    });
  };
}
