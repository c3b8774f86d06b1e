import type { FastifyInstance } from 'fastify';
import { CategoricalSummary, OTHER, OTHER_KEY } from '../../core/summary/categorical.js';
import { NumericSummary } from '../../core/summary/numeric.js';
import { prevDouble } from '../../core/drift/from-summary.js';
import type { AppDeps } from '../deps.js';
import { answer } from '../answers/index.js';
import { ApiError } from '../errors.js';
import { noReferenceError, versionAndRange } from '../model-params.js';
import { RANGE_QUERY } from '../params.js';

const BINS = 30;

export interface NumericDistribution {
  kind: 'numerical';
  /** BINS + 1 equal-width edges over the central 99% of reference and current together. */
  edges: number[];
  reference: { shares: number[]; count: number; missing: number; min: number | null; max: number | null };
  current: { shares: number[]; count: number; missing: number; min: number | null; max: number | null };
}

export interface CategoricalDistribution {
  kind: 'categorical';
  /** `other: true` on the bucket of the categories beyond the cap (named OTHER; a real category may have that name too). */
  categories: Array<{ name: string; reference: number; current: number; isNew: boolean; other?: true }>;
  reference: { count: number; missing: number };
  current: { count: number; missing: number };
}

/**
 * GET /v1/models/:name/features/:feature/distribution: the reference and current distribution of one feature
 * (shares per bin from the KLL sketches, or per category), for overlay charts.
 */
export function distributionRoutes(deps: AppDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get<{ Params: { name: string; feature: string }; Querystring: Record<string, unknown> }>(
      '/v1/models/:name/features/:feature/distribution', { onRequest: deps.keys.hook('read'), config: { query: RANGE_QUERY, answer: answer('DistributionAnswer', 'reference vs current shares per bin (numerical) or per category') } }, async (req) => {
        const { v, r } = versionAndRange(deps, req.params.name, req.query);
        const spec = v.spec.features.find((f) => f.name === req.params.feature);
        if (!spec) throw new ApiError('not_found', `model "${req.params.name}" has no feature "${req.params.feature.slice(0, 200)}"; features: ${v.spec.features.map((f) => f.name).join(', ')}`);
        const ref = v.reference?.summary.features.get(spec.name);
        if (!v.reference) throw noReferenceError(deps, v, r.version);
        if (!ref) throw new ApiError('unprocessable', `the reference of version ${v.record.version} of "${v.record.model}" has no feature "${spec.name}" (declared after the reference was made): upload the reference again with it`);
        const cur = (await deps.reader.merged(v, r.segment, r.from, r.to)).features.get(spec.name);
        const eff = deps.reader.effectiveRange(r.from, r.to);
        const head = { model: v.record.model, version: v.record.version, feature: spec.name, segment: r.segment, from: eff.from, to: eff.to };
        if (ref instanceof NumericSummary && cur instanceof NumericSummary) return { ...head, ...numeric(ref, cur) };
        if (ref instanceof CategoricalSummary && cur instanceof CategoricalSummary) return { ...head, ...categorical(ref, cur) };
        throw new ApiError('internal', 'reference and current summaries differ in kind');
      });
  };
}

function numeric(ref: NumericSummary, cur: NumericSummary): NumericDistribution {
  const both = [ref, cur].filter((s) => s.count > 0);
  const lo = Math.min(...both.map((s) => s.kll.quantile(0.005)));
  const hi = Math.max(...both.map((s) => s.kll.quantile(0.995)));
  const width = hi > lo ? (hi - lo) / BINS : 1;
  const edges = both.length === 0 ? [] : Array.from({ length: BINS + 1 }, (_, i) => lo + i * width);
  const shares = (s: NumericSummary): number[] => {
    if (s.count === 0) return edges.slice(1).map(() => 0);
    // Bins (e_i, e_i+1], the first one closed: values equal to the lowest edge (an integer feature's smallest value) count.
    const cdf = edges.map((e, i) => s.kll.rank(i === 0 ? prevDouble(e) : e));
    return cdf.slice(1).map((c, i) => Math.max(0, c - (cdf[i] as number)));
  };
  const side = (s: NumericSummary): NumericDistribution['reference'] => ({
    shares: shares(s), count: s.count, missing: s.missing, min: s.count ? s.min : null, max: s.count ? s.max : null,
  });
  return { kind: 'numerical', edges, reference: side(ref), current: side(cur) };
}

function categorical(ref: CategoricalSummary, cur: CategoricalSummary): CategoricalDistribution {
  const r = ref.countsWithOther();
  const c = cur.countsWithOther();
  const names = [...new Set([...r.keys(), ...c.keys()])];
  const share = (m: Map<string, number>, total: number, k: string): number => (total > 0 ? (m.get(k) ?? 0) / total : 0);
  const categories = names.map((key) => ({
    name: key === OTHER_KEY ? OTHER : key, reference: share(r, ref.count, key), current: share(c, cur.count, key),
    isNew: key !== OTHER_KEY && ref.other === 0 && !r.has(key) && c.has(key), ...(key === OTHER_KEY && { other: true as const }),
  })).sort((a, b) => b.reference + b.current - (a.reference + a.current));
  return { kind: 'categorical', categories, reference: { count: ref.count, missing: ref.missing }, current: { count: cur.count, missing: cur.missing } };
}
