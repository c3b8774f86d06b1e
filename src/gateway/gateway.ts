import { performance } from 'node:perf_hooks';
import type { Random } from '../core/random/rng.js';
import { route, type TrafficPolicy } from '../core/routing/policy.js';
import type { ValidEvent } from '../ingest/event-input.js';
import { hasNul, withoutNul } from '../ingest/limits.js';
import type { ModelContext } from '../ingest/validate-event.js';
import type { ModelCatalog } from '../monitoring/catalog.js';
import { RegistryError } from '../registry/errors.js';
import type { ModelControl, ModelRegistry } from '../registry/registry.js';
import { staticMisfit } from '../registry/serving.js';
import type { EventRecorder } from './recorder.js';
import type { GatewayStats } from './stats.js';
import { UpstreamError, upstreamHeaders, type UpstreamAnswer, type UpstreamClients, type UpstreamFailure } from './upstream.js';
import { unavailableHint } from './unavailable-hint.js';
import { parsePredictBody, routeKeyFromHeader, routeKeyOf, type PredictBody } from './request.js';

/** A running rollout's traffic policy, which takes precedence over the configured one. */
export interface RoutingOverrides {
  /** `primary`: the version to take as the primary instead of the serving alias's (a promotion's rollback waiting for the store). */
  routing(model: string): { policy: TrafficPolicy; compareCanary: boolean; primary?: string } | null;
}

export interface GatewayOptions {
  registry: ModelRegistry;
  catalog: ModelCatalog;
  upstreams: UpstreamClients;
  /** Clients of mirrored (shadow, compared canary) calls: pools of their own, so a slow mirror never holds the connections answers need. */
  mirrors: UpstreamClients;
  /** Mirrored calls in flight at most (default 256); beyond, a request is not mirrored and the skip is counted. */
  maxMirrorsInFlight?: number;
  recorder: EventRecorder;
  stats: GatewayStats;
  clock: () => number;
  newId: () => string;
  random: Random;
  overrides?: RoutingOverrides;
}

export interface PredictResult {
  body: { prediction: string | number; score?: number; scores?: number[]; version: string; id: string; fallback?: string };
  /** The version that answered ("fallback:static" for a static answer). */
  version: string;
  id: string;
  fallback: string | null;
}

/** What the caller's request carries besides its body (HTTP headers). */
export interface RequestMeta {
  /** The x-lookout-route-key header: the sticky routing key, percent-encoded UTF-8 (routeKeyFromHeader). */
  routeKey?: string | undefined;
  /** The x-request-id header: passed on to the upstreams (else the prediction id is). */
  requestId?: string | undefined;
}

/** A longer x-request-id is not passed on (the prediction id is instead). */
const MAX_REQUEST_ID = 200;

/**
 * A prediction id as a header carries it: as it is when printable ASCII, else percent-encoded UTF-8
 * (encodeURIComponent): a header cannot carry a line break, and text beyond Latin-1 made every upstream call fail.
 */
export const idHeader = (id: string): string => (/^[\x20-\x7e]*$/.test(id) ? id : encodeURIComponent(id));

/** One upstream call's body and headers (the same for every version called for a request). */
interface Outgoing { body: string; headers: Record<string, string> }

interface Attempt {
  version: string | null;
  error: string;
  /** How its upstream call failed ('timeout' too when the request's deadline was spent before it); absent when no upstream was called (paused, none configured). */
  failure?: UpstreamFailure;
}

/** The request's deadline, shared by all its upstream calls: `ms` from its first upstream call on (`at`, performance.now() time); Infinity when none is set. */
interface Deadline { at: number | null; ms: number }

/** What is left of the request's deadline, in ms (all of it before the first upstream call). */
const timeLeft = (d: Deadline): number => (d.at === null ? d.ms : d.at - performance.now());

const spent = (d: Deadline): string => `not called: the request's deadline (${d.ms} ms) was spent`;

export function confidence(a: { score: number | null; scores: number[] | null }): number | null {
  if (a.scores !== null && a.scores.length > 0) return Math.max(...a.scores);
  if (a.score !== null && a.score >= 0 && a.score <= 1) return Math.max(a.score, 1 - a.score);
  return null;
}

/**
 * The answer when the model can give it; an answer its monitoring would reject (a label not among its classes, scores
 * not one per class; parseAnswer checked their range) is invalid.
 */
