import { POLICY_KINDS } from '../../core/routing/policy.js';
import { epochMs, object, orNull, ref, type Schema } from './schema.js';

/** Where a version's bytes are (storage/registry.ts ArtifactRef): uploaded ("artifact:SHA256") or a reference kept elsewhere. */
export const ArtifactRef: Schema = object({
  uri: { type: 'string', description: '"artifact:SHA256" for bytes uploaded here (GET /v1/artifacts/SHA256), else the path or URL given' },
  sha256: { type: ['string', 'null'], pattern: '^[0-9a-f]{64}$', description: 'null for a reference registered without its digest' },
  size: { type: ['integer', 'null'], minimum: 0, description: 'bytes; null for a reference registered without its size' },
});

const lineage: Schema = {
  type: 'object', description: 'immutable; {} when none was given',
  properties: {
    gitCommit: { type: 'string' }, dataVersion: { type: 'string' }, hyperparameters: { type: 'object' },
    metrics: { type: 'object', additionalProperties: { type: 'number' } }, referenceProfile: { type: 'string' },
  },
};

/** A registered version as stored (storage/registry.ts RegistryVersionRecord): PUT and PATCH .../versions/:version. */
export const RegistryVersion: Schema = object({
  model: { type: 'string' },
  version: { type: 'string' },
  createdAt: epochMs,
  createdBy: { type: ['string', 'null'] },
  artifact: orNull(ref('ArtifactRef')),
  lineage,
  tags: { type: 'array', items: { type: 'string' } },
  notes: { type: ['string', 'null'] },
  upstream: { type: ['string', 'null'], description: 'the model server answering for this version (the gateway)' },
});

/**
 * A version as GET .../versions lists it (registry.ts listVersions): every version the model has, registered in the
 * registry or only declared (POST /v1/models/:name/versions: registered false, no artifact, lineage {}), with its
 * aliases and kill switch.
 */
export const VersionEntry: Schema = object({
  version: { type: 'string' },
  createdAt: epochMs,
  registered: { type: 'boolean' },
  artifact: orNull(ref('ArtifactRef')),
  lineage,
  tags: { type: 'array', items: { type: 'string' } },
  notes: { type: 'string', description: 'absent when there is none' },
  upstream: { type: ['string', 'null'] },
  createdBy: { type: ['string', 'null'] },
  paused: { type: 'boolean', description: 'paused by its kill switch or the model\'s' },
  aliases: { type: 'array', items: { type: 'string' }, description: 'the aliases pointing to it' },
}, ['notes']);

/** GET /v1/models/:name/versions. */
export const VersionList: Schema = object({ versions: { type: 'array', items: ref('VersionEntry') } });

/** GET /v1/models/:name/versions/:version. */
export const VersionEntryAnswer: Schema = object({ version: ref('VersionEntry') });

/** PATCH .../versions/:version. */
export const RegistryVersionAnswer: Schema = object({ version: ref('RegistryVersion') });

/** PUT .../versions/:version: 201 registered, 200 the same registration again (a different one: 409). */
export const RegisterAnswer: Schema = object({
  version: ref('RegistryVersion'),
  created: { type: 'boolean' },
  warnings: {
    type: 'array', items: object({ monitor: { type: 'string' }, problem: { type: 'string' } }),
    description: 'the model\'s monitors its declaration no longer fits (absent when none)',
  },
}, ['warnings']);

/** PUT .../versions/:version/artifact: 201 stored, 200 the same bytes again. */
export const ArtifactAnswer: Schema = object({ artifact: ref('ArtifactRef'), created: { type: 'boolean' } });

/** GET /v1/registry/limits. */
export const RegistryLimits: Schema = object({ maxArtifactBytes: { type: ['integer', 'null'], minimum: 0, description: 'null: no limit' } });

/** GET /v1/models/:name/aliases: alias -> version. */
export const AliasMap: Schema = object({ aliases: { type: 'object', additionalProperties: { type: 'string' } } });

/** An alias moved (PUT .../aliases/:alias, POST .../rollback; registry.ts AliasResult). */
export const AliasChange: Schema = object({
  alias: { type: 'string' },
  version: { type: 'string', description: 'the version it points to now' },
  previous: { type: ['string', 'null'], description: 'the version it pointed to before; null when it was unset' },
});

/** A deployment: an alias moved, or a kill switch (storage/registry.ts DeploymentRecord). */
export const Deployment: Schema = object({
  id: { type: 'string' },
  model: { type: 'string' },
  at: epochMs,
  alias: { type: 'string', description: '"" for a pause or resume of the whole model' },
  from: { type: ['string', 'null'] },
  to: { type: 'string' },
  by: { type: 'string' },
  reason: { type: 'string' },
  kind: { enum: ['set', 'promote', 'rollback', 'pause', 'resume'] },
});

