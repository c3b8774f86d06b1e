import { api, optional, type Query } from './api.js';
import type { Range } from './route.js';
import type { Action, Alert, Deployment, Drift, Health, ModelInfo, Monitor, OverviewRow, Performance, PerformanceBuckets, Silence, Slo, Timeseries } from './types.js';

/** Read helpers over the query API; optional() ones degrade to "not available" when the endpoint is missing. */
const enc = encodeURIComponent;
const r = (range: Range, extra: Query = {}): Query => ({ from: Math.round(range.from), to: Math.round(range.to), ...extra });

let modelsCache: Promise<ModelInfo[]> | null = null;
export function models(refresh = false): Promise<ModelInfo[]> {
  if (refresh || !modelsCache) modelsCache = api<{ models: ModelInfo[] }>('/v1/models').then((x) => x.models);
  modelsCache.catch(() => (modelsCache = null));
  return modelsCache;
}

export const health = (m: string, range: Range, q: Query = {}): Promise<Health> => api(`/v1/models/${enc(m)}/health`, r(range, q));
export const drift = (m: string, range: Range, q: Query = {}): Promise<Drift> => api(`/v1/models/${enc(m)}/drift`, r(range, q));
export const performance = (m: string, range: Range, q: Query = {}): Promise<Performance> => api(`/v1/models/${enc(m)}/performance`, r(range, q));
/** Realized metrics per bucket of `step` ms (aligned to multiples of step), one request for a chart. */
export const performanceBuckets = (m: string, range: Range, step: number, q: Query = {}): Promise<PerformanceBuckets> => api(`/v1/models/${enc(m)}/performance/buckets`, r(range, { ...q, step }));

/**
 * Every model version's overview figures over the range (GET /v1/overview, page after page): one request per 100
 * models instead of a /health, /drift (and /performance) request per version. `performance` adds each version's
 * headline metric (the slow part: labels joined at query time).
 */
export async function overview(range: Range, opts: { performance?: boolean } = {}): Promise<OverviewRow[]> {
  const rows: OverviewRow[] = [];
  let after: string | null = null;
  do {
    const page: { rows: OverviewRow[]; next: string | null } = await api('/v1/overview', r(range, { after, ...(opts.performance && { performance: 'true' }) }));
    rows.push(...page.rows);
    after = page.rows.length > 0 ? page.next : null;
  } while (after);
  return rows;
}

interface Batch { metrics: Set<string>; result: Promise<Map<string, Timeseries>> | null; resolve: () => void }
const batches = new Map<string, Batch>();

/**
 * One timeseries metric. Requests made in the same tick for the same model, range and filters are sent as
 * one GET /v1/models/:name/series?metrics=a,b,c (the server decodes each window once for all of them).
 */
export function series(m: string, metric: string, range: Range, q: Query = {}): Promise<Timeseries> {
  const query = r(range, q);
  const key = `${m}\u0000${JSON.stringify(query)}`;
  let b = batches.get(key);
  if (!b) {
    let go: () => void = () => {};
    const ready = new Promise<void>((resolve) => (go = resolve));
    const batch: Batch = { metrics: new Set(), result: null, resolve: go };
    batch.result = ready.then(async () => {
      batches.delete(key);
      const res = await api<{ granularity: string; t: number[]; events: number[]; series: Record<string, Array<number | null>> }>(`/v1/models/${enc(m)}/series`, { ...query, metrics: [...batch.metrics].join(',') });
      return new Map(Object.entries(res.series).map(([name, values]) => [name, {
        metric: name, granularity: res.granularity, points: res.t.map((t, i) => ({ t, value: values[i] ?? null, events: res.events[i] ?? 0 })),
      }]));
    });
    batches.set(key, batch);
    setTimeout(() => batch.resolve(), 0);
    b = batch;
  }
  b.metrics.add(metric);
  return (b.result as Promise<Map<string, Timeseries>>).then((all) => {
    const s = all.get(metric);
    if (!s) throw new Error(`no series ${metric} in the answer`);
    return s;
  });
}

/** Issue 4 (alerting) and issue 5 (registry): optional on this server. */
/** `next`: set when more follow the page (1,000 by default; servers before 2026-12 answered none for actions and silences). */
export const alerts = (q: Query = {}) => optional<{ alerts: Alert[]; next?: string | null }>('/v1/alerts', q, { alerts: [] });
/**
 * Every item of a list query, page after page of 10,000 (the lists answer 1,000 by default): `read` is one of the
 * optional list helpers below, `items` picks the page's list. Unavailable when the endpoint is missing.
 */
export async function everyPage<T, P extends { next?: string | null }>(read: (q: Query) => Promise<{ value: P; available: boolean }>, items: (page: P) => T[], q: Query): Promise<{ list: T[]; available: boolean }> {
  const list: T[] = [];
  let before: string | null | undefined = null;
  do {
    const page = await read({ ...q, limit: 10_000, before });
    if (!page.available) return { list: [], available: false };
    const got = items(page.value);
    list.push(...got);
    before = got.length > 0 ? page.value.next : null;
  } while (before);
  return { list, available: true };
}
/**
 * Every alert of the query (everyPage): the overview's status and alert counts of the alerts active in its range
 * (audit 24) leave none out when a store holds more.
 */
export async function allAlerts(q: Query): Promise<{ value: { alerts: Alert[] }; available: boolean }> {
  const r = await everyPage(alerts, (p) => p.alerts, q);
  return { value: { alerts: r.list }, available: r.available };
}
export const monitors = (q: Query = {}) => optional<{ monitors: Monitor[] }>('/v1/monitors', q, { monitors: [] });
export const actions = (q: Query = {}) => optional<{ actions: Action[]; next?: string | null }>('/v1/actions', q, { actions: [] });
export const silences = (q: Query = {}) => optional<{ silences: Silence[]; next?: string | null }>('/v1/silences', q, { silences: [] });
/**
 * Every silence of the query (everyPage): the chart markers' silences muting in the chart's range (audit 25: one page
 * of every silence, 1,000 of the latest expiry, was read and filtered here, so among a deploy script's daily silences
 * a past range had none).
 */
export async function allSilences(q: Query): Promise<{ value: { silences: Silence[] }; available: boolean }> {
  const r = await everyPage(silences, (p) => p.silences, q);
  return { value: { silences: r.list }, available: r.available };
}
export const slos = (q: Query = {}) => optional<{ slos: Slo[] }>('/v1/slos', q, { slos: [] });
export const deployments = (m: string, range: Range) => optional<{ deployments: Deployment[] }>(`/v1/models/${enc(m)}/deployments`, r(range), { deployments: [] });

/** Runs `f` over items with at most `n` in flight (the server is one process; do not flood it): the CLI's helper. */
export { pool } from '../../src/io/pool.js';
