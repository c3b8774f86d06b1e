import type { FastifyInstance } from 'fastify';
import type { RegistryServices } from '../../gateway/services.js';
import { compareVersions, promote, type PromoteRequest, type TestSet } from '../../registry/promote.js';
import { answer, withAnswer, type AnswerName } from '../answers/index.js';
import { OWN_BODY, refuseUnknownFields, withBody, type BodySpec } from '../body-fields.js';
import type { AppDeps } from '../deps.js';
import { ApiError } from '../errors.js';
import { rolloutPage } from './rollout-history.js';
import { actor, objectBody, reasonOf, useRegistryErrors } from './registry-errors.js';

/** What POST .../compare and .../promote read of their bodies. */
const COMPARE_FIELDS = ['current', 'candidate', 'testSet', 'gate', 'seed', 'resamples'] as const;
const PROMOTE_FIELDS = ['version', 'alias', 'reason', 'by', 'testSet', 'gate', 'force', 'seed', 'resamples'] as const;

type P = { name: string };

/**
 * Audit 29: a running rollout whose candidate is paused (its kill switch, or the model's) was shown as "running at 10%"
 * while the candidate got no traffic: what holds it, and what happens to it (evaluation.ts: its step never passes on
 * statistics from before the pause; still paused after maxStepDurationMs, it is rolled back).
 */
function blockedBy(s: RegistryServices, r: { model: string; candidate: string; state: string; stepStartedAt: number; maxStepDurationMs: number }): { blocked?: string } {
  if (r.state !== 'running') return {};
  const ctl = s.registry.control(r.model);
  const what = ctl.modelPaused ? `model "${r.model}" is paused` : ctl.pausedVersions.has(r.candidate) ? `${r.candidate} is paused` : null;
  if (what === null) return {};
  const resume = ctl.modelPaused ? `lookout models resume ${r.model}` : `lookout versions resume ${r.model} ${r.candidate}`;
  return { blocked: `${what}: the candidate gets no traffic; its step waits for the resume (${resume}) and is rolled back if still paused at ${new Date(r.stepStartedAt + r.maxStepDurationMs).toISOString()} (maxStepDurationMs after the step's start)` };
}

/** Progressive rollouts, head-to-head comparison and gated promotion. */
export function rolloutRoutes(deps: AppDeps, s: RegistryServices) {
  return async (app: FastifyInstance): Promise<void> => {
    useRegistryErrors(app);
    // none of these routes reads a query parameter but GET .../rollouts (known-query.ts)
    const admin = { onRequest: deps.keys.hook('admin'), config: { query: [] } };
    /** Admin scope, with `body` (body-fields.ts), answering `name` (with `status`: 200 by default). */
    const adminSays = (body: BodySpec, name: AnswerName, description: string, status = 200) => withAnswer(withBody(admin, body), answer(name, description, status));

    app.get<{ Params: P }>('/v1/models/:name/rollout', { onRequest: deps.keys.hook('read'), config: { query: [], answer: answer('RolloutAnswer', 'the current or most recent rollout; null when the model never had one') } }, async (req) => {
      s.registry.requireModel(req.params.name);
      const r = await s.rollouts.current(req.params.name);
      return { rollout: r === null ? null : { ...r, ...blockedBy(s, r) } };
    });

    /** The model's rollouts, newest first: `limit` (default 20, at most 1000) after the rollout `before` (the previous page's `next`). */
    app.get<{ Params: P; Querystring: Record<string, string | undefined> }>('/v1/models/:name/rollouts', { onRequest: deps.keys.hook('read'), config: { query: ['limit', 'before'], answer: answer('RolloutPage', 'a page of the model\'s rollouts, newest first') } }, async (req) => {
      s.registry.requireModel(req.params.name);
      return rolloutPage(s, req.params.name, req.query);
    });

    app.post<{ Params: P; Body: unknown }>('/v1/models/:name/rollout', adminSays(OWN_BODY, 'RolloutAnswer', 'the rollout started', 201), async (req, reply) => {
      const b = objectBody(req.body);
      const r = await s.rollouts.start(req.params.name, b, actor(deps, req, 'admin', b['by']), reasonOf(b));
      void reply.status(201);
      return { rollout: r };
    });

    for (const action of ['pause', 'resume', 'abort'] as const) {
      app.post<{ Params: P; Body: unknown }>(`/v1/models/:name/rollout/${action}`, action === 'abort' ? adminSays(['by', 'reason'], 'RolloutAnswer', 'the rollout, rolled back') : adminSays(['by', 'reason'], 'RolloutChange', `the rollout (${action})`), async (req) => {
        s.registry.requireModel(req.params.name);
        const b = objectBody(req.body);
        const by = actor(deps, req, 'admin', b['by']);
        // a pause's or resume's reason (the dashboard sends one) is kept in the rollout's history with who did it
        return action === 'abort' ? { rollout: await s.rollouts.abort(req.params.name, by, reasonOf(b), { manual: true }) } : s.rollouts[action](req.params.name, by, reasonOf(b, false));
      });
    }

    /** Runs one evaluation round of the rollout controller now (it also runs on its interval); lists the rollouts that failed. */
    app.post('/v1/rollouts/tick', adminSays([], 'TickAnswer', 'the evaluation round made'), async () => {
      const errors = await s.rollouts.tick();
      return { ok: errors.length === 0, errors };
    });

    app.post<{ Params: P; Body: unknown }>('/v1/models/:name/compare', adminSays(OWN_BODY, 'Comparison', 'the paired comparison and the gate\'s verdict'), async (req) => {
      const b = objectBody(req.body);
      refuseUnknownFields(req, COMPARE_FIELDS);
      if (typeof b['current'] !== 'string' || typeof b['candidate'] !== 'string') throw new ApiError('bad_request', 'body needs "current" and "candidate" versions and a "testSet"');
      const testSet = objectBody(b['testSet']) as TestSet;
      return compareVersions(s.registry, s.upstreams, req.params.name, b['current'], b['candidate'], testSet, {
        ...(b['gate'] !== undefined && { gate: b['gate'] as object }),
        ...(b['seed'] !== undefined && { seed: b['seed'] as number }), ...(b['resamples'] !== undefined && { resamples: b['resamples'] as number }),
      });
    });

    app.post<{ Params: P; Body: unknown }>('/v1/models/:name/promote', adminSays(OWN_BODY, 'PromoteAnswer', 'the alias moved to the version, with the comparison that passed the gate'), async (req) => {
      const b = objectBody(req.body);
      refuseUnknownFields(req, PROMOTE_FIELDS);
      if (typeof b['version'] !== 'string') throw new ApiError('bad_request', 'body needs "version"');
      const r: PromoteRequest = { ...(b as unknown as PromoteRequest), reason: reasonOf(b), by: actor(deps, req, 'admin', b['by']) };
      if (r.resamples !== undefined && !(Number.isInteger(r.resamples) && r.resamples >= 0 && r.resamples <= 10_000)) throw new ApiError('bad_request', 'resamples must be an integer from 0 to 10000');
      return promote(s.registry, s.upstreams, req.params.name, r);
    });
  };
}
