import type { FastifyRequest } from 'fastify';
import { parseStates } from '../../alerting/state-list.js';
import { DefinitionError } from '../../monitors/definition.js';
import type { AppDeps } from '../deps.js';
import { ApiError } from '../errors.js';
import { requireModel } from '../model-params.js';
import { unknownModelMessage } from '../../models/known-names.js';
import type { Alerting } from '../../alerting/setup.js';
import { checkRangeOrder, parseTime } from '../params.js';
import { didYouMean, firstUnknown } from '../../core/text/closest.js';

/** A JSON object body (or an empty one); anything else is a 400. */
export function objectBody(req: FastifyRequest): Record<string, unknown> {
  const b = req.body;
  if (b === undefined || b === null || b === '') return {};
  if (typeof b !== 'object' || Array.isArray(b)) throw new ApiError('bad_request', 'request body must be a JSON object');
  return b as Record<string, unknown>;
}

/**
 * The request's JSON object body, refusing a field the endpoint does not read: a misspelt optional one (`startAt` of a
 * silence, `notes` of an acknowledgement) was ignored, the silence muting from now instead of from its start.
 */
export function bodyOf(req: FastifyRequest, known: readonly string[]): Record<string, unknown> {
  const b = objectBody(req);
  const unknown = firstUnknown(b, known);
  if (unknown !== undefined) throw new ApiError('validation_failed', `body has an unknown field "${unknown.slice(0, 100)}"; known: ${known.join(', ')}${didYouMean(unknown, known)}`);
  return b;
}

/** The query parameters span reads. */
export const SPAN_QUERY = ['from', 'to'] as const;

/** A `state` query parameter of a list (parseStates: `all` by default, or a comma-separated list of `known`); else a 400. */
export function statesParam<T extends string>(q: Record<string, unknown>, known: readonly T[]): T[] {
  try {
    return parseStates(q['state'], known);
  } catch (e) {
    throw new ApiError('bad_request', (e as Error).message);
  }
}

/** The query parameters of a range of the records active at some moment of it (GET /v1/alerts, audit 24; GET /v1/silences, audit 25). */
export const ACTIVE_QUERY = ['activeFrom', 'activeTo'] as const;

/**
 * activeFrom/activeTo: the range [activeFrom, activeTo) whose records active at some moment of it a list answers. A
 * bound left out is no bound (not now); activeFrom not before activeTo is a 400 naming both.
 */
export function activeParams(q: Record<string, unknown>): { activeFrom?: number; activeTo?: number } {
  const activeFrom = parseTime(q['activeFrom'], 'activeFrom');
  const activeTo = parseTime(q['activeTo'], 'activeTo');
  if (activeFrom !== undefined && activeTo !== undefined) checkRangeOrder(activeFrom, activeTo, ACTIVE_QUERY);
  return { ...(activeFrom !== undefined && { activeFrom }), ...(activeTo !== undefined && { activeTo }) };
}

/** from/to with a default span before now (`to` defaults to now, `from` to `defaultMs` before `to`). */
export function span(q: Record<string, unknown>, now: number, defaultMs: number): { from: number; to: number } {
  const to = parseTime(q['to'], 'to') ?? now;
  const from = parseTime(q['from'], 'from') ?? to - defaultMs;
  checkRangeOrder(from, to);
  return { from, to };
}

/** Who did it: body.by, else the API key's name, else "anonymous". */
export function actor(deps: AppDeps, req: FastifyRequest, body: Record<string, unknown>): string {
  if (body['by'] !== undefined && (typeof body['by'] !== 'string' || body['by'].length > 200)) throw new ApiError('bad_request', '"by" must be a string of at most 200 characters');
  return (body['by'] as string | undefined) ?? deps.keys.check(req, 'admin') ?? 'anonymous';
}

export function optionalNote(body: Record<string, unknown>): string | undefined {
  const n = body['note'];
  if (n !== undefined && (typeof n !== 'string' || n.length > 5000)) throw new ApiError('bad_request', '"note" must be a string of at most 5000 characters');
  return n as string | undefined;
}

/** Runs a definition change, mapping validation errors to 400 validation_failed. */
export async function validated<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof DefinitionError) throw new ApiError('validation_failed', e.message, e.details);
    if (e instanceof Error && /already used by/.test(e.message)) throw new ApiError('conflict', e.message);
    throw e;
  }
}

export function optionalModel(q: Record<string, unknown>): string | undefined {
  const m = q['model'];
  if (m === undefined || m === '') return undefined;
  if (typeof m !== 'string') throw new ApiError('bad_request', 'model must be a string');
  return m;
}

/**
 * The `model` filter of an alerting list (GET /v1/alerts, /v1/actions, /v1/monitors, /v1/slos, /v1/monitors/stats):
 * absent, or a model the catalog knows or a monitor or SLO names (one of lookout.yaml may name a model not declared
 * yet: its monitors are listed), else 404 `unknown_model` naming the known ones, as every model route answers. Until
 * audit 24 a mistyped model answered 200 with an empty list (`lookout alerts list --model chrun`: "no open alerts of
 * model chrun", exit 0), read as "that model is fine".
 */
export function listModelParam(deps: AppDeps, alerting: Alerting, q: Record<string, unknown>): string | undefined {
  const m = optionalModel(q);
  if (m === undefined || deps.catalog.model(m) !== undefined) return m;
  const named = [...alerting.monitors.monitors(), ...alerting.monitors.sloDefinitions()].map((d) => d.model);
  if (named.includes(m)) return m;
  const known = [...new Set([...deps.catalog.models().map((x) => x.name), ...named.filter((x) => typeof x === 'string')])].sort();
  throw new ApiError('unknown_model', unknownModelMessage(m, known));
}

/** A model named in a body must exist (a missing or non-string name is left to the definition's validation). */
export function requireModelIfNamed(deps: AppDeps, name: unknown): void {
  if (typeof name === 'string') requireModel(deps, name);
}
