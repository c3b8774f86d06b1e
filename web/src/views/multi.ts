import { explain } from '../api.js';
import { timeChart } from '../charts/time.js';
import { models, series } from '../data.js';
import { h } from '../dom.js';
import type { ViewContext } from '../panel.js';
import { COLORS, driftWindows } from './series.js';
import type { ValueFormat } from '../format.js';

/** One metric for every model on one chart (the models share the range, so the windows line up). */
export async function perModelChart(ctx: ViewContext, title: string, metric: string, format: ValueFormat, opts: { testid?: string; threshold?: { value: number; label: string }; only?: (kind: string) => boolean; daily?: boolean; drift?: boolean; yTop?: number } = {}): Promise<HTMLElement> {
  // a model without versions has no series yet (its 404 made the chart say "Not drawn", or fail with only such models)
  const list = (await models()).filter((m) => m.versions.length > 0 && (!opts.only || opts.only(m.outputKind)));
  // Hour windows hold too few events for stable drift tests: drift charts can ask for day windows over >= 7 days.
  const range = opts.daily ? { ...ctx.range, from: Math.min(ctx.range.from, ctx.range.to - 7 * 86_400_000) } : ctx.range;
  // A drift metric over more than 2 days: day windows, as the model view's drift charts (audit 27: the executive drift
  // chart over a week used hour windows, where sampling noise alone reads as dataset drift in 75 of the demo's 169 hours).
  const q = opts.daily ? { granularity: 'day' } : opts.drift ? driftWindows(range) : {};
  const failures: Array<{ model: string; error: unknown }> = [];
  const all = await Promise.all(list.map((m) => series(m.name, metric, range, q).catch((error: unknown) => {
    failures.push({ model: m.name, error });
    return null;
  })));
  // A failed request is not "no data": when every model's failed the panel shows the error, else the chart says which.
  if (failures.length > 0 && failures.length === list.length) throw failures[0]?.error;
  const t = all.find((s) => s)?.points.map((p) => p.t) ?? [];
  const chart = timeChart({
    title: !opts.daily && 'granularity' in q ? `${title} (day windows)` : title, t, format, testid: opts.testid, yMin: 0, ...(opts.yTop !== undefined && { yTop: opts.yTop }), ...(opts.threshold && { threshold: opts.threshold }),
    series: list.map((m, i) => {
      const byT = new Map((all[i]?.points ?? []).map((p) => [p.t, p.value]));
      return { label: m.name, values: t.map((x) => byT.get(x) ?? null), color: COLORS[i % COLORS.length] as string };
    }),
  });
  if (failures.length > 0) chart.appendChild(h('p', { class: 'notice error', role: 'status', 'data-testid': 'chart-failures' }, `Not drawn: ${failures.map((f) => `${f.model} (${explain(f.error)})`).join('; ')}`));
  return chart;
}
