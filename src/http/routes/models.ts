import { unknownVersionMessage } from '../../models/known-names.js';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { InputError } from '../../io/errors.js';
import { MAX_FEATURE_DEPTH, nestedDeeperThan } from '../../ingest/limits.js';
import { writeNewFile } from '../../io/new-file.js';
import { DeclarationConflict } from '../../models/declaration-change.js';
import { checkModelShape } from '../../models/declaration.js';
import { declarationFields, NAME_PATTERN, NO_NUL } from '../../models/declaration-schema.js';
import { referenceFromFile } from '../../monitoring/reference-builder.js';
import { takeRangeReference } from '../../models/range-reference.js';
import type { ModelRecord, OutputKind } from '../../storage/types.js';
import type { AppDeps } from '../deps.js';
import { answer } from '../answers/index.js';
import { OWN_BODY } from '../body-fields.js';
import { ApiError } from '../errors.js';
import { requireModel } from '../model-params.js';
import { MODEL_PAGE_QUERY, modelPage, modelPageQuery, type ModelPageQuery } from '../model-pages.js';
import { parseTime } from '../params.js';
import { servingMisfits } from '../../registry/serving.js';
import { monitorWarnings, referenceWarnings } from './monitor-warnings.js';

const modelBody = {
  type: 'object',
  required: ['name', 'outputKind', 'inputSchema'],
  additionalProperties: false,
  properties: declarationFields,
} as const;

const versionBody = {
  type: 'object',
  required: ['version'],
  additionalProperties: false,
  properties: {
    version: { type: 'string', pattern: NAME_PATTERN },
    metadata: { type: 'object' },
    reference: {
      type: 'object',
      additionalProperties: false,
      properties: { from: {}, to: {}, version: { type: 'string', pattern: NO_NUL } },
    },
  },
} as const;

/** How far ahead of the server's clock a reference range's `to` may be (client clock skew): it then ends at the server's now. */
export const RANGE_CLOCK_SKEW_MS = 5 * 60_000;

/** The options of a reference upload (PUT .../reference?label=...): its columns and the CSV decimal separator. */
const REFERENCE_QUERY = ['label', 'prediction', 'score', 'positiveClass', 'scores', 'decimal'] as const;

const FILE_TYPES: Record<string, string> = {
  'text/csv': 'csv',
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
  'application/vnd.apache.parquet': 'parquet',
  'application/octet-stream': 'parquet',
};

