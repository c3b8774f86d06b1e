import { sumsToOne } from '../core/metrics/multiclass.js';
import { npSum } from '../core/metrics/npsum.js';
import { checkPolicy, type TrafficPolicy } from '../core/routing/policy.js';
import type { ModelRecord } from '../storage/types.js';
import { RegistryError } from './errors.js';
import { didYouMean, firstUnknown, knownKeys } from '../core/text/closest.js';

/** A static, rule-based answer served when nothing else can answer. */
export interface StaticResponse {
  prediction: string | number;
  score?: number;
  scores?: number[];
}

/** One step of the fallback chain: a (simpler) version, or a static response. */
export type FallbackStep = { version: string } | { static: StaticResponse };

/** How the gateway serves a model (PUT /v1/models/:name/serving). */
export interface ServingConfig {
  /** The alias whose target is the primary version (default "production"). */
  alias: string;
  /** Deadline of one upstream call, in ms (default 1000). */
  timeoutMs: number;
  /**
   * Deadline of a whole request, in ms from its first upstream call (default: none, each call its own timeoutMs): every upstream call of the request (a canary candidate,
   * the primary, the fallback versions) gets at most what is left of it; once spent, only a static answer can answer.
   */
  deadlineMs?: number;
  /** Tried in order when the primary fails, times out or is paused (a failing canary candidate goes to the primary); then an error (502, 503 or 504: docs/gateway.md). */
  fallback: FallbackStep[];
  policy: TrafficPolicy;
  /** Feature used as a sticky canary's routing key (default: the canary's `stickyKey`); the body's "key" and header x-lookout-route-key win. */
  routeKey?: string;
}

export const DEFAULT_SERVING: ServingConfig = { alias: 'production', timeoutMs: 1000, fallback: [], policy: { kind: 'single' } };

export const MAX_TIMEOUT_MS = 120_000;

/** Refuses an alias name (`field` names it in the message), saying what a name may be. */
export function checkAliasName(alias: unknown, field = 'alias'): asserts alias is string {
  if (typeof alias === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(alias)) return;
  const got = typeof alias === 'string' ? `"${alias.slice(0, 80)}"` : JSON.stringify(alias) ?? String(alias);
  throw new RegistryError('bad_request', `${field} ${got} is not an alias name: 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. production)`);
}

/**
 * Validates a serving configuration from a request or the store, filling defaults. With the model (a request's
 * configuration), a static answer must be one the model could give; stored configurations load as they are.
 */
export function checkServing(raw: unknown, model?: Pick<ModelRecord, 'outputKind' | 'classes'>): ServingConfig {
  const o = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : null) as Record<string, unknown> | null;
  if (o === null) throw new RegistryError('bad_request', 'serving configuration must be an object');
  const known = new Set(['alias', 'timeoutMs', 'deadlineMs', 'fallback', 'policy', 'routeKey']);
  const extra = Object.keys(o).filter((k) => !known.has(k));
  // audit 25: validation_failed (as every other unknown field), with the field meant
  if (extra.length > 0) throw new RegistryError('validation_failed', `unknown serving field(s) ${extra.slice(0, 5).map((k) => k.slice(0, 100)).join(', ')}; known: ${[...known].join(', ')}${didYouMean(extra[0] ?? '', known)}`);
  const alias = o['alias'] ?? DEFAULT_SERVING.alias;
  checkAliasName(alias);
  const timeoutMs = o['timeoutMs'] ?? DEFAULT_SERVING.timeoutMs;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
    throw new RegistryError('bad_request', `timeoutMs must be from 1 to ${MAX_TIMEOUT_MS}`);
  }
  const deadlineMs = o['deadlineMs'] ?? undefined;
  if (deadlineMs !== undefined && (typeof deadlineMs !== 'number' || !Number.isFinite(deadlineMs) || deadlineMs < timeoutMs || deadlineMs > MAX_TIMEOUT_MS)) {
    throw new RegistryError('bad_request', `deadlineMs (the whole request's deadline) must be from timeoutMs (${timeoutMs}) to ${MAX_TIMEOUT_MS}`);
  }
  const fallback = o['fallback'] ?? [];
  if (!Array.isArray(fallback) || fallback.length > 10) throw new RegistryError('bad_request', 'fallback must be a list of at most 10 steps');
  const steps = fallback.map((s: unknown, i): FallbackStep => {
    const st = (typeof s === 'object' && s !== null ? s : {}) as Record<string, unknown>;
    if ('version' in st || 'static' in st) onlyKnown(st, ['version', 'static'], `fallback[${i}]`);
    if (typeof st['version'] === 'string' && st['version'] !== '') return { version: st['version'] };
    const r = st['static'] as Record<string, unknown> | undefined;
    if (typeof r === 'object' && r !== null) onlyKnown(r, ['prediction', 'score', 'scores'], `fallback[${i}].static`);
    if (r && (typeof r['prediction'] === 'string' || (typeof r['prediction'] === 'number' && Number.isFinite(r['prediction'])))) {
      if (model) checkStatic(r, `fallback[${i}].static`, model);
      const out: StaticResponse = { prediction: r['prediction'] };
      if (typeof r['score'] === 'number') out.score = r['score'];
      if (Array.isArray(r['scores']) && r['scores'].every((x) => typeof x === 'number')) out.scores = r['scores'] as number[];
      return { static: out };
    }
    throw new RegistryError('bad_request', `fallback[${i}] must be {"version": "..."} or {"static": {"prediction": ...}}`);
  });
  let policy: TrafficPolicy;
  try {
    policy = checkPolicy(o['policy'] ?? { kind: 'single' });
  } catch (e) {
    throw new RegistryError('bad_request', e instanceof Error ? e.message : String(e));
  }
  const routeKey = o['routeKey'];
  if (routeKey !== undefined && (typeof routeKey !== 'string' || routeKey === '')) throw new RegistryError('bad_request', 'routeKey must be a field name');
  return { alias, timeoutMs, ...(deadlineMs !== undefined && { deadlineMs }), fallback: steps, policy, ...(typeof routeKey === 'string' && { routeKey }) };
}

