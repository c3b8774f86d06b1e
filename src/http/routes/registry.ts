import { unknownVersionMessage } from '../../models/known-names.js';
import type { FastifyInstance } from 'fastify';
import type { RegistryServices } from '../../gateway/services.js';
import { artifactTooLarge } from '../../registry/artifact-limit.js';
import { SHA256 } from '../../registry/artifacts.js';
import type { RegisterInput } from '../../registry/registry.js';
import { parseVersionSort } from '../../registry/version-order.js';
import type { AppDeps } from '../deps.js';
import { answer, withAnswer, type AnswerName } from '../answers/index.js';
import { OWN_BODY, refuseUnknownFields, withBody } from '../body-fields.js';
import { ApiError } from '../errors.js';
import { checkRangeOrder, parseTime } from '../params.js';
import { monitorWarnings } from './monitor-warnings.js';
import { actor, knownFields, objectBody, reasonOf, useRegistryErrors } from './registry-errors.js';

/** What PUT /v1/models/:name/aliases/:alias reads of its body. */
const ALIAS_FIELDS = ['version', 'reason', 'by', 'expectFrom'] as const;

type P = { name: string; version: string };

const isStream = (b: unknown): b is AsyncIterable<Uint8Array> => typeof b === 'object' && b !== null && Symbol.asyncIterator in b;

const registerBody = {
  type: 'object', additionalProperties: false,
  properties: {
    lineage: {
      type: 'object', additionalProperties: false,
      properties: {
        gitCommit: { type: 'string', maxLength: 200 }, dataVersion: { type: 'string', maxLength: 500 }, hyperparameters: { type: 'object' },
        metrics: { type: 'object', additionalProperties: { type: 'number' } }, referenceProfile: { type: 'string', maxLength: 2000 },
      },
    },
    tags: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 100 }, maxItems: 50 },
    notes: { type: 'string', maxLength: 20000 },
    upstream: { type: 'string', maxLength: 2000 },
    artifact: {
      type: 'object', additionalProperties: false, required: ['uri'],
      properties: { uri: { type: 'string', minLength: 1, maxLength: 2000 }, sha256: { type: 'string', pattern: '^[0-9a-fA-F]{64}$', description: 'hex, either case (recorded in lowercase)' }, size: { type: 'integer', minimum: 0 } },
    },
    by: { type: 'string', maxLength: 200 },
  },
} as const;

const patchBody = {
  type: 'object', additionalProperties: false,
  properties: {
    tags: registerBody.properties.tags, notes: { type: ['string', 'null'], maxLength: 20000 }, upstream: { type: ['string', 'null'], maxLength: 2000 },
  },
} as const;

