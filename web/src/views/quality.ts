import type { Annotation } from '../charts/time.js';
import { timeChart } from '../charts/time.js';
import { performanceBuckets } from '../data.js';
import { h } from '../dom.js';
import { numFormat, pctFormat, time } from '../format.js';
import type { Query } from '../api.js';
import type { ViewContext } from '../panel.js';
import type { ModelInfo } from '../types.js';
import { headlineMetric } from './common.js';

const HOUR = 3_600_000;

/**
 * The bucket size for a range: whole days (hours for ranges up to 2 days), at most `max` buckets, so they line
 * up with the timeseries windows (the server aligns buckets to multiples of it).
 */
export function bucketStep(from: number, to: number, max = 15): { granularity: 'day' | 'hour'; step: number } {
  const granularity = to - from > 2 * 24 * HOUR ? 'day' : 'hour';
  const unit = granularity === 'day' ? 24 * HOUR : HOUR;
  return { granularity, step: unit * Math.max(1, Math.ceil((to - from) / unit / max)) };
}

/**
 * Realized quality per bucket (labelled events, with the 95% CI as a band) beside the CBPE estimate and the
 * reference value: one GET /performance/buckets for the headline metric (labels are joined at query time).
 */
export async function qualityChart(ctx: ViewContext, m: ModelInfo, q: Query, annotations: () => Promise<Annotation[]>): Promise<HTMLElement> {
  const hm = headlineMetric(m);
  const { step } = bucketStep(ctx.range.from, ctx.range.to);
  const [perf, notes] = await Promise.all([performanceBuckets(m.name, ctx.range, step, { ...q, metrics: hm.key }), annotations()]);
  // The buckets start at the range's start (the server clips the first and last to the range) and each carries its
  // CBPE estimate, of the same range as its realized value (a day series sampled at the bucket starts showed only
  // every other day of a 30-day range's 2-day buckets).
  const bs = perf.buckets;
  const t = bs.map((b) => b.from);
  const pick = (i: number, k: 'value' | 'lo' | 'hi'): number | null => {
    const v = bs[i]?.realized?.metrics[hm.key];
    if (!v || v.value === null) return null;
    return k === 'value' ? v.value : v.ci ? v.ci[k === 'lo' ? 0 : 1] : v.value;
  };
  const estimated = hm.key === 'accuracy' ? bs.map((b) => b.estimated?.accuracy ?? null) : [];
  const hasEstimate = estimated.some((v) => v !== null);
  const ref = perf.reference?.metrics[hm.key]?.value ?? null;
  const fmt = hm.key === 'accuracy' ? pctFormat(1) : numFormat(2);
  const chart = timeChart({
    title: `${hm.label}: realized (95% CI) vs ${hasEstimate ? 'estimated (CBPE)' : 'reference'}`,
    testid: 'quality-chart', t, format: fmt,
    series: [
      { label: `realized ${hm.label}`, values: t.map((_, i) => pick(i, 'value')), color: '#16a34a' },
      { label: 'CI upper', values: t.map((_, i) => pick(i, 'hi')), color: 'rgba(22, 163, 74, 0.35)', dash: [2, 2] },
      { label: 'CI lower', values: t.map((_, i) => pick(i, 'lo')), color: 'rgba(22, 163, 74, 0.35)', dash: [2, 2] },
      ...(hasEstimate ? [{ label: 'estimated (CBPE)', values: estimated, color: '#9333ea', dash: [6, 3] }] : []),
      ...(ref !== null ? [{ label: 'reference', values: t.map(() => ref), color: '#94a3b8', dash: [2, 4] }] : []),
    ],
    band: { upper: 1, lower: 2, color: 'rgba(22, 163, 74, 0.12)' },
    annotations: notes,
  });
  // No labels (or none for the range's last buckets): say why the realized line is missing or stops, which
  // otherwise reads as a gap in the traffic.
  const last = [...bs].reverse().find((b) => b.labelled > 0);
  const cbpe = hasEstimate ? '; the CBPE estimate is drawn without them' : '';
  // buckets whose events retention.eventsDays deleted with their labels (labelCoverageNote): not labels never sent (audit 24)
  const gone = bs.find((b) => b.labelled === 0 && b.labelCoverageNote !== undefined);
  const note = !last && gone ? `No labelled events in this range: ${gone.realizedNote ?? gone.labelCoverageNote ?? ''}${cbpe}.`
    : !last ? `No labelled events in this range: realized ${hm.label} needs labels (POST /v1/labels, joined by event id)${cbpe}.`
    : last.to + step <= ctx.range.to ? `No labelled events after ${time(last.to)}: realized ${hm.label} stops there (labels not received yet)${cbpe}.` : null;
  if (note) chart.insertBefore(h('p.muted', { 'data-testid': 'no-labels' }, note), chart.children[1] ?? null);
  return chart;
}
