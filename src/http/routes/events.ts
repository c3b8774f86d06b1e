import type { FastifyInstance, FastifyReply } from 'fastify';
import type { ValidEvent, RowRejection } from '../../ingest/event-input.js';
import { MAX_FUTURE_MS, withoutNul } from '../../ingest/limits.js';
import { unknownModelTail, validateEvent, type ValidationEnv } from '../../ingest/validate-event.js';
import { rejectPlacement } from '../../ingest/reject-placement.js';
import type { RejectRecord } from '../../storage/types.js';
import type { AppDeps } from '../deps.js';
import { answer } from '../answers/index.js';
import { OWN_BODY } from '../body-fields.js';
import { ApiError } from '../errors.js';
import { closest } from '../../core/text/closest.js';
import { IngestOverloaded, OVERLOAD_RETRY_AFTER_SECONDS } from '../../ingest/overload.js';
import { UndeclaredSegmentKeys } from '../../ingest/undeclared-segment-keys.js';
import { EVENT_FIELDS, UnknownFields } from '../../ingest/unknown-fields.js';

export const MAX_EVENTS_PER_REQUEST = 10_000;

type RowResult = { index: number; id: string; status: 'accepted' } | ({ status: 'rejected' } & RowRejection);

/** Rows of a batch body: an array, or {"events": [...]}. */
export function batchRows(body: unknown, field: string): unknown[] {
  const rows = Array.isArray(body) ? body : typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[field] : undefined;
  if (!Array.isArray(rows)) throw new ApiError('bad_request', `body must be a JSON array or an object with ${/^[aeiou]/.test(field) ? 'an' : 'a'} "${field}" array${notBatch(body, field)}`);
  if (rows.length > MAX_EVENTS_PER_REQUEST) throw new ApiError('payload_too_large', `at most ${MAX_EVENTS_PER_REQUEST} rows per request (got ${rows.length})`);
  return rows;
}

/** One row's fields, as the refusal of a body holding one row shows them. */
const ROW_FIELDS: Readonly<Record<string, readonly string[]>> = { events: ['model', 'version', 'features'], labels: ['id', 'label'] };

/**
 * What a body that is no batch holds, for its refusal (audit 27): nothing, one row sent bare (`{"id", "label"}`), or a
 * field named close to the batch's (`lables`). Until audit 27 the refusal said none of it.
 */
function notBatch(body: unknown, field: string): string {
  if (body === undefined || body === null) return ' (none was sent)';
  if (typeof body !== 'object' || Array.isArray(body)) return '';
  const keys = Object.keys(body);
  const fields = ROW_FIELDS[field] ?? [];
  if (fields.some((f) => keys.includes(f))) return ` (got one row: send [{${fields.map((f) => `"${f}": ...`).join(', ')}}])`;
  const near = keys.find((k) => closest(k, [field]) !== null);
  return near === undefined ? '' : ` (got an object with "${near.slice(0, 100)}": did you mean "${field}"?)`;
}

export function excerpt(v: unknown): string {
  try {
    const s = JSON.stringify(v) ?? String(v);
    return s.length > 2000 ? `${s.slice(0, 2000)}…` : s;
  } catch {
    return '[unserialisable]';
  }
}