export function modelRoutes(deps: AppDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.addContentTypeParser(Object.keys(FILE_TYPES), { parseAs: 'buffer', bodyLimit: 1024 * 1024 * 1024 }, (_req, body, done) => done(null, body));

    // Every model at once without `limit` (as before paging); with it, a page of at most `limit` and the `next` cursor.
    app.get<{ Querystring: ModelPageQuery }>('/v1/models', { onRequest: deps.keys.hook('read'), config: { query: MODEL_PAGE_QUERY, answer: answer('ModelList', 'the models by name, with their versions (a page of them with limit)') }, schema: { querystring: modelPageQuery } }, async (req) => {
      const page = modelPage(deps.catalog.models(), req.query);
      return { models: page.items.map((m) => describe(deps, m)), next: page.next };
    });

    app.get<{ Params: { name: string } }>('/v1/models/:name', { onRequest: deps.keys.hook('read'), config: { query: [], answer: answer('Model', 'the model\'s declaration and its versions') } }, async (req) => describe(deps, requireModel(deps, req.params.name)));

    app.post<{ Body: { name: string; outputKind: OutputKind; inputSchema: Record<string, unknown>; segmentKeys?: string[]; classes?: string[]; description?: string } }>(
      '/v1/models', { onRequest: deps.keys.hook('admin'), config: { query: [], body: OWN_BODY, answer: answer('Model', 'the model declared (201) or its declaration replaced (200)', [200, 201]) }, schema: { body: modelBody } }, async (req, reply) => {
        const b = req.body;
        const existing = deps.catalog.model(b.name)?.model;
        const now = deps.clock();
        try {
          deps.catalog.checkInputSchema(b.inputSchema);
        } catch (e) {
          throw new ApiError('validation_failed', `inputSchema is not a valid input schema: ${e instanceof Error ? e.message : String(e)}`);
        }
        try {
          checkModelShape(b);
        } catch (e) {
          throw new ApiError('validation_failed', e instanceof Error ? e.message : String(e));
        }
        const m: ModelRecord = {
          name: b.name, outputKind: b.outputKind, inputSchema: b.inputSchema, segmentKeys: b.segmentKeys ?? [],
          ...(b.classes && { classes: b.classes }), ...(b.description !== undefined && { description: b.description }),
          createdAt: existing?.createdAt ?? now, updatedAt: now,
        };
        // a static fallback answer set for the old declaration must still be one the model can give
        const misfits = existing && deps.registry ? servingMisfits(deps.registry.registry.control(b.name).serving, m) : [];
        if (misfits.length > 0) {
          throw new ApiError('conflict', `the model's serving configuration does not fit the new declaration: ${misfits.join('; ')}. Change its fallback first (PUT /v1/models/${b.name}/serving)`, { conflicts: misfits });
        }
        let created: boolean;
        try {
          if (existing) await settled(deps);
          created = await deps.catalog.putModel(m);
        } catch (e) {
          if (e instanceof DeclarationConflict) throw new ApiError('validation_failed', e.message, { conflicts: e.conflicts });
          throw e;
        }
        void reply.status(created ? 201 : 200);
        return { ...describe(deps, m), ...monitorWarnings(deps, m.name) };
      });

    app.post<{ Params: { name: string }; Body: { version: string; metadata?: Record<string, unknown>; reference?: { from?: string | number; to?: string | number; version?: string } } }>(
      '/v1/models/:name/versions', { onRequest: deps.keys.hook('admin'), config: { query: [], body: OWN_BODY, answer: answer('Model', 'the model with the version added (201) or replaced (200)', [200, 201]) }, schema: { body: versionBody } }, async (req, reply) => {
        const m = requireModel(deps, req.params.name);
        const b = req.body;
        // stored as JSON text: deeper values overflowed JSON.stringify's stack (500)
        if (nestedDeeperThan(b.metadata, MAX_FEATURE_DEPTH)) throw new ApiError('validation_failed', `"metadata" nests arrays or objects more than ${MAX_FEATURE_DEPTH} levels deep`);
        const existing = deps.catalog.version(m.name, b.version);
        let reference = existing?.record.reference;
        if (b.reference) {
          const from = parseTime(String(b.reference.from ?? ''), 'reference.from');
          const to = parseTime(String(b.reference.to ?? ''), 'reference.to');
          if (from === undefined || to === undefined || !(from < to)) throw new ApiError('bad_request', 'reference needs "from" before "to"');
          const now = deps.clock();
          // A range must have passed (as lookout.yaml's): traffic that comes later would not be in a reference taken now. A
          // `to` at most RANGE_CLOCK_SKEW_MS ahead (a client clock a little ahead, "the last 7 days") ends at the server's now.
          if (to > now + RANGE_CLOCK_SKEW_MS) {
            throw new ApiError('unprocessable', `reference.to (${new Date(to).toISOString()}) is in the future: a reference range must have passed (the server's clock says ${new Date(now).toISOString()})`, { to, now });
          }
          const end = Math.min(to, now);
          if (!(from < end)) throw new ApiError('unprocessable', `reference.from (${new Date(from).toISOString()}) is not in the past (the server's clock says ${new Date(now).toISOString()})`, { from, now });
          // the version named (an unknown one refused: it was the version's own traffic, silently), else the version itself
          const source = b.reference.version !== undefined ? deps.catalog.version(m.name, b.reference.version) : existing;
          if (!source) throw new ApiError('unknown_version', `no version "${b.reference.version ?? b.version}" to take the reference range from`);
          try {
            reference = { ...(await takeRangeReference(deps, m, source, b.version, from, end)) };
          } catch (e) {
            if (e instanceof InputError) throw new ApiError('unprocessable', e.message);
            throw e;
          }
        }
        if (existing) await settled(deps);
        await deps.catalog.putVersion({
          model: m.name, version: b.version, createdAt: existing?.record.createdAt ?? deps.clock(),
          ...(reference && { reference }), ...((b.metadata ?? existing?.record.metadata) && { metadata: b.metadata ?? existing?.record.metadata }),
        });
        void reply.status(existing ? 200 : 201);
        return { ...describe(deps, m), ...monitorWarnings(deps, m.name) };
      });

    /** Uploads a reference data file (CSV, JSON lines or Parquet body) for a version and computes its profile. */
    app.put<{ Params: { name: string; version: string }; Querystring: Record<string, string | undefined> }>(
      '/v1/models/:name/versions/:version/reference', { onRequest: deps.keys.hook('admin'), config: { mediaTypes: Object.keys(FILE_TYPES), upload: true, query: REFERENCE_QUERY, body: OWN_BODY, answer: answer('Model', 'the model with the version\'s new reference') } }, async (req) => {
        const m = requireModel(deps, req.params.name);
        const v = deps.catalog.version(m.name, req.params.version);
        if (!v) throw new ApiError('unknown_version', unknownVersionMessage(m.name, req.params.version, deps.catalog.versions(m.name).map((x) => x.record.version)));
        const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
        const ext = FILE_TYPES[type];
        if (!ext || !Buffer.isBuffer(req.body)) throw new ApiError('unsupported_media_type', `send the reference as ${Object.keys(FILE_TYPES).join(', ')}`);
        const decimal = req.query['decimal'];
        if (decimal !== undefined && decimal !== '.' && decimal !== ',') throw new ApiError('bad_request', `decimal must be "." or "," (the CSV file's decimal separator; got ${JSON.stringify(decimal.slice(0, 20))})`);
        const dir = join(deps.dataDir, 'references', m.name);
        mkdirSync(dir, { recursive: true });
        // A name of its own: an upload of the same version in the same millisecond neither overwrites nor removes it.
        const path = writeNewFile(dir, `${v.record.version}-${deps.clock()}`, ext, req.body);
        const q = req.query;
        try {
          const profile = await referenceFromFile(m, v.record.version, path, {
            ...(q['label'] && { label: q['label'] }), ...(q['prediction'] && { prediction: q['prediction'] }),
            ...(q['score'] && { score: q['score'] }), ...(q['positiveClass'] && { positiveClass: q['positiveClass'] }),
            ...(q['scores'] && { scores: q['scores'] }), ...(decimal === ',' && { decimal: ',' as const }),
          }, deps.clock());
          await settled(deps);
          await deps.catalog.putVersion({ ...v.record, reference: { ...profile } });
        } catch (e) {
          // A refused (or failed) upload is no reference: its file would stay in DATA_DIR/references for ever.
          rmSync(path, { force: true });
          // the file is the server's copy: the client knows it as the body it sent, not by the server's path
          if (e instanceof InputError) throw new ApiError('unprocessable', e.message.replaceAll(path, 'the uploaded reference'));
          throw e;
        }
        return { ...describe(deps, m), ...referenceWarnings(deps, m.name, v.record.version) };
      });
  };
}

/**
 * Before a declaration or a reference changes a version's summary spec (features, edges, CBPE calibrations): every
 * acknowledged event checkpointed into the window summaries with the spec it was summarised with. Else the journal's
 * replay after a crash summarised the events not yet checkpointed again with the new spec (until audit 15: events
 * acknowledged before a reference was replaced got the new reference's CBPE estimate after a kill -9, the old one without).
 */
async function settled(deps: AppDeps): Promise<void> {
  await deps.pipeline.sync();
}

function describe(deps: AppDeps, m: ModelRecord): Record<string, unknown> {
  return {
    ...m,
    versions: deps.catalog.versions(m.name).map((v) => ({
      version: v.record.version,
      createdAt: v.record.createdAt,
      metadata: v.record.metadata ?? {},
      reference: v.reference ? { rows: v.reference.profile.rows, source: v.reference.profile.source, createdAt: v.reference.profile.createdAt, metrics: v.reference.profile.metrics ?? null } : null,
    })),
    defaultVersion: deps.reader.resolveVersion(m.name)?.record.version ?? null,
  };
}
