import type { ValidateFunction } from 'ajv';
import { isMissing } from '../core/metrics/labels.js';
import type { ModelRecord } from '../storage/types.js';
import type { RowRejection, ValidEvent } from './event-input.js';
import { ForbiddenKeyRow } from './forbidden-key.js';
import { hasNul, MAX_FEATURE_DEPTH, nestedDeeperThan } from './limits.js';
import { knownNames } from '../models/known-names.js';
import { leapSecondProblem, parseEventTimestamp, unitProblem } from './timestamp.js';
import { schemaErrorMessage, shown } from './schema-error.js';
import { didYouMean } from '../core/text/closest.js';

export interface ModelContext {
  model: ModelRecord;
  versions: ReadonlySet<string>;
  validateFeatures: ValidateFunction;
  classes: ReadonlySet<string> | null;
}

export interface ValidationEnv {
  models: (name: string) => ModelContext | undefined;
  now: number;
  newId: () => string;
  /** Events further than this in the future are rejected (clock skew guard). */
  maxFutureMs: number;
  /** The tail of a row's unknown_model message: the declared models (a few) and the one meant (unknownModelTail). */
  unknownModel?: (name: string) => string;
}

/** Rows of a request whose unknown model is compared with the known ones for the name meant (the rest list them only). */
const SUGGESTED = 20;

/**
 * For one request: the tail of an unknown_model refusal (`; known: churn, fraud; did you mean "churn"?`), the names
 * read once, at the first such row. Audit 25: the name meant (closest) is looked for once per distinct name, for the
 * first SUGGESTED of them, so a batch of 10,000 rows naming a missing model (or 10,000 different ones) stays cheap.
 */
export function unknownModelTail(names: () => readonly string[]): (name: string) => string {
  const memo = new Map<string, string>();
  let all: readonly string[] | undefined;
  return (name) => {
    let tail = memo.get(name);
    if (tail === undefined) {
      all ??= names();
      tail = `; known: ${knownNames(all, ROW_KNOWN_LISTED)}${memo.size < SUGGESTED ? didYouMean(name, all) : ''}`;
      memo.set(name, tail);
    }
    return tail;
  };
}

const MAX_ID = 128;

/** A refused value in a message, its type named unless it is a number (audit 27: latencyMs and costUsd said neither). */
const sent = (v: unknown): string => (typeof v === 'number' ? shown(v) : v === null ? 'null' : Array.isArray(v) ? 'an array' : `${typeof v} ${shown(v)}`);

/**
 * The model or version names a rejected row's message lists at most: a batch of 10,000 rows of a mistyped model is
 * answered 10,000 messages (a model with 5,000 versions listed every one in each until audit 23).
 */
const ROW_KNOWN_LISTED = 10;

/** A model's versions as a rejected row lists them: the first ROW_KNOWN_LISTED, then how many more and where they are. */
function knownVersions(model: string, versions: ReadonlySet<string>): string {
  const all = [...versions];
  if (all.length <= ROW_KNOWN_LISTED) return all.length === 0 ? '(none)' : all.join(', ');
  return `${all.slice(0, ROW_KNOWN_LISTED).join(', ')}, ... (${all.length - ROW_KNOWN_LISTED} more: GET /v1/models/${encodeURIComponent(model.slice(0, 200))})`;
}
const MAX_TEXT = 1024;

type Result = { ok: true; event: ValidEvent } | { ok: false; rejection: RowRejection };

function reject(index: number, code: string, message: string, details?: unknown, id?: string): Result {
  return { ok: false, rejection: { index, code, message, ...(id !== undefined && { id }), ...(details !== undefined && { details }) } };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The largest latency accepted (ms). The latency sketch (DDSketch, 1% relative accuracy) keeps one bin per 2% of
 * range: one event at 1e308 ms made its window's sketch 280 KB and ~1 s to read back (decoding is quadratic in the
 * bins), for a value no inference takes.
 */