export function eventRoutes(deps: AppDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    app.post('/v1/events', { onRequest: deps.keys.hook('ingest'), config: { batchRows: 'events', query: [], body: OWN_BODY, answer: answer('EventsAnswer', 'per row accepted (with its id) or rejected (code and message), after a durable commit') } }, async (req, reply) => {
      const rows = batchRows(req.body, 'events');
      // The queue full: refused before validating (cheap while the store is behind); submit() decides again below.
      if (deps.pipeline.full(rows.length)) throw overloaded(deps, reply, null, rows.length);
      const now = deps.clock();
      const env: ValidationEnv = {
        models: (n) => deps.catalog.model(n), now, newId: deps.newId, maxFutureMs: MAX_FUTURE_MS,
        // the names read once per request, at its first row of an unknown model
        unknownModel: unknownModelTail(() => deps.catalog.models().map((m) => m.name)),
      };
      const results: RowResult[] = [];
      const valid: ValidEvent[] = [];
      const rejects: RejectRecord[] = [];
      const seen = new Set<string>();
      const rejectedIds = new Set<string>();
      // Counted once the request is answered (after its commit): a 503 answers no row, and its retry would count them again.
      const rejectedRows: Array<{ model: string; code: string }> = [];
      const undeclared = new UndeclaredSegmentKeys();
      const unknown = new UnknownFields('event', EVENT_FIELDS);
      rows.forEach((raw, index) => {
        let r = validateEvent(raw, index, env);
        if (r.ok && seen.has(r.event.id)) r = { ok: false, rejection: { index, id: r.event.id, code: 'duplicate_id', message: `id "${r.event.id}" appears twice in this batch` } };
        if (r.ok) {
          seen.add(r.event.id);
          valid.push(r.event);
          results.push({ index, id: r.event.id, status: 'accepted' });
        } else {
          const row = raw as Record<string, unknown> | null;
          const model = typeof row?.['model'] === 'string' && deps.catalog.model(row['model']) ? row['model'] : null;
          const version = model && typeof row?.['version'] === 'string' && deps.catalog.version(model, row['version']) ? row['version'] : null;
          // A row with the client's id is recorded once per id (retried batches; the store keeps them unique too).
          const id = typeof row?.['id'] === 'string' && row['id'] === r.rejection.id ? row['id'] : undefined;
          if (id === undefined || !rejectedIds.has(id)) {
            rejects.push({ ts: now, model, version, code: r.rejection.code, reason: withoutNul(r.rejection.message), excerpt: excerpt(raw), ...(id !== undefined && { id }), ...(version !== null && { placement: rejectPlacement(raw, env) }) });
          }
          if (id !== undefined) rejectedIds.add(id);
          results.push({ status: 'rejected', ...r.rejection });
          rejectedRows.push({ model: model ?? '(unknown)', code: r.rejection.code });
        }
      });
      let duplicates: ReadonlySet<string>;
      try {
        duplicates = await deps.pipeline.submit(valid, rejects);
      } catch (err) {
        if (err instanceof IngestOverloaded) throw overloaded(deps, reply, err, rows.length);
        req.log.error({ err }, 'ingest commit failed');
        // Stopped until a restart (a COMMIT whose answer was lost, the store unable to say whether it committed): a
        // request's events may then be stored; sent again after the restart, those are answered duplicate_id.
        const stopped = deps.pipeline.failure();
        if (stopped !== null) throw new ApiError('unavailable', `events could not be stored: ${stopped}; send this request again after the restart (events of it already stored are answered duplicate_id)`);
        // The store refusing writes until a restart (DuckDB after a failed COMMIT: a full disk, its memory limit): "retry
        // later" would never succeed before it, so the answer says why and what to do, as /healthz does.
        const refusing = deps.store.failure?.() ?? null;
        if (refusing !== null) throw new ApiError('unavailable', `events could not be stored: ${refusing}; nothing from this request was kept: send it again after the restart`);
        // The summary journal unable to take records (its disk full): refused until it can, which needs no restart.
        const journal = deps.pipeline.refusalNow();
        if (journal !== null) throw new ApiError('unavailable', `events could not be stored: ${journal}; nothing from this request was kept: send it again once the journal can be written`);
        throw new ApiError('unavailable', 'events could not be stored; nothing from this request was kept, retry later');
      }
      for (const labels of rejectedRows) deps.metrics.eventsRejected.inc(labels);
      const ownerOf = await duplicateOwners(deps, valid, duplicates);
      let accepted = 0;
      for (let i = 0; i < results.length; i++) {
        const r = results[i] as RowResult;
        if (r.status === 'accepted' && duplicates.has(r.id)) {
          const owner = ownerOf.get(r.id);
          const message = owner === undefined ? `an event with id "${r.id}" is already stored (not stored again)`
            : `an event with id "${r.id}" is already stored, a prediction of model "${owner}" (ids are unique across all models: a label finds its prediction by id alone); not stored again`;
          // details.model: the id is another model's prediction, so not what an earlier attempt of this row stored.
          results[i] = { status: 'rejected', index: r.index, id: r.id, code: 'duplicate_id', message, ...(owner !== undefined && { details: { model: owner } }) };
        } else if (r.status === 'accepted') {
          accepted++;
          // its segment's keys the model does not declare (audit 28), of rows stored now: not of an id stored before
          const row = rows[r.index] as Record<string, unknown>;
          const model = row['model'] as string;
          undeclared.note(model, env.models(model)?.model.segmentKeys ?? [], row['segment']);
          unknown.note(model, row); // fields that are not an event's (audit 29)
        }
      }
      for (const e of valid) {
        if (duplicates.has(e.id)) deps.metrics.eventsRejected.inc({ model: e.model, code: 'duplicate_id' });
        else deps.metrics.eventsAccepted.inc({ model: e.model });
      }
      for (const { model, rows: n } of undeclared.rows()) deps.metrics.undeclaredSegmentKeys.inc({ model }, n);
      for (const { model, rows: n } of unknown.rows()) deps.metrics.unknownEventFields.inc({ model }, n);
      const warnings = [...undeclared.warnings(), ...unknown.warnings()];
      return { accepted, rejected: results.length - accepted, results, ...(warnings.length > 0 && { warnings }) };
    });
  };
}

/**
 * 429 rate_limited with Retry-After for a request refused because the ingest queue is full (ingest.maxQueuedEvents):
 * nothing of it was stored or counted (no row metric, no segment placed), so the sender sends it again whole.
 */
function overloaded(deps: AppDeps, reply: FastifyReply, err: IngestOverloaded | null, rows: number): ApiError {
  deps.metrics.ingestRefused.inc();
  void reply.header('retry-after', String(OVERLOAD_RETRY_AFTER_SECONDS));
  const queued = err?.queued ?? deps.pipeline.queuedEvents;
  return new ApiError('rate_limited', `the server is ingesting slower than events arrive (${queued} events waiting for the store, ingest.maxQueuedEvents); nothing from this request was kept: send it again after Retry-After`, {
    queuedEvents: queued, maxQueuedEvents: deps.pipeline.maxQueuedEvents, requestRows: rows, retryAfterSeconds: OVERLOAD_RETRY_AFTER_SECONDS,
  });
}

/**
 * The model of the stored event of each duplicate id that belongs to another model than the row's: such a duplicate is
 * not a retried batch but an id used twice (one request scored by two models). One lookup, only when there are duplicates.
 */
async function duplicateOwners(deps: AppDeps, valid: readonly ValidEvent[], duplicates: ReadonlySet<string>): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  if (duplicates.size === 0) return owners;
  const rowModel = new Map(valid.filter((e) => duplicates.has(e.id)).map((e) => [e.id, e.model]));
  try {
    for (const e of await deps.store.getEvents([...duplicates])) if (rowModel.get(e.id) !== e.model) owners.set(e.id, e.model);
  } catch {
    // only a message depends on it
  }
  return owners;
}