/** A misspelt key of a fallback step (a static's scor) was ignored: refused naming it. */
function onlyKnown(o: Record<string, unknown>, known: readonly string[], at: string): void {
  const extra = firstUnknown(o, known);
  if (extra !== undefined) throw new RegistryError('validation_failed', `${at}.${extra.slice(0, 100)} is unknown ${knownKeys(extra, known)}`);
}

const isUnit = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= 1;

/**
 * Why a stored static answer no longer fits the model's declaration (classes declared or appended since the serving
 * configuration was set: a label outside them, scores no longer one per class), or null when it fits.
 */
export function staticMisfit(r: StaticResponse, at: string, model: Pick<ModelRecord, 'outputKind' | 'classes'>): string | null {
  try {
    checkStatic(r as unknown as Record<string, unknown>, at, model);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** The static steps of a serving configuration that a model declaration would leave outside it (empty: none). */
export function servingMisfits(serving: ServingConfig, model: Pick<ModelRecord, 'outputKind' | 'classes'>): string[] {
  return serving.fallback.flatMap((st, i) => ('static' in st ? [staticMisfit(st.static, `fallback[${i}].static`, model)] : []))
    .filter((m): m is string => m !== null);
}

/** A static answer is served to clients and recorded as the model's prediction: refuse one the model could not give. */
function checkStatic(r: Record<string, unknown>, at: string, model: Pick<ModelRecord, 'outputKind' | 'classes'>): void {
  const p = r['prediction'];
  const classes = model.classes ?? null;
  if (model.outputKind === 'regression' && typeof p !== 'number') throw new RegistryError('bad_request', `${at}.prediction must be a number for a regression model`);
  if (model.outputKind !== 'regression' && classes !== null && !classes.includes(String(p))) {
    throw new RegistryError('bad_request', `${at}.prediction "${String(p).slice(0, 100)}" is not one of the model's classes (${classes.join(', ')})`);
  }
  if (r['score'] !== undefined && !isUnit(r['score'])) throw new RegistryError('bad_request', `${at}.score must be a number in [0, 1]`);
  const scores = r['scores'];
  if (scores !== undefined && (!Array.isArray(scores) || !scores.every(isUnit) || (classes !== null && scores.length !== classes.length))) {
    throw new RegistryError('bad_request', `${at}.scores must be an array of ${classes?.length ?? 'per-class'} numbers in [0, 1]`);
  }
  // per-class probabilities, as the gateway requires of an upstream's answer (src/gateway/upstream.ts)
  if (Array.isArray(scores) && scores.length > 0 && !sumsToOne(scores as number[])) throw new RegistryError('bad_request', `${at}.scores sum to ${npSum(scores as number[])}, not 1`);
}