/** The longest segment value an event may carry (in UTF-16 code units, as String.length counts). */
export const MAX_SEGMENT_VALUE = 200;

/**
 * The value every key of a segment takes once its model has reached its limit of distinct segments (segment-cap.ts).
 * Reserved: an event sending it was stored under the overflow segment, indistinguishable from the events folded there
 * and counted in GET /segments' overflow.events (until audit 22); it is refused (invalid_segment, reservedSegmentValue).
 */
export const OTHER_SEGMENT_VALUE = '__other__';

/** Why a segment value of `key` that is OTHER_SEGMENT_VALUE is refused (POST /v1/events, the gateway's /predict). */
export function reservedSegmentValue(key: string): string {
  return `segment.${key} is "${OTHER_SEGMENT_VALUE}", which is reserved for the segment holding the events of segments past the model's limit (ingest.maxSegmentsPerModel): send another value`;
}

export const MAX_LATENCY_MS = 1e9;

/**
 * The largest cost of one inference accepted (USD). Window summaries sum the costs: two events near 1e308 made the sum
 * Infinity, which the stored summary cannot hold (JSON), and the window's whole cost read back as 0.
 */
export const MAX_COST_USD = 1e9;

function optNumber(v: unknown, min: number, max = Infinity): number | null | undefined {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) return undefined;
  return v;
}

/**
 * Why a timestamp past the future bound is refused: how far ahead of the server's clock it is and what to check (until
 * audit 24 only "timestamp is too far in the future", which said neither the bound nor the usual cause: a local time
 * sent with "Z", or the sender's clock).
 */
function tooFarAhead(ts: number, env: Pick<ValidationEnv, 'now' | 'maxFutureMs'>): string {
  const hours = (ms: number): string => (ms / 3_600_000).toFixed(1);
  return `timestamp ${new Date(ts).toISOString()} is ${hours(ts - env.now)} h ahead of the server's clock (${new Date(env.now).toISOString()}); at most ${hours(env.maxFutureMs).replace(/\.0$/, '')} h ahead is accepted: check the sender's clock, and that a local time is not sent as UTC ("Z")`;
}

