/** Regression: mae, rmse, mape, r2 with row-bootstrap intervals. */
import { bootstrapMetric, rowBootstrap, rowPlan, rowRng } from './bootstrap.js';
import { isMissing } from './labels.js';
import { npMean } from './npsum.js';
import { allUndefined, bootstrapSettings, checkLength, describe } from './options.js';
import { regressionTerms, regressionValues, weightedRegression } from './regression.js';
import { MetricsInputError, undefinedMetric, type Label, type MetricValue, type MetricsInput, type MetricsResult } from './types.js';

export const REGRESSION_METRICS = ['mae', 'rmse', 'mape', 'r2'] as const;

function toNumber(v: Label, what: string, row: number): number {
  const x = typeof v === 'number' ? v : Number(v.trim());
  if (!Number.isFinite(x)) throw new MetricsInputError(`regression ${what} must be finite numbers (row ${row} is ${describe(v)})`);
  return x;
}

export function regressionMetrics(input: MetricsInput): MetricsResult {
  const { labels, predictions } = input;
  const n0 = labels.length;
  const boot = bootstrapSettings(input.seed, input.resamples);
  if (!predictions) throw new MetricsInputError('regression metrics need predictions');
  checkLength('predictions', predictions.length, n0);
  const yList: number[] = [];
  const pList: number[] = [];
  for (let i = 0; i < n0; i++) {
    const t = labels[i];
    const p = predictions[i];
    if (isMissing(t) || isMissing(p)) continue;
    yList.push(toNumber(t as Label, 'labels', i));
    pList.push(toNumber(p as Label, 'predictions', i));
  }
  const n = yList.length;
  const base = { task: 'regression' as const, n, missing: n0 - n };
  if (n === 0) return { ...base, metrics: allUndefined(REGRESSION_METRICS, 'no rows with both a label and a prediction') };

  const y = Float64Array.from(yList);
  const terms = regressionTerms(y, Float64Array.from(pList));
  const v = regressionValues(y, terms);
  const plan = rowPlan(n, boot.resamples);
  const center = npMean(y);
  const stats = rowBootstrap(n, plan, rowRng(boot.seed), 4, (w) => weightedRegression(y, terms, center, w));
  const metrics: Record<string, MetricValue> = {};
  metrics.mae = bootstrapMetric(v.mae, stats[0] as number[], plan.resamples, plan.note);
  metrics.rmse = bootstrapMetric(v.rmse, stats[1] as number[], plan.resamples, plan.note);
  metrics.mape = bootstrapMetric(v.mape, stats[2] as number[], plan.resamples, plan.note);
  metrics.r2 = v.r2 === null
    ? undefinedMetric('r2 is undefined with fewer than two rows')
    : bootstrapMetric(v.r2, stats[3] as number[], plan.resamples, plan.note);
  return { ...base, metrics };
}
