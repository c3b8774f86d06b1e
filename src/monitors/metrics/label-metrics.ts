import type { MetricsResult } from '../../core/metrics/index.js';
import { percentileSorted } from '../../core/metrics/percentile.js';
import { labelDelayMs, realized } from '../../monitoring/performance.js';
import type { MetricValue, MonitorMetric } from './types.js';

/** Metric ids of monitors -> names in MetricsResult.metrics. */
const LABELLED: ReadonlyArray<[id: string, key: string, better: 'higher' | 'lower']> = [
  ['accuracy', 'accuracy', 'higher'], ['precision', 'precision', 'higher'], ['recall', 'recall', 'higher'], ['f1', 'f1', 'higher'],
  ['auc', 'rocAuc', 'higher'], ['mae', 'mae', 'lower'], ['rmse', 'rmse', 'lower'],
];

function pick(r: MetricsResult | null | undefined, key: string): number | null {
  const m = r?.metrics[key];
  return m && typeof m.value === 'number' && Number.isFinite(m.value) ? m.value : null;
}

export const LABEL_METRICS: MonitorMetric[] = [
  ...LABELLED.map(([id, key, better]): MonitorMetric => ({
    id, description: `realized ${id} from labels joined by prediction id (event time in the window)`,
    direction: () => (better === 'higher' ? 'below' : 'above'), feature: 'none', source: 'labels', defaultMinSamples: 50,
    async value(ctx): Promise<MetricValue> {
      const labelled = await ctx.labelled();
      const r = realized(ctx.model, ctx.v, labelled, 0, 0);
      return { value: pick(r, key), samples: r?.n ?? 0 };
    },
    reference: (v) => pick(v.reference?.profile.metrics, key),
  })),
  {
    id: 'labelDelay', description: 'p95 delay between an event and its label (ms), over events labelled so far',
    direction: () => 'above', feature: 'none', source: 'labels', defaultMinSamples: 20,
    async value(ctx): Promise<MetricValue> {
      const d = Float64Array.from((await ctx.labelled()).map(labelDelayMs)).sort();
      return { value: d.length ? percentileSorted(d, 95) : null, samples: d.length }; // as /performance's labelDelayMs.p95
    },
    reference: () => null,
  },
  {
    id: 'freshness', description: 'time since the newest event (ms): data freshness',
    direction: () => 'above', feature: 'none', source: 'store', defaultMinSamples: 0,
    async value(ctx): Promise<MetricValue> {
      const f = await ctx.freshness();
      return { value: f.ms, samples: Number.MAX_SAFE_INTEGER, detail: { eventsInLookback: f.events } };
    },
    reference: () => null,
  },
];
