import type { FastifyInstance } from 'fastify';
import { isMissing } from '../../core/metrics/labels.js';
import { decimalNumber } from '../../ingest/decimal.js';
import { ForbiddenKeyRow } from '../../ingest/forbidden-key.js';
import { hasNul } from '../../ingest/limits.js';
import { LABEL_FIELDS, UnknownFields } from '../../ingest/unknown-fields.js';
import type { LabelRecord } from '../../storage/types.js';
import type { AppDeps } from '../deps.js';
import { answer } from '../answers/index.js';
import { OWN_BODY } from '../body-fields.js';
import { ApiError } from '../errors.js';
import { batchRows } from './events.js';

/** A label row's own fields, for the refusal of a row lacking `id` or `label` (audit 27: `prediction_id`, `actual`). */
function fieldsOf(row: Record<string, unknown>): string {
  const keys = Object.keys(row);
  return keys.length === 0 ? ' (the row is empty)' : ` (its fields: ${keys.slice(0, 10).map((k) => k.slice(0, 50)).join(', ')}${keys.length > 10 ? ', ...' : ''})`;
}

type LabelResult = { index: number; id: string; status: 'accepted' } | { index: number; id?: string; status: 'rejected'; code: string; message: string };

export function labelRoutes(deps: AppDeps) {
  return async (app: FastifyInstance): Promise<void> => {
    /** Ground truth by prediction id, any time after the prediction: [{id, label, model?}] or {labels: [...]}. */
    app.post('/v1/labels', { onRequest: deps.keys.hook('ingest'), config: { batchRows: 'labels', query: [], body: OWN_BODY, answer: answer('LabelsAnswer', 'per row accepted or rejected (code and message)') } }, async (req) => {
      const rows = batchRows(req.body, 'labels');
      const now = deps.clock();
      const results: LabelResult[] = [];
      const candidates: Array<{ index: number; id: string; label: string; model: unknown }> = [];
      rows.forEach((raw, index) => {
        const r = raw as Record<string, unknown> | null;
        const id = r?.['id'];
        const label = r?.['label'];
        if (raw instanceof ForbiddenKeyRow) results.push({ index, ...(raw.id !== undefined && { id: raw.id }), status: 'rejected', code: 'forbidden_key', message: raw.message });
        else if (typeof r !== 'object' || r === null || Array.isArray(r)) results.push({ index, status: 'rejected', code: 'invalid_label', message: 'label must be a JSON object {id, label}' });
        else if (id === undefined) results.push({ index, status: 'rejected', code: 'invalid_id', message: `the row has no "id", the prediction id${fieldsOf(r)}` });
        else if (typeof id !== 'string' || id.length === 0 || id.length > 128 || hasNul(id)) results.push({ index, status: 'rejected', code: 'invalid_id', message: 'id must be the prediction id (a string of at most 128 characters, without U+0000)' });
        else if (label === undefined) results.push({ index, id, status: 'rejected', code: 'invalid_label', message: `the row has no "label", the ground truth${fieldsOf(r)}` });
        else if (!(typeof label === 'string' || typeof label === 'boolean' || (typeof label === 'number' && Number.isFinite(label))) || String(label).length > 1024 || hasNul(String(label))) {
          results.push({ index, id, status: 'rejected', code: 'invalid_label', message: 'label must be a string (without U+0000, at most 1024 characters), a finite number or a boolean' });
        } else if (isMissing(label)) {
          // realized metrics read a blank text as a missing label: it was stored and counted as labelled, and dropped from every metric
          results.push({ index, id, status: 'rejected', code: 'invalid_label', message: 'label is blank: a label must name a class (or a number for a regression)' });
        } else candidates.push({ index, id, label: String(label), model: r['model'] ?? undefined });
      });
      // Audit 27: the gateway answers a prediction before its event is committed (buffered up to 200 ms): a label posted
      // at once for it was refused unknown_prediction, and lost. Such ids wait for that commit and are looked up again.
      // Asked before the read too: a commit ending during the read no longer holds an id the read did not see.
      const recorder = deps.registry?.recorder;
      const heldBefore = recorder?.holds(candidates.map((c) => c.id)) ?? false;
      const events = new Map((await deps.store.getEvents(candidates.map((c) => c.id))).map((e) => [e.id, e]));
      const unseen = [...new Set(candidates.map((c) => c.id).filter((id) => !events.has(id)))];
      let pending = new Set<string>();
      if (recorder !== undefined && unseen.length > 0 && (heldBefore || recorder.holds(unseen))) {
        await recorder.committed(unseen);
        for (const e of await deps.store.getEvents(unseen)) events.set(e.id, e);
        pending = new Set(unseen.filter((id) => !events.has(id) && recorder.holds([id])));
      }
      const records: LabelRecord[] = [];
      const unknown = new UnknownFields('label', LABEL_FIELDS);
      // The first acceptable row of an id is the one stored: a later one is accepted only when it asks for the same label.
      const first = new Map<string, { index: number; label: string }>();
      const days = deps.retention?.eventsDays() ?? null;
      const gone = days === null ? '' : ` (predictions older than retention.eventsDays, ${days} day${days === 1 ? '' : 's'}, are deleted)`;
      for (const c of candidates) {
        const ev = events.get(c.id);
        if (!ev) {
          const message = pending.has(c.id)
            ? `the prediction "${c.id}" the gateway answered is not stored yet (the ingest queue is full, ingest.maxQueuedEvents): send the label again in a moment`
            : `no stored prediction has id "${c.id}"${gone}`;
          results.push({ index: c.index, id: c.id, status: 'rejected', code: 'unknown_prediction', message });
          continue;
        }
        // `model` is optional; given, it is a check: a label meant for another model's prediction is not joined to this one.
        if (c.model !== undefined && c.model !== ev.model) {
          const named = typeof c.model === 'string' ? `"${c.model.slice(0, 100)}"` : String(JSON.stringify(c.model)).slice(0, 100);
          results.push({ index: c.index, id: c.id, status: 'rejected', code: 'model_mismatch', message: `prediction "${c.id}" is of model "${ev.model}", not ${named} (the label is not stored)` });
          continue;
        }
        // A label the model's metrics cannot use would make them all fail (realized: null), not just its own row's.
        const ctx = deps.catalog.model(ev.model);
        if (ctx?.classes && !ctx.classes.has(c.label)) {
          results.push({ index: c.index, id: c.id, status: 'rejected', code: 'invalid_label', message: `label "${c.label.slice(0, 100)}" is not one of the model's classes: ${[...ctx.classes].join(', ').slice(0, 500)}` });
          continue;
        }
        // Read as POST /v1/events reads a number (JSON's grammar): Number() would store "0x10" to be read as 16.
        if (ctx?.model.outputKind === 'regression' && decimalNumber(c.label) === undefined) {
          results.push({ index: c.index, id: c.id, status: 'rejected', code: 'invalid_label', message: `label "${c.label.slice(0, 100)}" is not a decimal number such as 12, -2.5 or 1e3 (model "${ev.model}" is a regression)` });
          continue;
        }
        const earlier = first.get(c.id);
        if (earlier && earlier.label !== c.label) {
          results.push({ index: c.index, id: c.id, status: 'rejected', code: 'duplicate_in_batch', message: `id "${c.id}" was labelled "${earlier.label.slice(0, 100)}" by row ${earlier.index} of this batch (that label is stored, not this one)` });
          continue;
        }
        if (!earlier) {
          first.set(c.id, { index: c.index, label: c.label });
          records.push({ id: c.id, model: ev.model, label: c.label, receivedAt: now, ts: ev.ts });
        }
        results.push({ index: c.index, id: c.id, status: 'accepted' });
        unknown.note(ev.model, rows[c.index] as Record<string, unknown>); // fields that are not a label row's (audit 29)
      }
      try {
        if (records.length > 0) await deps.store.putLabels(records);
      } catch (err) {
        req.log.error({ err }, 'label commit failed');
        const refusing = deps.store.failure?.() ?? null; // until a restart: "retry later" would not succeed (events.ts)
        if (refusing !== null) throw new ApiError('unavailable', `labels could not be stored: ${refusing}; nothing from this request was kept: send it again after the restart`);
        throw new ApiError('unavailable', 'labels could not be stored; nothing from this request was kept, retry later');
      }
      deps.metrics.labelsAccepted.inc(records.length);
      for (const { model, rows: n } of unknown.rows()) deps.metrics.unknownLabelFields.inc({ model }, n);
      for (const r of results) if (r.status === 'rejected') deps.metrics.labelsRejected.inc({ code: r.code });
      results.sort((a, b) => a.index - b.index);
      const accepted = results.filter((r) => r.status === 'accepted').length;
      const warnings = unknown.warnings();
      return { accepted, rejected: results.length - accepted, results, ...(warnings.length > 0 && { warnings }) };
    });
  };
}