/** Validates one raw event; never throws. */
export function validateEvent(raw: unknown, index: number, env: ValidationEnv): Result {
  if (!isObject(raw)) return reject(index, 'invalid_event', 'event must be a JSON object');
  const rawId = raw['id'];
  let id: string;
  if (rawId === undefined || rawId === null) id = env.newId();
  else if (typeof rawId === 'string' && rawId.length > 0 && rawId.length <= MAX_ID && !/\p{Cs}/u.test(rawId) && !hasNul(rawId)) id = rawId; // no lone surrogates (stored as U+FFFD, distinct ids would collide), no NUL
  else return reject(index, 'invalid_id', `id must be a non-empty string of at most ${MAX_ID} characters, without unpaired surrogates or U+0000${typeof rawId === 'number' ? ` (got the number ${rawId}: send it as a string, "${rawId}")` : ''}`);
  if (raw instanceof ForbiddenKeyRow) return reject(index, 'forbidden_key', raw.message, { key: raw.key, path: raw.path }, id);
  const model = raw['model'];
  if (model === undefined || model === null) return reject(index, 'invalid_event', 'model is missing: every event names its model (a string)', undefined, id);
  if (typeof model !== 'string') return reject(index, 'invalid_event', 'model must be a string', undefined, id);
  const ctx = env.models(model);
  if (!ctx) return reject(index, 'unknown_model', `unknown model "${model.slice(0, 200)}"${env.unknownModel?.(model) ?? ''}`, undefined, id);
  const version = raw['version'];
  if (typeof version !== 'string' || !ctx.versions.has(version)) {
    const known = knownVersions(model, ctx.versions);
    // JSON.stringify(undefined) is undefined: "unknown version undefined" until audit 23
    if (version === undefined || version === null) return reject(index, 'unknown_version', `version is missing: every event names one of the model's versions; model "${model}" has ${known}`, undefined, id);
    return reject(index, 'unknown_version', `unknown version ${typeof version === 'object' ? (Array.isArray(version) ? '(an array)' : '(an object)') : JSON.stringify(typeof version === 'string' ? version.slice(0, 100) : version)} of model "${model}"; known: ${known}`, undefined, id);
  }
  const unit = unitProblem(raw['timestamp']);
  if (unit !== null) return reject(index, 'invalid_timestamp', unit, undefined, id);
  const ts = parseEventTimestamp(raw['timestamp'], env.now);
  // the accepted zones shown since audit 25, which reads +0100 and +01 (src/ingest/timestamp.ts)
  if (ts === undefined) return reject(index, 'invalid_timestamp', leapSecondProblem(raw['timestamp']) ?? 'timestamp must be an RFC 3339 date-time with a time zone (e.g. "2026-01-31T12:00:00Z", "2026-01-31T13:00:00+01:00"; +0100 and +01 are read too) or epoch milliseconds, not before 1970', undefined, id);
  if (ts > env.now + env.maxFutureMs) return reject(index, 'invalid_timestamp', tooFarAhead(ts, env), { maxFutureMs: env.maxFutureMs, serverTime: new Date(env.now).toISOString() }, id);
  const features = raw['features'];
  if (!isObject(features)) return reject(index, 'invalid_features', 'features must be a JSON object', undefined, id);
  let valid: boolean;
  try {
    valid = ctx.validateFeatures(features);
  } catch (err) {
    // A recursive schema (items "$ref" to itself) recurses as deep as the value: one 5,000 levels deep overflowed the
    // stack, and the whole batch, its valid rows included, was answered 500 internal.
    if (err instanceof RangeError && nestedDeeperThan(features, MAX_FEATURE_DEPTH)) return reject(index, 'invalid_features', `features nest arrays or objects more than ${MAX_FEATURE_DEPTH} levels deep`, undefined, id);
    throw err;
  }
  if (!valid) {
    const errors = (ctx.validateFeatures.errors ?? []).slice(0, 5).map((e) => ({ path: e.instancePath || '/', message: schemaErrorMessage(e, features, ctx.model.inputSchema) }));
    return reject(index, 'schema_violation', `features do not match the schema of model "${model}": ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors, id);
  }
  if (nestedDeeperThan(features, MAX_FEATURE_DEPTH)) return reject(index, 'invalid_features', `features nest arrays or objects more than ${MAX_FEATURE_DEPTH} levels deep`, undefined, id);
  const e = raw['error'];
  let error: string | null = null;
  if (e === true) error = 'error';
  else if (typeof e === 'string' && hasNul(e)) return reject(index, 'invalid_error', 'error must not contain U+0000', undefined, id);
  else if (typeof e === 'string' && e.length > 0) error = e.slice(0, MAX_TEXT);
  else if (e !== undefined && e !== null && e !== false && e !== '') return reject(index, 'invalid_error', 'error must be a string, a boolean or null', undefined, id);
  const p = raw['prediction'];
  // A failed inference (error set) may have no prediction: it still counts in the error rate, throughput and latency.
  // A blank class text with an error is no prediction either (a client filling the field with ""): failed, not refused.
  const failed = error !== null && (p === undefined || p === null || (typeof p === 'string' && isMissing(p)));
  const orFailed = '; only a failed inference (with an error) may omit it';
  let prediction: string | number | null = null;
  if (failed) {
    if ((raw['score'] ?? null) !== null || (raw['scores'] ?? null) !== null) return reject(index, 'invalid_score', 'an event without a prediction (a failed inference) has no score or scores', undefined, id);
  } else if (ctx.model.outputKind === 'regression') {
    if (typeof p !== 'number' || !Number.isFinite(p)) return reject(index, 'invalid_prediction', `prediction must be a finite number for a regression model${p === undefined || p === null ? orFailed : ''}`, undefined, id);
    prediction = p;
  } else {
    if (typeof p !== 'string' && typeof p !== 'number' && typeof p !== 'boolean') return reject(index, 'invalid_prediction', `prediction must be a class label (string, number or boolean)${p === undefined || p === null ? orFailed : ''}`, undefined, id);
    const label = String(p);
    prediction = label;
    if (label.length > MAX_TEXT || hasNul(label)) return reject(index, 'invalid_prediction', 'prediction label is too long or contains U+0000', undefined, id);
    // realized metrics read a blank text as no prediction: its labelled events were counted as labelled and dropped from every metric
    if (isMissing(label)) return reject(index, 'invalid_prediction', `prediction is blank: a class label must have a text${orFailed}`, undefined, id);
    if (ctx.classes && !ctx.classes.has(label)) return reject(index, 'invalid_prediction', `prediction "${label.slice(0, 100)}" is not one of the model's classes: ${[...ctx.classes].join(', ').slice(0, 500)}`, [...ctx.classes], id);
  }
  const score = optNumber(raw['score'], 0, 1);
  if (score === undefined) return reject(index, 'invalid_score', `score must be a number in [0, 1] (got ${shown(raw['score'])})`, undefined, id);
  let scores: number[] | null = null;
  if (raw['scores'] !== undefined && raw['scores'] !== null) {
    const s = raw['scores'];
    const n = ctx.model.classes?.length;
    if (!Array.isArray(s) || (n !== undefined && s.length !== n) || !s.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= 1)) {
      return reject(index, 'invalid_score', `scores must be an array of ${n ?? 'per-class'} numbers in [0, 1] (got ${shown(s)})`, undefined, id);
    }
    scores = s as number[];
  }
  const latencyMs = optNumber(raw['latencyMs'], 0, MAX_LATENCY_MS);
  if (latencyMs === undefined) return reject(index, 'invalid_latency', `latencyMs must be a number from 0 to ${MAX_LATENCY_MS} (about 11.6 days) (got ${sent(raw['latencyMs'])})`, undefined, id);
  const costUsd = optNumber(raw['costUsd'], 0, MAX_COST_USD);
  if (costUsd === undefined) return reject(index, 'invalid_cost', `costUsd must be a number from 0 to ${MAX_COST_USD} (got ${sent(raw['costUsd'])})`, undefined, id);
  const segment = parseSegment(raw['segment'], ctx.model.segmentKeys);
  if (typeof segment === 'string') return reject(index, 'invalid_segment', segment, undefined, id);
  return { ok: true, event: { id, model, version, ts, features, prediction, score, scores, latencyMs, error, segment, costUsd } };
}