/** Registry API: versions, artifacts, aliases, deployment history, rollback, pause/resume, serving config. */
export function registryRoutes(deps: AppDeps, s: RegistryServices) {
  const { registry } = s;
  return async (app: FastifyInstance): Promise<void> => {
    useRegistryErrors(app);
    // an artifact's bytes are handed over as the request stream: written to disk as they come, up to registry.maxArtifactMb
    app.addContentTypeParser('application/octet-stream', (_req, payload, done) => done(null, payload));
    // the query parameters each route reads (known-query.ts): any other is a 400 unknown_parameter
    const read = { onRequest: deps.keys.hook('read'), config: { query: [] } };
    const readWith = (...query: string[]) => ({ onRequest: deps.keys.hook('read'), config: { query } });
    const admin = { onRequest: deps.keys.hook('admin'), config: { query: [] } };
    /** `base` answering `name` (with `status`: 200 by default). */
    const says = <T extends { config: object }>(base: T, name: AnswerName, description: string, status: number | readonly number[] = 200): T => withAnswer(base, answer(name, description, status));

    // what a client checks before registering a version it means to upload an artifact for (null: no limit)
    app.get('/v1/registry/limits', says(read, 'RegistryLimits', 'the largest artifact upload accepted'), async () => ({ maxArtifactBytes: Number.isFinite(registry.maxArtifactBytes) ? registry.maxArtifactBytes : null }));

    app.get<{ Params: P; Querystring: Record<string, string | undefined> }>('/v1/models/:name/versions', says(readWith('sort'), 'VersionList', 'every version of the model, registered or only declared'), async (req) => (
      { versions: await registry.listVersions(req.params.name, parseVersionSort(req.query['sort'])) }));

    app.get<{ Params: P }>('/v1/models/:name/versions/:version', says(read, 'VersionEntryAnswer', 'the version, as the list shows it'), async (req) => {
      const all = await registry.listVersions(req.params.name);
      const v = all.find((x) => x['version'] === req.params.version);
      if (!v) throw new ApiError('unknown_version', unknownVersionMessage(req.params.name, req.params.version, all.map((x) => String(x['version']))));
      return { version: v };
    });

    app.put<{ Params: P; Body: RegisterInput }>('/v1/models/:name/versions/:version', { ...says(withBody(admin, OWN_BODY), 'RegisterAnswer', '201: registered; 200: the same registration again', [201, 200]), preValidation: knownFields(Object.keys(registerBody.properties)), schema: { body: registerBody } }, async (req, reply) => {
      const body = req.body ?? {};
      const { record, created } = await registry.registerVersion(req.params.name, { ...body, version: req.params.version, by: actor(deps, req, 'admin', body.by) });
      void reply.status(created ? 201 : 200);
      return { version: record, created, ...monitorWarnings(deps, req.params.name) };
    });

    app.patch<{ Params: P; Body: { tags?: string[]; notes?: string | null; upstream?: string | null } }>('/v1/models/:name/versions/:version', { ...says(withBody(admin, OWN_BODY), 'RegistryVersionAnswer', 'the version as updated'), preValidation: knownFields(Object.keys(patchBody.properties)), schema: { body: patchBody } }, async (req) => (
      { version: await registry.updateVersion(req.params.name, req.params.version, req.body ?? {}) }));

    app.put<{ Params: P }>('/v1/models/:name/versions/:version/artifact', { ...admin, config: { mediaTypes: ['application/octet-stream'], upload: true, query: [], body: OWN_BODY, answer: answer('ArtifactAnswer', '201: stored and attached; 200: the same bytes again', [201, 200]) } }, async (req, reply) => {
      if (!isStream(req.body)) throw new ApiError('unsupported_media_type', 'send the artifact bytes as application/octet-stream');
      // refused before a byte is read: the client says it will send more than the limit
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > registry.maxArtifactBytes) throw artifactTooLarge(registry.maxArtifactBytes, declared);
      const { artifact, created } = await registry.uploadArtifact(req.params.name, req.params.version, req.body);
      void reply.status(created ? 201 : 200);
      return { artifact, created };
    });

    app.get<{ Params: { sha256: string } }>('/v1/artifacts/:sha256', read, async (req, reply) => {
      if (!SHA256.test(req.params.sha256)) throw new ApiError('bad_request', 'artifact address must be a lowercase hex SHA-256');
      const file = await s.artifacts.open(req.params.sha256);
      if (file === null) throw new ApiError('not_found', `no artifact ${req.params.sha256}`);
      void reply.header('content-type', 'application/octet-stream').header('content-length', file.size).header('x-lookout-sha256', req.params.sha256);
      return reply.send(file.stream);
    });

    app.get<{ Params: P }>('/v1/models/:name/aliases', says(read, 'AliasMap', 'alias -> version'), async (req) => ({ aliases: await registry.aliases(req.params.name) }));

    app.put<{ Params: { name: string; alias: string }; Body: unknown }>('/v1/models/:name/aliases/:alias', says(withBody(admin, OWN_BODY), 'AliasChange', 'the alias moved'), async (req) => {
      const b = objectBody(req.body);
      refuseUnknownFields(req, ALIAS_FIELDS);
      if (typeof b['version'] !== 'string') throw new ApiError('bad_request', 'body needs "version"');
      const expect = b['expectFrom'];
      // ignored, a malformed expectFrom would move the alias without the check the caller asked for
      if (expect !== undefined && expect !== null && typeof expect !== 'string') throw new ApiError('bad_request', '"expectFrom" must be the version the alias points to now, or null for an unset alias');
      return registry.setAlias(req.params.name, req.params.alias, b['version'], {
        reason: reasonOf(b), by: actor(deps, req, 'admin', b['by']), ...((typeof expect === 'string' || expect === null) && { expectFrom: expect }),
      });
    });

    app.get<{ Params: P; Querystring: Record<string, string | undefined> }>('/v1/models/:name/deployments', says(readWith('from', 'to'), 'DeploymentList', 'alias moves and kill switches, oldest first'), async (req) => {
      const from = parseTime(req.query['from'], 'from') ?? 0;
      const to = parseTime(req.query['to'], 'to') ?? Number.MAX_SAFE_INTEGER;
      // swapped bounds would answer an empty history, as if the model had never been deployed
      checkRangeOrder(from, to);
      return { deployments: await registry.deployments(req.params.name, from, to) };
    });

    app.post<{ Params: P; Body: unknown }>('/v1/models/:name/rollback', says(withBody(admin, ['alias', 'reason', 'by']), 'AliasChange', 'the alias moved back'), async (req) => {
      const b = objectBody(req.body);
      const alias = typeof b['alias'] === 'string' ? b['alias'] : 'production';
      return registry.rollback(req.params.name, alias, reasonOf(b), actor(deps, req, 'admin', b['by']));
    });

    for (const action of ['pause', 'resume'] as const) {
      app.post<{ Params: P; Body: unknown }>(`/v1/models/:name/${action}`, says(withBody(admin, ['by', 'reason']), 'KillSwitchAnswer', `the model's kill switch (${action})`), async (req) => {
        const b = objectBody(req.body);
        const changed = await registry[action](req.params.name, undefined, actor(deps, req, 'admin', b['by']), reasonOf(b, false) || action);
        return { model: req.params.name, paused: registry.control(req.params.name).modelPaused, changed };
      });
      app.post<{ Params: P; Body: unknown }>(`/v1/models/:name/versions/:version/${action}`, says(withBody(admin, ['by', 'reason']), 'KillSwitchAnswer', `the version's kill switch (${action})`), async (req) => {
        const b = objectBody(req.body);
        const changed = await registry[action](req.params.name, req.params.version, actor(deps, req, 'admin', b['by']), reasonOf(b, false) || action);
        return { model: req.params.name, version: req.params.version, paused: registry.control(req.params.name).pausedVersions.has(req.params.version), changed };
      });
    }

    app.get<{ Params: P }>('/v1/models/:name/serving', says(read, 'ServingAnswer', 'how the gateway serves the model'), async (req) => {
      registry.requireModel(req.params.name);
      return { serving: registry.control(req.params.name).serving };
    });

    app.put<{ Params: P; Body: unknown }>('/v1/models/:name/serving', says(withBody(admin, OWN_BODY), 'ServingAnswer', 'the serving configuration stored, defaults filled'), async (req) => (
      { serving: await registry.putServing(req.params.name, req.body, (cfg) => s.rollouts.checkServingAlias(req.params.name, cfg.alias)) }));
  };
}
