import { slos } from '../data.js';
import { h } from '../dom.js';
import { count, num, pct, pctFormat, usd } from '../format.js';
import type { ViewContext } from '../panel.js';
import { statusBadge, verdictNotes } from '../status.js';
import { grid, heading, headlineMetric, metricValue, modelLink } from './common.js';
import { perModelChart } from './multi.js';
import { modelRows, type ModelRow } from './overview.js';
import { budgetBar } from './slos.js';

/**
 * A tile's cost, as the model page says it (audit 27: a model whose events report no costUsd read "cost $0.0" here, the
 * model page saying "not reported"; no cost is not a cost of 0).
 */
function tileCost(r: ModelRow): string {
  const hl = r.health;
  if (!hl || hl.events === 0) return '—';
  if (hl.costEvents === 0) return 'not reported';
  return hl.costEvents < hl.events ? `${usd(hl.costUsd)} (${count(hl.costEvents)} of ${count(hl.events)} predictions reported a cost)` : usd(hl.costUsd);
}

function tile(ctx: ViewContext, r: ModelRow): HTMLElement {
  const hm = headlineMetric(r.model);
  const fmt = hm.key === 'accuracy' ? (v: number | null) => pct(v) : (v: number | null) => num(v, 2);
  const realized = metricValue(r.perf?.realized, hm.key);
  const reference = metricValue(r.perf?.reference, hm.key);
  // CBPE estimates a classifier's accuracy only (no reference, or a regressor: none).
  const estimated = hm.key === 'accuracy' ? r.perf?.estimated?.accuracy ?? null : null;
  return h('div.tile', { 'data-model': r.model.name, 'data-status': r.verdict.status },
    h('div.tile-head', null, modelLink(ctx, r.model.name, r.model.name, r.version), ' ', statusBadge(r.verdict.status, r.verdict.reasons.join('; '))),
    h('div.tile-big', null, fmt(realized ?? estimated)),
    h('div.muted', null, `${hm.label} ${realized !== null ? 'realized' : estimated !== null ? 'estimated' : 'not known yet (no labels)'} · reference ${fmt(reference)}`),
    h('div', null, `${count(r.health?.events)} predictions · availability ${pct(r.health?.errorRate === null || r.health?.errorRate === undefined ? null : 1 - r.health.errorRate, 2)}`),
    h('div', { 'data-testid': 'tile-cost' }, `cost ${tileCost(r)}`),
    r.verdict.reasons.length ? h('div.reasons', null, r.verdict.reasons.join('; ')) : null,
    verdictNotes(r.verdict));
}

/** Executive summary: is every model doing its job this month, and what did it cost. */
export const execView = {
  defaultRange: '30d',
  async render(ctx: ViewContext): Promise<Node> {
    const tiles = ctx.panel('Models this period', async () => {
      const { rows } = await modelRows(ctx);
      await Promise.all(rows.map((r) => r.perfLoaded));
      if (rows.length === 0) return h('p.empty', null, 'No models yet.');
      return h('div.tiles', { 'data-testid': 'exec-tiles' }, rows.map((r) => tile(ctx, r)));
    }, { wide: true, deferred: true, testid: 'exec-models' });
    const budget = ctx.panel('Error budgets', async () => {
      const r = await slos();
      if (!r.available) return h('div.notice.not-available', { role: 'status' }, 'SLOs are not available on this server yet.');
      return r.value.slos.length ? h('div', null, r.value.slos.map((s) => h('div.budget-row', null, h('span', null, `${s.model} · ${s.name}`), budgetBar(s)))) : h('p.empty', null, 'No SLOs declared.');
    }, { testid: 'exec-budgets' });
    return h('div', null, heading(ctx, 'Executive summary'), grid(
      tiles,
      ctx.panel('Predictions per window', () => perModelChart(ctx, 'Predictions', 'events', count, { testid: 'exec-traffic' })),
      ctx.panel('Drift share', () => perModelChart(ctx, 'Share of features drifting', 'driftShare', pctFormat(0), { testid: 'exec-drift', threshold: { value: 0.5, label: 'dataset drift at 50%' }, drift: true })),
      ctx.panel('Error rate', () => perModelChart(ctx, 'Error rate', 'errorRate', pctFormat(1), { testid: 'exec-errors', yTop: 0.01 })),
      ctx.panel('Cost per inference', () => perModelChart(ctx, 'Cost per inference', 'costPerInference', usd, { testid: 'exec-cost' })),
      budget,
    ));
  },
};
