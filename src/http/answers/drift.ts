import { knownDriftMethods } from '../../core/drift/registry.js';
import { withHead } from './head.js';
import { count, numberOrNull, object, ref, type Schema } from './schema.js';


/** Data quality figures compared by drift (core/drift/types.ts FeatureQuality). */
const quality: Schema = object({
  missingReference: { type: 'number', description: 'share of reference rows missing (0..1)' },
  missingCurrent: { type: 'number' },
  outOfRange: { type: 'number', description: 'share of current values outside the reference [min, max] (numerical)' },
  typeMismatch: count,
  constantReference: { type: 'boolean' },
  constantCurrent: { type: 'boolean' },
});

/**
 * Every statistic computed for a feature (its kind's: KS, Wasserstein, ... for a numerical one, chi-squared for a
 * categorical one); only `quality` when one side has no value. A float64 overflow (values near 1e308) is written null.
 */
const stats: Schema = object({
  quality,
  ks: object({ statistic: { type: 'number' }, pValue: { type: 'number' }, method: { enum: ['exact', 'asymp', 'sketch'] }, errorBound: { type: 'number' } }, ['errorBound']),
  wasserstein: numberOrNull,
  wassersteinNormalized: { ...numberOrNull, description: 'null when the reference is constant (std 0)' },
  psi: numberOrNull,
  jensenShannon: numberOrNull,
  hellinger: numberOrNull,
  binEdges: { type: 'array', items: { type: 'number' } },
  binShares: { const: 'sketch', description: 'bin shares read from sketches (approximate PSI / Jensen-Shannon / Hellinger)' },
  chiSquare: object({ statistic: numberOrNull, pValue: numberOrNull, dof: { type: 'integer' } }),
  newCategories: { type: 'array', items: { type: 'string' } },
  other: object({ reference: count, current: count }, [], { description: 'the bucket of categories beyond the cap of 200' }),
}, ['ks', 'wasserstein', 'wassersteinNormalized', 'psi', 'jensenShannon', 'hellinger', 'binEdges', 'binShares', 'chiSquare', 'newCategories', 'other']);

/** One feature's (or the prediction's, or the labels') drift against the reference (core/drift/types.ts FeatureDrift). */
export const FeatureDrift: Schema = object({
  name: { type: 'string', description: 'the feature; __prediction for the prediction, __label for the labels' },
  kind: { enum: ['numerical', 'categorical'] },
  method: { enum: knownDriftMethods(), description: 'the drift method used' },
  threshold: { type: 'number' },
  autoSelected: { type: 'boolean', description: 'whether the method was chosen by the feature\'s kind and the reference\'s size' },
  score: { ...numberOrNull, description: 'the method\'s score (p-value or distance); null when it cannot be computed (see note)' },
  drifted: { type: 'boolean' },
  stats,
  note: { type: 'string' },
}, ['note']);

/** Dataset drift: the share of drifted features against driftShare (core/drift/types.ts DatasetDrift). */
export const DatasetDrift: Schema = object({
  share: { type: 'number', description: 'drifted features / features (0 without features)' },
  drifted: { type: 'boolean' },
  threshold: { type: 'number', description: 'the driftShare used' },
  driftedFeatures: count,
  features: count,
});

/** GET /v1/models/:name/drift. */
export const DriftAnswer: Schema = withHead({
  features: { type: 'array', items: ref('FeatureDrift') },
  skipped: { type: 'array', items: object({ name: { type: 'string' }, reason: { type: 'string' } }), description: 'features whose column the reference lacks' },
  prediction: { anyOf: [ref('FeatureDrift'), { type: 'null' }], description: 'the prediction\'s drift; null when the reference has no prediction' },
  datasetDrift: ref('DatasetDrift'),
  referenceRows: count,
  currentEvents: count,
  note: { type: 'string' },
});
