import type { Annotation } from '../charts/time.js';
import { timeChart } from '../charts/time.js';
import { performanceBuckets } from '../data.js';
import { h } from '../dom.js';
import { num, numFormat } from '../format.js';
import type { Query } from '../api.js';
import type { ViewContext } from '../panel.js';
import type { ModelInfo } from '../types.js';
import { headlineMetric } from './common.js';
import { bucketStep } from './quality.js';

/**
 * Label drift per bucket: the labels of each bucket's labelled events against the reference's labels (the `labelDrift`
 * of GET /performance/buckets), with the method's threshold. A p-value (KS,
 * chi-squared) drifts below its threshold, a distance above it. Says why there is nothing to draw (a reference without
 * labels, no labelled events).
 */
export async function labelDriftChart(ctx: ViewContext, m: ModelInfo, q: Query, annotations: () => Promise<Annotation[]>): Promise<HTMLElement> {
  const { step } = bucketStep(ctx.range.from, ctx.range.to);
  // without the bootstrap CIs (ci=false): only labelDrift is drawn here, and the quality chart's request with CIs, which
  // may run at the same time, is not computed twice
  const [perf, notes] = await Promise.all([performanceBuckets(m.name, ctx.range, step, { ...q, metrics: headlineMetric(m).key, ci: 'false' }), annotations()]);
  const bs = perf.buckets;
  const first = bs.find((b) => b.labelDrift !== null)?.labelDrift ?? null;
  if (!first) {
    const why = bs.find((b) => b.labelDriftNote !== undefined && b.labelDriftNote !== 'no labelled events in the range')?.labelDriftNote ?? 'no labelled events in this range';
    return h('p.muted', { 'data-testid': 'no-label-drift' }, `No label drift: ${why}.`);
  }
  const pValue = /^(ks|chisquare)$/.test(first.method);
  return timeChart({
    title: `Label drift score (${first.method}; drifted ${pValue ? 'below' : 'above'} ${num(first.threshold, 3)})`,
    testid: 'label-drift-chart', t: bs.map((b) => b.from), format: numFormat(3), yMin: 0,
    series: [{ label: 'label drift score', values: bs.map((b) => b.labelDrift?.score ?? null), color: '#0891b2', points: true }],
    threshold: { value: first.threshold, label: `threshold ${num(first.threshold, 3)}` },
    annotations: notes,
  });
}
