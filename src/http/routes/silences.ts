import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Alerting } from '../../alerting/setup.js';
import { SILENCE_STATES, silenceState, type SilenceState } from '../../alerting/silence-state.js';
import { checkMatcher, matches, type Matcher } from '../../core/rules/matchers.js';
import type { SilenceRecord } from '../../storage/alerts.js';
import type { AppDeps } from '../deps.js';
import { answer } from '../answers/index.js';
import { OWN_BODY } from '../body-fields.js';
import { ApiError } from '../errors.js';
import { parseTime, TIME_FORMS } from '../params.js';
import { ACTIVE_QUERY, activeParams, bodyOf, statesParam } from './alerting-params.js';
import { cursorParam, filteredPage, limitParam, RECORD_PAGE } from './page-params.js';

type RG = { Params: { id: string }; Querystring: Record<string, unknown> };
type Req = FastifyRequest<RG>;

/** A time as epoch ms (a number, or digits) or ISO-8601 as every query takes it (without a zone: UTC, not the server's zone). */
function time(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined;
  let t: number | undefined;
  try {
    t = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? parseTime(v, name) : NaN;
  } catch {
    t = NaN;
  }
  if (!Number.isSafeInteger(t)) throw new ApiError('validation_failed', `"${name}" must be ${TIME_FORMS}`);
  return t;
}

function matchers(v: unknown): Matcher[] {
  if (!Array.isArray(v) || v.length === 0 || v.length > 50) throw new ApiError('validation_failed', '"matchers" must be a list of 1 to 50 {name, value, isRegex?}');
  const list = v.map((m, i): Matcher => {
    if (typeof m !== 'object' || m === null) throw new ApiError('validation_failed', `matchers[${i}] must be an object`);
    const o = m as Record<string, unknown>;
    const out: Matcher = { name: o['name'] as string, value: o['value'] as string, ...(o['isRegex'] === true && { isRegex: true }), ...(o['isNegative'] === true && { isNegative: true }) };
    try {
      checkMatcher(o as unknown as Matcher);
    } catch (e) {
      throw new ApiError('validation_failed', `matchers[${i}]: ${(e as Error).message}`);
    }
    return out;
  });
  // as Alertmanager: matchers that all match an alert without their labels would mute far more than meant
  if (list.every((m) => matches(m, {}))) {
    throw new ApiError('validation_failed', 'every matcher matches the empty string (an alert without the label), so the silence would mute every alert '
      + 'but those it excludes: add one that needs a value, e.g. {name: "model", value: "churn"} or {name: "alertname", value: ".+", isRegex: true}');
  }
  return list;
}

export function silenceRoutes(deps: AppDeps, _alerting: Alerting) {
  const store = deps.store.alertStore();
  const view = (s: SilenceRecord, now: number): SilenceRecord & { active: boolean; state: SilenceState } => {
    const state = silenceState(s, now);
    return { ...s, active: state === 'active', state };
  };

  return async (app: FastifyInstance): Promise<void> => {
    // the query parameters each route reads (known-query.ts): any other is a 400 unknown_parameter
    const read = { onRequest: deps.keys.hook('read'), config: { query: ['state', 'limit', 'before', ...ACTIVE_QUERY] } };
    const admin = { onRequest: deps.keys.hook('admin'), config: { query: [] } };

    // `answer`: the answer's schema, for GET /v1/openapi.json only (answers/index.ts)
    app.get<RG>('/v1/silences', { ...read, config: { ...read.config, answer: answer('SilenceList', 'a page of the silences in the states asked for (every silence by default; with activeFrom/activeTo, those muting at some moment of the range), latest expiry first: at most limit, after the silence before; next is the before of the following page') } }, async (req: Req) => {
      const states = statesParam(req.query, SILENCE_STATES);
      // audit 25: the silences muting at some moment of [activeFrom, activeTo), read by the store (the dashboard's chart
      // markers read one page of every silence and filtered it: a range's were missing among a deploy script's daily ones)
      const active = activeParams(req.query);
      const limit = limitParam(req.query, RECORD_PAGE);
      const before = await cursorParam(req.query, 'before', 'silence', (id) => store.getSilence(id), (x) => x.endsAt);
      const now = deps.clock();
      // without expired ones, the store reads only those that have not expired (a deploy script's daily silences pile up)
      const ending = states.includes('expired') ? {} : { endingAfter: now };
      const page = await filteredPage((after, n) => store.listSilences({ ...ending, ...active, ...(after && { after }), limit: n }), (x) => x.endsAt,
        (x) => states.includes(silenceState(x, now)), limit, before);
      return { silences: page.items.map((x) => view(x, now)), next: page.next };
    });

    app.post<RG>('/v1/silences', { ...admin, config: { ...admin.config, body: OWN_BODY, answer: answer('SilenceAnswer', 'the silence created', 201) } }, async (req: Req, reply) => {
      const b = bodyOf(req, ['matchers', 'startsAt', 'endsAt', 'createdBy', 'comment']);
      const now = deps.clock();
      const startsAt = time(b['startsAt'], 'startsAt') ?? now;
      const endsAt = time(b['endsAt'], 'endsAt');
      if (endsAt === undefined) throw new ApiError('validation_failed', '"endsAt" is required');
      // as Alertmanager: it would mute nothing (times in seconds, not milliseconds, land in 1970). Checked first: after
      // the check against startsAt, which is now when not sent, it was never reached without a startsAt ("endsAt must be
      // after startsAt", of a startsAt the request did not have)
      if (!(endsAt > now)) throw new ApiError('validation_failed', `"endsAt" is in the past (${Math.abs(endsAt) <= 8.64e15 ? new Date(endsAt).toISOString() : endsAt}; now ${new Date(now).toISOString()}): times are epoch milliseconds or ISO-8601`);
      if (!(endsAt > startsAt)) throw new ApiError('validation_failed', '"endsAt" must be after "startsAt"');
      for (const k of ['createdBy', 'comment'] as const) {
        if (typeof b[k] !== 'string' || b[k] === '' || (b[k] as string).length > 5000) throw new ApiError('validation_failed', `"${k}" is required (a non-empty string)`);
      }
      const s: SilenceRecord = { id: deps.newId(), matchers: matchers(b['matchers']), startsAt, endsAt, createdBy: b['createdBy'] as string, comment: b['comment'] as string, createdAt: now };
      await store.putSilence(s);
      return reply.status(201).send({ silence: view(s, now) });
    });

    /** Expires a silence now (kept for the record). */
    app.delete<RG>('/v1/silences/:id', { ...admin, config: { ...admin.config, body: [], answer: answer('SilenceAnswer', 'the silence, expired now (kept for the record)') } }, async (req: Req) => {
      const s = await store.getSilence(req.params.id);
      if (!s) throw new ApiError('not_found', `no silence "${req.params.id.slice(0, 200)}"`);
      const now = deps.clock();
      const expired = { ...s, endsAt: Math.min(s.endsAt, now), startsAt: Math.min(s.startsAt, now) };
      await store.putSilence(expired);
      return { silence: view(expired, now) };
    });
  };
}
