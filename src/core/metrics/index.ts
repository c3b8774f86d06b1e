/**
 * Model performance metrics matching scikit-learn 1.2.1, each with a 95% confidence interval
 * (Wilson for proportions, seeded percentile bootstrap otherwise). Pure: no I/O, no clock,
 * randomness only from the seed. See binary.ts, multiclass.ts and regression-task.ts.
 */
import { binaryMetrics } from './binary.js';
import { multiclassMetrics } from './multiclass.js';
import { regressionMetrics } from './regression-task.js';
import { MetricsInputError, type MetricsInput, type MetricsResult } from './types.js';

export type { Label, MetricValue, MetricsInput, MetricsResult, Task } from './types.js';
export { MetricsInputError } from './types.js';
export { wilsonInterval, Z975 } from './wilson.js';
export { percentile } from './percentile.js';

export function computeMetrics(input: MetricsInput): MetricsResult {
  if (!input || !Array.isArray(input.labels)) throw new MetricsInputError('labels must be an array');
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
