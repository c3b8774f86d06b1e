import { api } from '../api.js';
import { drift, models } from '../data.js';
import { h, link } from '../dom.js';
import { num, numFormat, pct } from '../format.js';
import type { ViewContext } from '../panel.js';
import { href, rangeParams } from '../route.js';
import type { FeatureDrift, Quality } from '../types.js';
import { featureLink, grid, heading, kv, noVersionsNote, scopeBadges, scopeParams, skippedNote, table } from './common.js';
import { annotationCache, metricChart } from './series.js';

const STATS = ['psi', 'jensenShannon', 'hellinger', 'wasserstein', 'wassersteinNormalized'];

/** Debug: every feature's drift history, every statistic, rejected rows; for finding the cause. */
export const debugView = {
  defaultRange: '30d',
  async render(ctx: ViewContext): Promise<Node> {
    const list = await models();
    const m = list.find((x) => x.name === ctx.route.args[0]) ?? list[0];
    if (!m) return h('p.empty', null, 'No models yet.');
    // the version and segment the model page looked at (until audit 23 the segment was dropped: the whole traffic's figures)
    const q = scopeParams(ctx);
    const notes = annotationCache(ctx, m.name);
    const picker = h('span.model-picker', null, list.map((x) => link(href('debug', [x.name], rangeParams(ctx.route.params)), x.name, x.name === m.name ? 'active' : '')));
    if (m.versions.length === 0) return h('div', null, heading(ctx, `Debug ${m.name}`, picker), noVersionsNote(m));
    const features = Object.keys(m.inputSchema.properties ?? {}).slice(0, 7);
    const driftP = drift(m.name, ctx.range, q);
    const thresholdOf = (f: string): Promise<{ value: number; label: string } | undefined> => driftP.then((d) => {
      const x = d.features.find((y) => y.name === f);
      return x ? { value: x.threshold, label: `threshold ${x.threshold} (${x.method})` } : undefined;
    }, () => undefined);
    const statsPanel = ctx.panel('All drift statistics', async () => {
      const d = await driftP;
      const ks = (f: FeatureDrift): number | null => (f.stats['ks'] as { statistic?: number } | undefined)?.statistic ?? null;
      const chi = (f: FeatureDrift): number | null => (f.stats['chiSquare'] as { pValue?: number } | undefined)?.pValue ?? null;
      const stats = table<FeatureDrift>([
        { label: 'Feature', value: (f) => f.name, render: (f) => featureLink(ctx, m.name, f.name) },
        { label: 'Method (used)', value: (f) => f.method, render: (f) => `${f.method} ${f.drifted ? '⚠' : ''}` },
        { label: 'KS D', value: ks, render: (f) => num(ks(f), 4) },
        { label: 'χ² p', value: chi, render: (f) => num(chi(f), 4) },
        ...STATS.map((s) => ({ label: s, value: (f: FeatureDrift) => (typeof f.stats[s] === 'number' ? (f.stats[s] as number) : null), render: (f: FeatureDrift) => num(typeof f.stats[s] === 'number' ? (f.stats[s] as number) : null, 4) })),
        { label: 'Missing', value: (f) => f.stats.quality.missingCurrent, render: (f) => pct(f.stats.quality.missingCurrent, 2) },
        { label: 'Out of range', value: (f) => f.stats.quality.outOfRange, render: (f) => pct(f.stats.quality.outOfRange, 2) },
      ], d.features, { testid: 'debug-stats' });
      const note = skippedNote(d);
      return note ? [stats, note] : stats;
    }, { wide: true, testid: 'debug-stats-panel' });
    const rejects = ctx.panel('Rejected rows', async () => {
      const r = await api<Quality>(`/v1/models/${encodeURIComponent(m.name)}/quality`, { from: Math.round(ctx.range.from), to: Math.round(ctx.range.to), ...q });
      const codes = Object.entries(r.rejectedByCode);
      return kv([['Events', String(r.events)], ['Rejected', String(r.rejected)], ...codes.map(([c, n]): [string, string] => [c, String(n)])]);
    }, { testid: 'debug-rejects' });
    return h('div', null, heading(ctx, `Debug ${m.name}`, ...scopeBadges(q), picker,
      h('a.small', { href: href('model', [m.name], { ...rangeParams(ctx.route.params), ...q }) }, 'model view →')), grid(
      statsPanel,
      ctx.panel('Prediction drift', () => metricChart(ctx, m.name, q, { title: 'Prediction drift score', metrics: [{ metric: 'predictionDrift', label: 'prediction' }], format: numFormat(3), yMin: 0, drift: true }, notes)),
      ...features.map((f) => ctx.panel(`Drift: ${f}`, () => metricChart(ctx, m.name, q, {
        title: `${f} drift score`, metrics: [{ metric: `drift:${f}`, label: f }], format: numFormat(3), yMin: 0, testid: `debug-drift-${f}`, threshold: thresholdOf(f), drift: true,
      }, notes))),
      rejects,
    ));
  },
};