/** The row's segment (its values of the model's segment keys), or what is wrong with it. */
export function parseSegment(seg: unknown, keys: readonly string[]): Record<string, string> | string {
  const segment: Record<string, string> = {};
  if (seg === undefined || seg === null) return segment;
  if (!isObject(seg)) return 'segment must be an object of key -> value';
  for (const key of keys) {
    const v = seg[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return `segment.${key} must be a string, number or boolean`;
    const s = String(v);
    if (s.length > MAX_SEGMENT_VALUE || hasNul(s)) return `segment.${key} is too long (max ${MAX_SEGMENT_VALUE}) or contains U+0000`;
    if (s === OTHER_SEGMENT_VALUE) return reservedSegmentValue(key);
    segment[key] = s;
  }
  return segment;
}

/**
 * Canonical segment key: "" when empty, else "k1=v1&k2=v2" with keys sorted and values URI-encoded. A lone UTF-16
 * surrogate (which encodeURIComponent refuses) is encoded as U+FFFD, as the stores keep text and as a URL decodes it.
 */
export function segmentKey(segment: Readonly<Record<string, string>>): string {
  return Object.keys(segment).sort().map((k) => `${uriPart(k)}=${uriPart(segment[k] as string)}`).join('&');
}

function uriPart(s: string): string {
  const w = s as unknown as { isWellFormed(): boolean; toWellFormed(): string };
  return encodeURIComponent(w.isWellFormed() ? s : w.toWellFormed());
}
