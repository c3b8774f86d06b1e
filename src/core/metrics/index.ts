/**
 * Model performance metrics matching scikit-learn 1.2.1, each with a 95% confidence interval
 * (Wilson for proportions, seeded percentile bootstrap otherwise). Pure: no I/O, no clock,
 * randomness only from the seed. See binary.ts, multiclass.ts and regression-task.ts.
 */
import { binaryMetrics, BINARY_METRICS } from './binary.js';
import { multiclassMetrics, MULTICLASS_METRICS } from './multiclass.js';
import { regressionMetrics, REGRESSION_METRICS } from './regression-task.js';
import { MetricsInputError, type MetricsInput, type MetricsResult } from './types.js';
import { didYouMean } from '../text/closest.js';

export type { Label, MetricValue, MetricsInput, MetricsResult, Task } from './types.js';
export { MetricsInputError } from './types.js';
export { wilsonInterval, Z975 } from './wilson.js';
export { percentile } from './percentile.js';

export { BINARY_METRICS } from './binary.js';
export { REGRESSION_METRICS } from './regression-task.js';
export { MULTICLASS_METRICS } from './multiclass.js';

/** The metric names of a task (what `only` may list). */
export function metricNames(task: MetricsInput['task']): readonly string[] {
  return task === 'binary' ? BINARY_METRICS : task === 'regression' ? REGRESSION_METRICS : MULTICLASS_METRICS;
}

export function computeMetrics(input: MetricsInput): MetricsResult {
  if (!input || !Array.isArray(input.labels)) throw new MetricsInputError('labels must be an array');
  if (input.only) {
    const known = metricNames(input.task);
    const unknown = input.only.filter((k) => !known.includes(k));
    if (unknown.length > 0) throw new MetricsInputError(`unknown metric ${unknown.map((k) => JSON.stringify(k)).join(', ')} for task ${String(input.task)}; known: ${known.join(', ')}${didYouMean(unknown[0] ?? '', known)}`);
  }
  const out = compute(input);
  if (!input.only) return out;
  const only = input.only;
  return { ...out, metrics: Object.fromEntries(Object.entries(out.metrics).filter(([k]) => only.includes(k))) };
}

function compute(input: MetricsInput): MetricsResult {
  switch (input.task) {
    case 'binary':
      return binaryMetrics(input);
    case 'multiclass':
      return multiclassMetrics(input);
    case 'regression':
      return regressionMetrics(input);
    default:
      throw new MetricsInputError(`unknown task ${JSON.stringify(input.task as unknown)}; expected binary, multiclass or regression`);
  }
}
