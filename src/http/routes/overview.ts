import type { FastifyInstance } from 'fastify';
import { DEFAULT_DRIFT_SHARE } from '../../core/drift/dataset.js';
import { driftOf } from '../../monitoring/drift-query.js';
import { healthOf } from '../../monitoring/health.js';
import type { ModelRecord } from '../../storage/types.js';
import type { AppDeps } from '../deps.js';
import { answer } from '../answers/index.js';
import { modelPage, modelPageQuery, type ModelPageQuery } from '../model-pages.js';
import { rangeParams } from '../params.js';
import { ApiError } from '../errors.js';
import { undeclaredSegmentKeys } from '../../monitoring/segment-match.js';
import { coveredSeconds, performanceFigures } from '../query-figures.js';

/** Models per page of GET /v1/overview without `limit` (each version of each model is one row). */
export const OVERVIEW_PAGE = 100;

type Query = ModelPageQuery & { from?: string; to?: string; performance?: 'true' | 'false'; segment?: unknown };

const overviewQuery = {
  type: 'object',
  // segment: any (parseSegment refuses one given twice, as the per-model queries do, rather than the schema's message)
  properties: { ...modelPageQuery.properties, from: { type: 'string' }, to: { type: 'string' }, performance: { enum: ['true', 'false'] }, segment: {} },
} as const;

/** The realized metric the dashboard's overview shows per model (web/src/views/common.ts headlineMetric). */
const headline = (m: ModelRecord): string => (m.outputKind === 'regression' ? 'mae' : 'accuracy');

/**
 * GET /v1/overview: the dashboard overview's figures of every version of a page of models, in one request instead of
 * a /health, a /drift and a /performance request per version (1,000 models were 3,000 requests on page load). Each
 * row's figures are those the per-model endpoints answer for the version over the same range, whole traffic, default
 * options: `health` as /health, `drift` the `datasetDrift` of /drift, its drifted features' names and its `skipped` (null where the
 * version has no reference: /drift's 422), and with `performance=true` the /performance?segments=false&ci=false of the
 * model's headline metric (accuracy; MAE of a regression), from the same caches (one computation for both).
 * `segment` ("region=eu,tier=gold", as the per-model queries take it) gives every row the figures of that segment, as
 * those endpoints answer with ?segment=; the models that never declared its keys have no row.
 */
export function overviewRoutes(deps: AppDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get<{ Querystring: Query }>('/v1/overview', { onRequest: deps.keys.hook('read'), config: { query: Object.keys(overviewQuery.properties), answer: answer('OverviewAnswer', 'per version of a page of models: health, drift and (performance=true) performance') }, schema: { querystring: overviewQuery } }, async (req) => {
      const end = deps.metrics.queryDuration.startTimer({ endpoint: 'overview' });
      try {
        // The segment's figures of each version, as /health, /drift and /performance answer with ?segment=; a model that
        // never declared every key of it has no row (none of its events can be of it), as if not in the catalog
        const keys = [...new Set(deps.catalog.models().flatMap((m) => deps.catalog.segmentKeysEver(m.name)))].sort();
        const r = rangeParams({ from: req.query.from, to: req.query.to, segment: req.query.segment }, deps.clock(), { name: '', segmentKeys: keys, whose: 'the models' });
        const holds = (m: ModelRecord): boolean => undeclaredSegmentKeys(r.segment, deps.catalog.segmentKeysEver(m.name)).length === 0;
        const models = r.segment === '' ? deps.catalog.models() : deps.catalog.models().filter(holds);
        const undeclared = undeclaredSegmentKeys(r.segment, keys);
        if (undeclared.length > 0) {
          throw new ApiError('bad_request', `segment names ${undeclared.map((k) => `"${k.slice(0, 100)}"`).join(', ')}, not a segment key of any model; segment keys of the models: ${keys.join(', ') || '(none)'}`, { segmentKeys: keys });
        }
        const page = modelPage(models, { ...req.query, limit: req.query.limit ?? String(OVERVIEW_PAGE) });
        const withPerformance = req.query.performance === 'true';
        const seconds = coveredSeconds(deps, r);
        const versions = page.items.flatMap((m) => deps.catalog.versions(m.name).map((v) => ({ m, v })));
        // One version after the other (four at a time measured no faster on 2 cores: 300 cold versions 12.4 s, 10.5 s so).
        const rows = [];
        for (const { m, v } of versions) {
          const merged = await deps.reader.merged(v, r.segment, r.from, r.to);
          const row: Record<string, unknown> = { model: m.name, version: v.record.version, health: healthOf(merged, seconds) };
          try {
            const d = driftOf(v, merged, {}, DEFAULT_DRIFT_SHARE);
            // skipped (audit 24): the features the reference has no column of, as /drift's (`lookout status` said nothing of them)
            row['drift'] = d ? { datasetDrift: d.datasetDrift, driftedFeatures: d.features.filter((f) => f.drifted).map((f) => f.name), skipped: d.skipped } : null;
          } catch (e) {
            // one version's failure is its row's, as its /drift request's would be
            row['drift'] = null;
            row['driftError'] = e instanceof Error ? e.message : String(e);
          }
          if (withPerformance) {
            try {
              row['performance'] = await performanceFigures(deps, m, v, r, { segments: false, metrics: [headline(m)], ci: false });
            } catch (e) {
              row['performance'] = null;
              row['performanceError'] = e instanceof Error ? e.message : String(e);
            }
          }
          rows.push(row);
        }
        const eff = deps.reader.effectiveRange(r.from, r.to);
        return { segment: r.segment, from: eff.from, to: eff.to, requested: { from: r.from, to: r.to }, rows, next: page.next };
      } finally {
        end();
      }
    });
  };
}