export function fit(ctx: ModelContext, a: UpstreamAnswer): UpstreamAnswer {
  const classes = ctx.model.classes ?? null;
  if (a.scores !== null && classes !== null && a.scores.length !== classes.length) {
    throw new UpstreamError('invalid_response', `upstream answer's scores must be ${classes.length} numbers, one per class (${classes.join(', ').slice(0, 200)}): got ${a.scores.length}`, a.latencyMs);
  }
  const regression = ctx.model.outputKind === 'regression';
  const label = String(a.prediction);
  // a label POST /v1/events refuses (over 1024 characters, U+0000: not storable) would fail the recorder's whole batch
  if (!regression && ctx.classes === null && (label.length > 1024 || hasNul(label))) {
    throw new UpstreamError('invalid_response', `upstream answered a label of ${label.length} characters${hasNul(label) ? ' with U+0000' : ''}: at most 1024, without U+0000`, a.latencyMs);
  }
  if (regression ? typeof a.prediction === 'number' : ctx.classes === null || ctx.classes.has(label)) return a;
  const why = regression ? 'a regression model answers a number' : `not one of the model's classes (${[...ctx.classes ?? []].join(', ').slice(0, 200)})`;
  throw new UpstreamError('invalid_response', `upstream answered "${String(a.prediction).slice(0, 100)}": ${why}`, a.latencyMs);
}

/**
 * The error of a request nothing answered, as gateways answer: the last upstream called decides, 504 when it timed out,
 * else 502 (an error status, an invalid answer, unreachable); 503 when no upstream was called (paused, none configured).
 */
function failureCode(attempts: Attempt[]): 'upstream_timeout' | 'upstream_error' | 'unavailable' {
  const last = attempts.filter((a) => a.failure !== undefined).at(-1);
  return last === undefined ? 'unavailable' : last.failure === 'timeout' ? 'upstream_timeout' : 'upstream_error';
}

const isPaused = (ctl: ModelControl, version: string): boolean => ctl.modelPaused || ctl.pausedVersions.has(version);

/**
 * The prediction gateway: validates the input against the model's schema, routes by the traffic policy,
 * calls the upstream with the model's deadline, falls back (simpler version, static answer) or answers a
 * clear 503, mirrors to a shadow without touching the answer, and records the event for monitoring.
 */
export class Gateway {
  private mirrorsInFlight = 0;
  /** Waiting for mirrorsSettled(). */
  private settledWaiters: Array<() => void> = [];

  constructor(private readonly o: GatewayOptions) {}

