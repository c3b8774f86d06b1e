import { epochMs, object, orNull, ref, type Schema } from './schema.js';

/** A version as GET /v1/models lists it, with its reference's description (not its profile). */
const version: Schema = object({
  version: { type: 'string' },
  createdAt: epochMs,
  metadata: { type: 'object', description: '{} when none was given' },
  reference: orNull(object({
    rows: { type: 'integer', minimum: 0 },
    source: { type: 'object', description: 'a file\'s (file, options) or a range\'s (from, to, version)' },
    createdAt: epochMs,
    metrics: { anyOf: [ref('MetricsResult'), { type: 'null' }], description: 'null without labels in the reference' },
  })),
});

/** A model's declaration and its versions (GET /v1/models/:name, an item of GET /v1/models). */
export const Model: Schema = object({
  name: { type: 'string' },
  outputKind: { enum: ['binary', 'multiclass', 'regression'] },
  inputSchema: { type: 'object', description: 'JSON Schema of an event\'s features' },
  segmentKeys: { type: 'array', items: { type: 'string' } },
  classes: { type: 'array', items: { type: 'string' } },
  description: { type: 'string' },
  createdAt: epochMs,
  updatedAt: epochMs,
  versions: { type: 'array', items: version },
  defaultVersion: {
    type: ['string', 'null'],
    description: 'the version queries, monitors and SLOs without a version read: the one the serving alias (production by default) points to, else the newest; null without versions (audit 26: the newest always)',
  },
  warnings: {
    type: 'array', items: object({ monitor: { type: 'string' }, feature: { type: 'string' }, problem: { type: 'string' } }, ['monitor', 'feature']),
    description: 'POST /v1/models and /versions: the model\'s monitors its declaration no longer fits (`monitor`); PUT .../reference: the features the file has no column of, whose drift is not measured (`feature`). Absent when none',
  },
}, ['classes', 'description', 'warnings']);

/** GET /v1/models. */
export const ModelList: Schema = object({
  models: { type: 'array', items: ref('Model') },
  next: { type: ['string', 'null'], description: 'cursor of the next page (as after); null on the last or without limit' },
});