/** GET /v1/models/:name/deployments. */
export const DeploymentList: Schema = object({ deployments: { type: 'array', items: ref('Deployment') } });

/** POST /v1/models/:name/pause|resume, and a version's (with `version`). */
export const KillSwitchAnswer: Schema = object({
  model: { type: 'string' },
  version: { type: 'string', description: 'a version\'s switch only' },
  paused: { type: 'boolean', description: 'whether it is paused now' },
  changed: { type: 'boolean', description: 'false when it was already so (nothing recorded)' },
}, ['version']);

const staticResponse: Schema = object({
  prediction: { type: ['string', 'number'] }, score: { type: 'number' }, scores: { type: 'array', items: { type: 'number' } },
}, ['score', 'scores']);

/** How the gateway serves a model (registry/serving.ts ServingConfig, its defaults filled). */
export const ServingConfig: Schema = object({
  alias: { type: 'string' },
  timeoutMs: { type: 'number' },
  deadlineMs: { type: 'number' },
  fallback: { type: 'array', items: { anyOf: [object({ version: { type: 'string' } }), object({ static: staticResponse })] } },
  policy: {
    type: 'object', required: ['kind'],
    properties: {
      kind: { enum: [...POLICY_KINDS] }, candidate: { type: 'string' }, percent: { type: 'number' }, stickyKey: { type: 'string' }, standby: { type: 'string' },
    },
  },
  routeKey: { type: 'string' },
}, ['deadlineMs', 'routeKey']);

/** GET/PUT /v1/models/:name/serving. */
export const ServingAnswer: Schema = object({ serving: ref('ServingConfig') });

/** POST /v1/admin/snapshots (storage/snapshot-dir.ts SnapshotResult). */
export const SnapshotMade: Schema = object({
  name: { type: 'string' }, dir: { type: 'string' }, bytes: { type: 'integer', minimum: 0 }, ms: { type: 'integer', minimum: 0 },
  removed: { type: 'array', items: { type: 'string' }, description: 'older snapshots removed (keep), oldest last' },
});

/** GET /v1/admin/snapshots: newest first (storage/snapshot-list.ts SnapshotInfo). */
export const SnapshotList: Schema = object({
  snapshots: {
    type: 'array',
    items: object({ name: { type: 'string' }, dir: { type: 'string' }, bytes: { type: 'integer', minimum: 0 }, createdAt: epochMs, completedAt: epochMs }),
  },
});

/** POST /v1/models/:name/predict (gateway.ts PredictResult body): the upstream's answer, with the version that gave it. */
export const Prediction: Schema = object({
  prediction: { type: ['string', 'number'] },
  score: { type: 'number', description: 'when the upstream gave one' },
  scores: { type: 'array', items: { type: 'number' }, description: 'when the upstream gave them' },
  version: { type: 'string', description: 'the version that answered ("fallback:static" for a static answer)' },
  id: { type: 'string', description: 'the prediction\'s id (labels name it)' },
  fallback: { type: 'string', description: 'the fallback step that answered (absent when the routed version did)' },
}, ['score', 'scores', 'fallback']);

const arm: Schema = object({
  n: { type: 'integer', minimum: 0 }, errors: { type: 'integer', minimum: 0 }, p50Ms: { type: ['number', 'null'] }, p95Ms: { type: ['number', 'null'] },
  predictions: { type: 'object', additionalProperties: { type: 'integer' }, description: 'count by predicted class' },
  meanConfidence: { type: ['number', 'null'] },
});

/** GET /v1/models/:name/shadow: the paired comparison of the primary and a candidate (pairs null without both). */
export const ShadowReport: Schema = object({
  primary: { type: ['string', 'null'] },
  candidate: { type: ['string', 'null'] },
  since: epochMs,
  pairs: orNull(object({
    n: { type: 'integer', minimum: 0 }, disagreements: { type: 'integer', minimum: 0 }, disagreementRate: { type: ['number', 'null'] },
    failures: { type: 'integer', minimum: 0 }, skipped: { type: 'integer', minimum: 0 }, meanLatencyDeltaMs: { type: ['number', 'null'] },
  })),
  predictionDrift: object({ method: { const: 'psi' }, value: { type: ['number', 'null'] } }),
  arms: object({ primary: arm, candidate: arm }),
}, ['since', 'predictionDrift', 'arms']);