  /**
   * Resolves once no mirrored call (a shadow's, a compared canary's) is in flight: each is bounded by its upstream
   * timeout. Shutdown waits for it, so the answers still coming are recorded, not cut into failures of the shadow.
   */
  mirrorsSettled(): Promise<void> {
    if (this.mirrorsInFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  async predict(model: string, raw: unknown, meta: RequestMeta = {}): Promise<PredictResult> {
    let t0 = performance.now();
    const ctx = this.o.catalog.model(model);
    if (!ctx) this.o.registry.requireModel(model);
    const mctx = ctx as ModelContext;
    const body = parsePredictBody(raw, mctx);
    const headerKey = meta.routeKey === undefined || meta.routeKey === '' ? undefined : routeKeyFromHeader(meta.routeKey);
    const ctl = this.o.registry.control(model);
    const { serving } = ctl;
    // no deadlineMs: no overall deadline, each upstream call its own timeoutMs
    const deadline: Deadline = { at: null, ms: serving.deadlineMs ?? Infinity };
    // A generated id names the event of the calls it was sent with (a failed canary call's, a failed request's); the
    // request's own id always names the served answer (its labels), so an event of a call that failed gets a new one.
    const generated = body.id === undefined;
    let id = body.id ?? this.o.newId();
    const callerRequestId = meta.requestId !== undefined && meta.requestId !== '' && meta.requestId.length <= MAX_REQUEST_ID ? meta.requestId : null;
    // the ids model servers log, to join their logs with the events: the prediction id, and the caller's request id
    const outgoing = (pid: string): Outgoing => {
      const h = idHeader(pid);
      return { body: JSON.stringify({ features: body.features }), headers: upstreamHeaders(h, callerRequestId ?? h) };
    };
    let payload = outgoing(id);
    const attempts: Attempt[] = [];
    let answer: UpstreamAnswer | null = null;
    let served: string | null = null;
    let routed: string | null = null;
    let mirror: string | null = null;
    // the policy in effect (a rollout's over the configured one) decides whether a mirrored call is a shadow's event
    let shadowing = false;
    let fallback: string | null = null;
    const override = this.o.overrides?.routing(model) ?? null;
    const primary = override?.primary ?? ctl.aliases[serving.alias];
    if (primary === undefined) {
      attempts.push({ version: null, error: `alias "${serving.alias}" is not set` });
    } else {
      const policy = override?.policy ?? serving.policy;
      shadowing = policy.kind === 'shadow';
      // the serving routeKey, else the canary's stickyKey, names the feature that keeps a user on one side
      const keyField = serving.routeKey ?? (policy.kind === 'canary' ? policy.stickyKey : undefined);
      let d = route({ primary, policy, compareCanary: override?.compareCanary ?? false }, routeKeyOf(body, keyField, headerKey), this.o.random);
      // pausing a canary candidate is its kill switch: its share goes back to the primary, not to the fallback chain
      if (d.arm === 'candidate' && isPaused(ctl, d.version)) d = { version: primary, mirror: null, arm: 'primary' };
      routed = d.version;
      mirror = d.mirror;
      const tc = performance.now();
      answer = await this.call(mctx, ctl, routed, payload, serving.timeoutMs, deadline, attempts);
      if (answer === null && d.arm === 'candidate') {
        // A failing canary candidate fails only itself: its failure is recorded as a failed event of its version (its
        // error rate), and the primary answers, as for a paused candidate. The failed event has the id the candidate
        // was sent when that was generated, and the request a new one (the answer's id names the served answer); a
        // request's own id stays the answer's. The primary's event has the latency from its own call on: the
        // candidate's deadline is not the primary's slowness.
        this.record(mctx, body, generated ? id : this.o.newId(), routed, null, performance.now() - tc, attempts.at(-1)?.error ?? null);
        if (generated) {
          id = this.o.newId();
          payload = outgoing(id);
        }
        t0 = performance.now();
        mirror = null;
        if (timeLeft(deadline) >= 1) {
          routed = primary;
          answer = await this.call(mctx, ctl, routed, payload, serving.timeoutMs, deadline, attempts);
        } else {
          // the candidate spent the request's deadline: the primary is not called, and the request (already an event
          // of the candidate) is not an error of the primary's; only a static fallback answers now
          attempts.push({ version: primary, error: spent(deadline), failure: 'timeout' });
          routed = null;
        }
      }
      if (answer !== null) served = routed;
    }
    // The id the routed version was sent (its failed event's, when a fallback answers or nothing does).
    const routedId = id;
    const routedError = routed === null ? null : attempts.find((a) => a.version === routed)?.error ?? null;
    const routedMs = performance.now() - t0;
    if (answer === null) {
      // audit 29: a fallback version's answer is an event of that version, under an id of its own when the id was
      // generated (the one it is sent), as for a primary answering after a failed canary candidate
      if (routed !== null && generated && serving.fallback.some((step) => 'version' in step)) {
        id = this.o.newId();
        payload = outgoing(id);
      }
      t0 = performance.now();
      const fell = await this.fallBack(mctx, ctl, serving, payload, deadline, attempts);
      if (fell !== null) {
        answer = fell;
        served = fell.version;
        fallback = fell.version === 'fallback:static' ? 'static' : `version:${fell.version}`;
        // a static answer is no version's: the request's event is the routed version's failure, under the answer's id
        if (fallback === 'static') id = routedId;
      }
    }
    const elapsedMs = performance.now() - t0;
    if (answer === null) {
      // A failed request is an event of the routed version too (no prediction): a model that is down shows as errors.
      // Under the generated id its upstreams were sent; a request's own id gets a new one: a retry with the request's
      // id is the prediction that id names (and labels). Its latency is the whole request's (all attempts).
      if (routed !== null) this.record(mctx, body, generated ? routedId : this.o.newId(), routed, null, routedMs + elapsedMs, routedError);
      // audit 25: the message says what to set or resume when that is why nothing could be called
      throw new RegistryError(failureCode(attempts), `model "${model}" cannot answer now: ${attempts.map((a) => `${a.version ?? '(no version)'}: ${a.error}`).join('; ')}${unavailableHint(model, attempts)}`,
        { attempts: attempts.map((a) => ({ version: a.version, error: a.error })), id: routedId });
    }
    if (served === routed) {
      this.record(mctx, body, id, served as string, answer, elapsedMs, null);
    } else {
      // Audit 29: the routed version failed and a fallback answered. Until then the answer was recorded as an event of
      // the routed version with its error: a static rule's answers (or an older version's) went into the failed
      // version's prediction and score distributions and estimated performance (an outage looked like prediction
      // drift), and labels for them measured the failed version. Now the routed version's event is its failure (its
      // latency up to the failure), and a fallback version's answer is an event of that version (its latency from the
      // fallback on, as a primary's after a failed candidate). A static answer is no version's: no event of its own.
      if (routed !== null) this.record(mctx, body, fallback === 'static' || generated ? routedId : this.o.newId(), routed, null, fallback === 'static' ? routedMs + elapsedMs : routedMs, routedError);
      // audit 27: no version routed to (the serving alias not set): a fallback version's answer is its own, not an error
      if (fallback !== 'static') this.record(mctx, body, id, served as string, answer, elapsedMs, null);
    }
    if (mirror !== null && served === routed && !isPaused(ctl, mirror)) this.mirror(mctx, ctl, body, served as string, mirror, answer, payload, serving.timeoutMs, shadowing);
    const out: PredictResult['body'] = { prediction: answer.prediction, version: served as string, id };
    if (answer.score !== null) out.score = answer.score;
    if (answer.scores !== null) out.scores = answer.scores;
    if (fallback !== null) out.fallback = fallback;
    return { body: out, version: served as string, id, fallback };
  }

  /** The fallback chain, in order: the first answer, with the version that gave it ("fallback:static" for a static one), or null. */
  private async fallBack(ctx: ModelContext, ctl: ModelControl, serving: ModelControl['serving'], payload: Outgoing, deadline: Deadline, attempts: Attempt[]): Promise<(UpstreamAnswer & { version: string }) | null> {
    for (const [i, step] of serving.fallback.entries()) {
      if ('static' in step) {
        // classes declared since the configuration was set (a config file's) may leave the answer outside them:
        // never served (nor recorded); the next step, else a 503 saying why
        const misfit = staticMisfit(step.static, `fallback[${i}].static`, ctx.model);
        if (misfit !== null) {
          attempts.push({ version: 'fallback:static', error: `the static answer does not fit the model's declaration: ${misfit}` });
          continue;
        }
        return { prediction: step.static.prediction, score: step.static.score ?? null, scores: step.static.scores ?? null, latencyMs: 0, version: 'fallback:static' };
      }
      if (attempts.some((a) => a.version === step.version)) continue;
      const answer = await this.call(ctx, ctl, step.version, payload, serving.timeoutMs, deadline, attempts);
      if (answer !== null) return { ...answer, version: step.version };
    }
    return null;
  }

  /** One upstream call of `version`, within `timeoutMs` and what is left of the request's deadline; failures are noted in `attempts` and answer null. */
  private async call(ctx: ModelContext, ctl: ModelControl, version: string, payload: Outgoing, timeoutMs: number, deadline: Deadline, attempts: Attempt[]): Promise<UpstreamAnswer | null> {
    const model = ctx.model.name;
    if (isPaused(ctl, version)) {
      attempts.push({ version, error: ctl.modelPaused ? 'model paused' : 'version paused' });
      return null;
    }
    const url = ctl.upstreams.get(version);
    if (url === undefined) {
      attempts.push({ version, error: 'no upstream configured' });
      return null;
    }
    deadline.at ??= performance.now() + deadline.ms;
    const left = timeLeft(deadline);
    if (left < 1) {
      attempts.push({ version, error: spent(deadline), failure: 'timeout' });
      return null;
    }
    try {
      const a = fit(ctx, await this.o.upstreams.predict(url, payload.body, Math.min(timeoutMs, Math.ceil(left)), payload.headers));
      this.o.stats.answer(model, version, true, a.latencyMs, a.prediction, confidence(a));
      return a;
    } catch (e) {
      const err = e instanceof UpstreamError ? e : new UpstreamError('connection', String(e), 0);
      this.o.stats.answer(model, version, false, err.latencyMs, null, null);
      attempts.push({ version, error: `${err.kind}: ${err.message}`, failure: err.kind });
      return null;
    }
  }

  /** Sends the same request to `mirror` after the answer is known; only statistics (and, for a shadow, its event) come of it. */
  private mirror(ctx: ModelContext, ctl: ModelControl, body: PredictBody, served: string, mirror: string, answer: UpstreamAnswer, payload: Outgoing, timeoutMs: number, isShadow: boolean): void {
    const url = ctl.upstreams.get(mirror);
    const model = ctx.model.name;
    if (url === undefined) return;
    if (this.mirrorsInFlight >= (this.o.maxMirrorsInFlight ?? 256)) {
      this.o.stats.pairSkipped(model, served, mirror);
      return;
    }
    this.mirrorsInFlight++;
    // A shadow's answer is an event of its own, under a new id: its model server is sent that id (so its logs join the
    // shadow's event, not the primary's), and the request's x-request-id, which ties it to the request. A compared
    // canary's mirrored call records no event: it is sent the answer's id.
    const shadowId = isShadow ? this.o.newId() : null;
    const headers = shadowId === null ? payload.headers : upstreamHeaders(idHeader(shadowId), payload.headers['x-request-id'] as string);
    const t0 = performance.now();
    this.o.mirrors.predict(url, payload.body, timeoutMs, headers).then((a) => fit(ctx, a)).then((a) => {
      this.o.stats.answer(model, mirror, true, a.latencyMs, a.prediction, confidence(a));
      this.o.stats.pair(model, served, mirror, answer.prediction, a.prediction, a.latencyMs - answer.latencyMs);
      if (shadowId !== null) this.record(ctx, { ...body, id: undefined }, shadowId, mirror, a, performance.now() - t0, null);
    }, (e: unknown) => {
      const err = e instanceof UpstreamError ? e : new UpstreamError('connection', String(e), 0);
      this.o.stats.answer(model, mirror, false, err.latencyMs, null, null);
      this.o.stats.pair(model, served, mirror, answer.prediction, null, 0);
      if (shadowId !== null) this.record(ctx, body, shadowId, mirror, null, performance.now() - t0, `${err.kind}: ${err.message}`);
    }).catch(() => undefined).finally(() => {
      if (--this.mirrorsInFlight > 0) return;
      const waiters = this.settledWaiters;
      this.settledWaiters = [];
      for (const w of waiters) w();
    });
  }

  /** Records the request as an event of `version`: its answer `a`, or none (null) when it failed with `error`. */
  private record(ctx: ModelContext, body: PredictBody, id: string, version: string, a: UpstreamAnswer | null, latencyMs: number, errorText: string | null): void {
    const ts = this.o.clock();
    // an upstream's error text quotes its answer, which may hold U+0000 (not storable: the whole batch would fail)
    const error = errorText === null ? null : withoutNul(errorText);
    const cls = ctx.model.outputKind !== 'regression';
    if (a === null) {
      this.o.recorder.record({ id, model: ctx.model.name, version, ts, features: body.features, prediction: null, score: null, scores: null, latencyMs, error: (error ?? 'error').slice(0, 1000), segment: body.segment, costUsd: null });
      return;
    }
    // An upstream's answer passed fit() and a static one staticMisfit(); kept as a guard (a label outside the classes
    // would be stored as the model's prediction): rejected, not stored.
    if (cls && ctx.classes !== null && !ctx.classes.has(String(a.prediction))) {
      this.o.recorder.reject({ ts, model: ctx.model.name, version, code: 'invalid_prediction', reason: `upstream answered "${String(a.prediction).slice(0, 100)}", not one of the model's classes`, excerpt: JSON.stringify({ id, prediction: a.prediction }).slice(0, 2000) });
      return;
    }
    const e: ValidEvent = {
      id, model: ctx.model.name, version, ts, features: body.features, prediction: cls ? String(a.prediction) : a.prediction,
      score: a.score, scores: a.scores, latencyMs, error: error === null ? null : error.slice(0, 1000),
      segment: body.segment, costUsd: null,
    };
    this.o.recorder.record(e);
  }
}
