import { BINARY_METRICS, MULTICLASS_METRICS, REGRESSION_METRICS } from '../../core/metrics/index.js';
import { numberOrNull, object, ref, type Schema } from './schema.js';

/** One realized (or reference) metric: its value and 95% interval (core/metrics/types.ts MetricValue). */
export const MetricValue: Schema = object({
  value: { ...numberOrNull, description: 'null when the metric is undefined for the data (see note)' },
  ci: { anyOf: [{ type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 }, { type: 'null' }], description: '95% confidence interval [low, high]; null when it cannot be computed (or ci=false asked for point values: bootstrap metrics)' },
  ciMethod: { enum: ['wilson', 'bootstrap'] },
  resamples: { type: 'integer', minimum: 0, description: 'bootstrap resamples drawn' },
  note: { type: 'string', description: 'why the value or interval is null, or how it was reduced' },
}, ['ciMethod', 'resamples', 'note']);

const METRIC_NAMES = [...new Set<string>([...BINARY_METRICS, ...MULTICLASS_METRICS, ...REGRESSION_METRICS])];
const label: Schema = { type: ['string', 'number'] };

/** Realized metrics of labelled rows, scikit-learn's (core/metrics/types.ts MetricsResult). */
export const MetricsResult: Schema = object({
  task: { enum: ['binary', 'multiclass', 'regression'] },
  n: { type: 'integer', minimum: 0, description: 'rows used' },
  missing: { type: 'integer', minimum: 0, description: 'rows left out for a missing label, prediction or score' },
  classes: { type: 'array', items: label, description: 'classification: binary [negative, positive]; multiclass np.unique order' },
  positiveLabel: label,
  confusionMatrix: { type: 'array', items: { type: 'array', items: { type: 'number' } }, description: 'rows actual, columns predicted, in classes order' },
  metrics: {
    type: 'object', propertyNames: { enum: METRIC_NAMES }, additionalProperties: ref('MetricValue'),
    description: `by name: binary ${BINARY_METRICS.join(', ')}; multiclass ${MULTICLASS_METRICS.join(', ')}; regression ${REGRESSION_METRICS.join(', ')} (those asked for with ?metrics=)`,
  },
}, ['classes', 'positiveLabel', 'confusionMatrix']);
