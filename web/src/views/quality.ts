import type { Annotation } from '../charts/time.js';
import { timeChart } from '../charts/time.js';
import { performance, pool, series } from '../data.js';
import { num, pct } from '../format.js';
import type { Query } from '../api.js';
import type { ViewContext } from '../panel.js';
import type { ModelInfo } from '../types.js';
import { headlineMetric } from './common.js';

const HOUR = 3_600_000;

/**
 * Range split into at most `max` aligned buckets of whole days (hours for ranges up to 2 days), so they line
 * up with the timeseries windows.
 */
export function buckets(from: number, to: number, max = 15): { granularity: 'day' | 'hour'; list: Array<[number, number]> } {
  const granularity = to - from > 2 * 24 * HOUR ? 'day' : 'hour';
  const unit = granularity === 'day' ? 24 * HOUR : HOUR;
  const size = unit * Math.max(1, Math.ceil((to - from) / unit / max));
  const list: Array<[number, number]> = [];
  for (let t = Math.floor(from / size) * size; t < to; t += size) list.push([t, t + size]);
  return { granularity, list };
}

/**
 * Realized quality per bucket (labelled events, with the 95% CI as a band) beside the CBPE estimate and the
 * reference value: one /performance call per bucket, for the headline metric only (labels are joined at query time).
 */
export async function qualityChart(ctx: ViewContext, m: ModelInfo, q: Query, annotations: () => Promise<Annotation[]>): Promise<HTMLElement> {
  const hm = headlineMetric(m);
  const { list: bs, granularity } = buckets(ctx.range.from, ctx.range.to);
  const [perf, est, notes] = await Promise.all([
    pool(bs, 3, ([from, to]) => performance(m.name, { from, to, label: '' }, { ...q, segments: 'false', metrics: hm.key }).catch(() => null)),
    m.outputKind === 'binary' ? series(m.name, 'estimatedAccuracy', ctx.range, { ...q, granularity }) : Promise.resolve(null),
    annotations(),
  ]);
  const t = bs.map(([f]) => f);
  const pick = (i: number, k: 'value' | 'lo' | 'hi'): number | null => {
    const v = perf[i]?.realized?.metrics[hm.key];
    if (!v || v.value === null) return null;
    return k === 'value' ? v.value : v.ci ? v.ci[k === 'lo' ? 0 : 1] : v.value;
  };
  const estByT = new Map((est?.points ?? []).map((p) => [p.t, p.value]));
  const ref = perf.find((p) => p?.reference)?.reference?.metrics[hm.key]?.value ?? null;
  const fmt = hm.key === 'accuracy' ? (v: number) => pct(v) : (v: number) => num(v, 2);
  return timeChart({
    title: `${hm.label}: realized (95% CI) vs ${m.outputKind === 'binary' ? 'estimated (CBPE)' : 'reference'}`,
    testid: 'quality-chart', t, format: fmt,
    series: [
      { label: `realized ${hm.label}`, values: t.map((_, i) => pick(i, 'value')), color: '#16a34a' },
      { label: 'CI upper', values: t.map((_, i) => pick(i, 'hi')), color: 'rgba(22, 163, 74, 0.35)', dash: [2, 2] },
      { label: 'CI lower', values: t.map((_, i) => pick(i, 'lo')), color: 'rgba(22, 163, 74, 0.35)', dash: [2, 2] },
      ...(est ? [{ label: 'estimated (CBPE)', values: t.map((x) => estByT.get(x) ?? null), color: '#9333ea', dash: [6, 3] }] : []),
      ...(ref !== null ? [{ label: 'reference', values: t.map(() => ref), color: '#94a3b8', dash: [2, 4] }] : []),
    ],
    band: { upper: 1, lower: 2, color: 'rgba(22, 163, 74, 0.12)' },
    annotations: notes,
  });
}
