import type { FastifyInstance } from 'fastify';
import { predictionDrift } from '../../core/rollout/analysis.js';
import { idHeader } from '../../gateway/gateway.js';
import type { RegistryServices } from '../../gateway/services.js';
import { RegistryError } from '../../registry/errors.js';
import { answer } from '../answers/index.js';
import { OWN_BODY } from '../body-fields.js';
import type { AppDeps } from '../deps.js';
import { actor, objectBody, reasonOf, useRegistryErrors } from './registry-errors.js';

type P = { name: string };

const FAILURES: ReadonlySet<string> = new Set(['upstream_error', 'upstream_timeout', 'unavailable']);

/** The prediction gateway, its shadow report and the blue-green switch. */
export function gatewayRoutes(deps: AppDeps, s: RegistryServices) {
  return async (app: FastifyInstance): Promise<void> => {
    useRegistryErrors(app);
    // Plain JSON.parse for this plugin's routes (the body is only read, validated against the model schema
    // and re-serialised, never merged into objects, so prototype-poisoning keys are inert here).
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
      try {
        done(null, body === '' ? undefined : JSON.parse(body as string));
      } catch (e) {
        const err = e as Error & { statusCode?: number; code?: string };
        err.statusCode = 400;
        err.code = 'FST_ERR_CTP_INVALID_JSON_BODY';
        done(err, undefined);
      }
    });

    app.post<{ Params: P }>('/v1/models/:name/predict', { onRequest: deps.keys.hook('ingest'), config: { query: [], body: OWN_BODY, answer: answer('Prediction', 'the prediction, and the version that made it') } }, async (req, reply) => {
      const key = req.headers['x-lookout-route-key'];
      const rid = req.headers['x-request-id'];
      const model = req.params.name;
      let r;
      try {
        r = await s.gateway.predict(model, req.body, { routeKey: typeof key === 'string' ? key : undefined, requestId: typeof rid === 'string' ? rid : undefined });
      } catch (e) {
        // the answers nothing could give (502, 504, 503); a refused request (400, 404) names no upstream
        if (e instanceof RegistryError && FAILURES.has(e.code)) deps.metrics.gatewayPredictions.inc({ model, outcome: e.code });
        throw e;
      }
      deps.metrics.gatewayPredictions.inc({ model, outcome: r.fallback === null ? 'ok' : 'fallback' });
      void reply.header('x-lookout-prediction-id', idHeader(r.id)).header('x-lookout-version', r.version);
      if (r.fallback !== null) void reply.header('x-lookout-fallback', r.fallback);
      return r.body;
    });

    /** Shadow / paired comparison report: disagreement rate, latency delta, and both versions' live statistics. */
    app.get<{ Params: P; Querystring: { candidate?: string } }>('/v1/models/:name/shadow', { onRequest: deps.keys.hook('read'), config: { query: ['candidate'], answer: answer('ShadowReport', 'the paired comparison of the primary and the candidate') } }, async (req) => {
      const model = req.params.name;
      s.registry.requireModel(model);
      const ctl = s.registry.control(model);
      const primary = ctl.aliases[ctl.serving.alias] ?? null;
      const override = s.rollouts.routing(model)?.policy;
      const policy = override ?? ctl.serving.policy;
      const candidate = req.query.candidate ?? ('candidate' in policy ? policy.candidate : null);
      if (primary === null || candidate === null) return { primary, candidate, pairs: null };
      const pair = s.stats.pairBetween(model, primary, candidate);
      const arm = (v: string) => {
        const a = s.stats.arm(model, v);
        return { n: a.n, errors: a.errors, p50Ms: a.p50Ms ?? null, p95Ms: a.p95Ms, predictions: Object.fromEntries(a.categories), meanConfidence: a.meanConfidence };
      };
      return {
        primary, candidate, since: s.stats.since(model),
        pairs: { n: pair.n, disagreements: pair.disagreements, disagreementRate: pair.n > 0 ? pair.disagreements / pair.n : null, failures: pair.failures, skipped: pair.skipped, meanLatencyDeltaMs: pair.meanLatencyDeltaMs },
        predictionDrift: { method: 'psi', value: predictionDrift(s.stats.arm(model, primary), s.stats.arm(model, candidate)) },
        arms: { primary: arm(primary), candidate: arm(candidate) },
      };
    });

    /** Blue-green switch: the standby becomes the primary (alias flip) and the old primary the standby. */
    app.post<{ Params: P; Body: unknown }>('/v1/models/:name/switch', { onRequest: deps.keys.hook('admin'), config: { query: [], body: ['by', 'reason'], answer: answer('AliasChange', 'the serving alias moved to the standby') } }, async (req) => {
      const model = req.params.name;
      s.registry.requireModel(model);
      const b = objectBody(req.body);
      const ctl = s.registry.control(model);
      const policy = ctl.serving.policy;
      if (policy.kind !== 'blue-green') throw new RegistryError('conflict', `model "${model}" is not served blue-green (policy "${policy.kind}")`);
      const current = ctl.aliases[ctl.serving.alias] ?? null;
      // a standby the alias already points to (named so, or the alias set to it since): nothing would switch
      if (current === policy.standby) throw new RegistryError('conflict', `standby ${policy.standby} already is the "${ctl.serving.alias}" version: nothing to switch (name the other version as the standby)`, { alias: ctl.serving.alias, standby: policy.standby });
      // switching to a standby that cannot answer would send every prediction to the fallback chain or a 503
      if (!ctl.upstreams.has(policy.standby)) throw new RegistryError('conflict', `standby ${policy.standby} has no upstream: register one before switching to it`);
      if (ctl.modelPaused || ctl.pausedVersions.has(policy.standby)) throw new RegistryError('conflict', `standby ${policy.standby} is paused: resume it before switching to it`);
      const r = await s.registry.setAlias(model, ctl.serving.alias, policy.standby, { kind: 'set', reason: `blue-green switch: ${reasonOf(b)}`, by: actor(deps, req, 'admin', b['by']), expectFrom: current });
      // the configuration as stored now, not as read before the flip: a PUT .../serving meanwhile is kept
      const previous = r.previous;
      if (previous !== null) await s.registry.updateServing(model, (cur) => (cur.policy.kind === 'blue-green' ? { ...cur, policy: { kind: 'blue-green', standby: previous } } : null));
      return r;
    });
  };
}
