import { slos } from '../data.js';
import { h } from '../dom.js';
import { num, pct } from '../format.js';
import type { ViewContext } from '../panel.js';
import type { Slo } from '../types.js';
import { grid, heading, modelLink, table } from './common.js';

export const BURN_WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d', '3d'];

export function budgetBar(s: Slo): HTMLElement {
  const left = Math.max(0, Math.min(1, s.errorBudgetRemaining ?? 0));
  const firing = s.firing ?? [];
  const status = s.errorBudgetRemaining === null ? 'grey' : firing.some((f) => f.severity === 'page') || left <= 0 ? 'red' : firing.length || left < 0.25 ? 'yellow' : 'green';
  return h('div', { class: `budget status-${status}`, title: `${pct(s.errorBudgetRemaining)} of the error budget left`, 'data-status': status },
    h('div.budget-fill', { style: `width:${(left * 100).toFixed(1)}%` }), h('span', null, pct(s.errorBudgetRemaining)));
}

/** The fastest page rule's factor of the SLO's window (14.4 for 30 days): a burn at it is red. */
const pageFactor = (s: Slo): number => Math.max(...(s.rules ?? []).filter((r) => r.severity === 'page').map((r) => r.factor), 0) || 14.4;

export function sloTable(ctx: ViewContext, list: Slo[]): HTMLElement {
  return table<Slo>([
    { label: 'SLO', value: (s) => s.name },
    { label: 'Model', value: (s) => s.model, render: (s) => modelLink(ctx, s.model) },
    { label: 'Objective', value: (s) => s.objective, render: (s) => `${pct(s.objective, 2)} over ${s.windowDays} d (${s.kind})` },
    { label: 'Error budget left', value: (s) => s.errorBudgetRemaining, render: budgetBar },
    { label: 'Alert rules', value: (s) => s.windowDays, render: (s) => (s.rules ?? []).map((r) => `${r.severity} ${num(r.factor, 2)}× (${r.long}/${r.short})`).join(', ') },
    ...BURN_WINDOWS.map((w) => ({ label: `burn ${w}`, value: (s: Slo) => s.burnRates?.[w] ?? null, render: (s: Slo) => h('span', { class: (s.burnRates?.[w] ?? 0) >= pageFactor(s) ? 'status-text-red' : (s.burnRates?.[w] ?? 0) >= 1 ? 'status-text-yellow' : null }, `${num(s.burnRates?.[w] ?? null, 2)}×`) })),
    { label: 'Firing', value: (s) => (s.firing ?? []).length, render: (s) => (s.firing ?? []).map((f) => `${f.severity} (${f.long}/${f.short})`).join(', ') || 'none' },
  ], list, { testid: 'slo-table' });
}

export const slosView = {
  defaultRange: '30d',
  async render(ctx: ViewContext): Promise<Node> {
    const p = ctx.panel('Service level objectives', async () => {
      const r = await slos();
      if (!r.available) return h('div.notice.not-available', { role: 'status' }, 'SLOs are not available on this server (GET /v1/slos does not exist yet).');
      if (r.value.slos.length === 0) return h('p.empty', null, 'No SLOs declared.');
      return [sloTable(ctx, r.value.slos), h('p.muted', null, 'Burn rate = error rate / (1 - objective). Multiwindow alerts (SRE workbook): page when 2% of the SLO window\'s budget burns within 1h (and 5m) or 5% within 6h (and 30m); ticket at 10% within 1d (and 2h) or 3d (and 6h): 14.4×, 6×, 3× and 1× for a 30-day SLO, scaled to other windows (Alert rules).')];
    }, { wide: true, testid: 'slos' });
    return h('div', null, heading(ctx, 'SLOs'), grid(p));
  },
};
