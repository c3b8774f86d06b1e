import { deployments, models, pool, slos } from '../data.js';
import { h } from '../dom.js';
import { ms, pctFormat, time } from '../format.js';
import type { ViewContext } from '../panel.js';
import { statusBadge } from '../status.js';
import { grid, heading, modelLink, table } from './common.js';
import { perModelChart } from './multi.js';
import { attentionList } from './oncall-attention.js';
import { modelRows } from './overview.js';
import { sloTable } from './slos.js';

/** On-call: what is wrong right now, since when, and what changed (last 24 h by default). */
export const oncallView = {
  defaultRange: '24h',
  async render(ctx: ViewContext): Promise<Node> {
    const problems = ctx.panel('Needs attention', async () => {
      // audit 25: the most urgent open and acknowledged alerts, the rest counted with links (oncall-attention.ts)
      const attention = await attentionList();
      if (attention.nodes) return attention.nodes;
      const { rows } = await modelRows(ctx, { performance: false });
      const bad = rows.filter((r) => r.verdict.status === 'red' || r.verdict.status === 'yellow');
      return h('div', null,
        attention.available ? h('p', null, 'No open or acknowledged alerts.') : h('p.muted', null, 'Alerting is not available on this server: problems below are derived from the query API.'),
        bad.length ? h('ul.problems', { 'data-testid': 'problems' }, bad.map((r) => h('li', null, statusBadge(r.verdict.status), ' ', modelLink(ctx, r.model.name, r.model.name, r.version), ` @${r.version}: ${r.verdict.reasons.join('; ')}`)))
          : h('p', { 'data-testid': 'problems' }, 'All models look healthy in this range.'));
    }, { wide: true, testid: 'oncall-problems' });
    const changes = ctx.panel('Recent changes', async () => {
      const list = await models();
      const all = await pool(list, 2, (m) => deployments(m.name, ctx.range));
      // With no models no endpoint was asked: that says nothing about the server having deployment history.
      if (list.length > 0 && !all.some((d) => d.available)) return h('div.notice.not-available', { role: 'status' }, 'Deployment history is not available on this server yet.');
      // Each with its model (audit 25: "rollback staging: 1.1.0 → 1.0.0" did not say of which model).
      const rows = all.flatMap((d, i) => d.value.deployments.map((x) => ({ ...x, model: list[i]?.name ?? '' }))).sort((a, b) => b.at - a.at);
      return rows.length ? table([
        { label: 'When', value: (d: (typeof rows)[number]) => d.at, render: (d) => time(d.at) },
        { label: 'Model', value: (d) => d.model, render: (d) => modelLink(ctx, d.model) },
        { label: 'Change', value: (d) => `${d.kind} ${d.alias}: ${d.from ?? '∅'} → ${d.to}` },
        { label: 'By', value: (d) => `${d.by}: ${d.reason}` },
      ], rows) : h('p.empty', null, 'No deployments in this range.');
    }, { testid: 'oncall-changes' });
    const burn = ctx.panel('SLO burn rates', async () => {
      const r = await slos();
      if (!r.available) return h('div.notice.not-available', { role: 'status' }, 'SLOs are not available on this server yet.');
      return r.value.slos.length ? sloTable(ctx, r.value.slos) : h('p.empty', null, 'No SLOs declared.');
    }, { wide: true, testid: 'oncall-slos' });
    return h('div', null, heading(ctx, 'On-call'), grid(
      problems,
      ctx.panel('Error rate', () => perModelChart(ctx, 'Error rate', 'errorRate', pctFormat(1), { testid: 'oncall-errors', threshold: { value: 0.05, label: 'red at 5%' } })),
      ctx.panel('Latency p95', () => perModelChart(ctx, 'Latency p95', 'latencyP95', ms, { testid: 'oncall-latency' })),
      ctx.panel('Drift share', () => perModelChart(ctx, 'Share of features drifting (daily windows, last 7 days at least)', 'driftShare', pctFormat(0), { testid: 'oncall-drift', threshold: { value: 0.5, label: 'dataset drift at 50%' }, daily: true })),
      ctx.panel('Throughput', () => perModelChart(ctx, 'Throughput (events/s)', 'throughput', (v, more = 0) => v.toFixed(2 + more), { testid: 'oncall-throughput' })),
      changes, burn,
    ));
  },
};
