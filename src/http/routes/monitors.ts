import type { FastifyInstance, FastifyRequest } from 'fastify';
import { alertStats } from '../../alerting/stats.js';
import type { Alerting } from '../../alerting/setup.js';
import type { MonitorDefinition } from '../../monitors/definition.js';
import { alertStateOf } from '../../monitors/alert-state.js';
import { formatDuration } from '../../monitors/duration.js';
import type { AppDeps } from '../deps.js';
import { answer, withAnswer } from '../answers/index.js';
import { OWN_BODY, withBody } from '../body-fields.js';
import { ApiError } from '../errors.js';
import { limitParam, LOG_PAGE } from './page-params.js';
import { listModelParam, objectBody, requireModelIfNamed, span, SPAN_QUERY, validated } from './alerting-params.js';

type RG = { Params: { id: string }; Querystring: Record<string, unknown> };
type Req = FastifyRequest<RG>;
const DAY = 86_400_000;

export function monitorRoutes(deps: AppDeps, alerting: Alerting) {
  const m = alerting.monitors;
  const view = (d: MonitorDefinition): Record<string, unknown> => {
    const { windowMs: _w, delayMs, forMs, ...rest } = d;
    const last = m.lastEvaluation(d.id);
    return {
      // a stored definition this release does not accept may lack any field: shown as stored
      ...rest, ...(typeof delayMs === 'number' && { delay: delayMs === 0 ? '0s' : formatDuration(delayMs) }), ...(typeof forMs === 'number' && forMs > 0 && { for: formatDuration(forMs) }),
      last: last && { at: last.at, status: last.status, value: last.value, baseline: last.baseline, threshold: last.threshold, ...alertStateOf(last) },
      problem: m.problem(d.id),
      // audit 24: what is wrong with a monitor evaluated as stored (a dead level of one stored before audit 23)
      warnings: m.warnings(d.id),
    };
  };
  const find = (id: string): MonitorDefinition => {
    const d = m.monitor(id);
    const slo = d ? '' : m.sloDefinitions().some((x) => x.id === id) ? ` (it is an SLO: GET /v1/slos, DELETE /v1/slos/${encodeURIComponent(id)})` : '';
    if (!d) throw new ApiError('not_found', `no monitor "${id.slice(0, 200)}"${slo}`);
    return d;
  };

  return async (app: FastifyInstance): Promise<void> => {
    // the query parameters each route reads (known-query.ts): any other is a 400 unknown_parameter
    const read = (...query: string[]) => ({ onRequest: deps.keys.hook('read'), config: { query } });
    const admin = { onRequest: deps.keys.hook('admin'), config: { query: [] } };

    app.get<RG>('/v1/monitors', withAnswer(read('model'), answer('MonitorList', 'the monitors (of a model with ?model=)')), async (req: Req) => ({ monitors: m.monitors(listModelParam(deps, alerting, req.query)).map(view) }));

    app.post<RG>('/v1/monitors', withAnswer(withBody(admin, OWN_BODY), answer('MonitorAnswer', 'the monitor created (201) or replaced (200)', [200, 201])), async (req: Req, reply) => {
      const body = objectBody(req);
      requireModelIfNamed(deps, body['model']);
      const replaces = typeof body['id'] === 'string' && m.monitor(body['id']) !== undefined;
      const def = await validated(() => m.putMonitor(body));
      return reply.status(replaces ? 200 : 201).send({ monitor: view(def) });
    });

    app.get<RG>('/v1/monitors/stats', withAnswer(read('model', ...SPAN_QUERY), answer('MonitorStats', 'alerts and false positives per monitor and SLO over the range (default the last 28 days)')), async (req: Req) => {
      const { from, to } = span(req.query, deps.clock(), 28 * DAY);
      const model = listModelParam(deps, alerting, req.query);
      const store = deps.store.alertStore();
      const alerts = await store.listAlerts({ from, to, ...(model !== undefined && { model }) });
      const defs = [...m.monitors(model), ...m.sloDefinitions(model)];
      return { from, to, monitors: alertStats(alerts, defs, from, to) };
    });

    /** Runs the schedule now (at the server clock): evaluations due, alerts, notifications. */
    app.post<RG>('/v1/monitors/run', withAnswer(withBody(admin, []), answer('MonitorRun', 'the evaluation round made')), async () => ({ tick: await m.tick() }));

    app.get<RG>('/v1/monitors/:id', withAnswer(read(), answer('MonitorAnswer', 'the monitor, its last evaluation and problem')), async (req: Req) => ({ monitor: view(find(req.params.id)) }));

    app.delete<RG>('/v1/monitors/:id', withAnswer(withBody(admin, []), answer('MonitorAnswer', 'the monitor deleted')), async (req: Req) => {
      const d = find(req.params.id);
      await m.delete(d.id);
      return { monitor: view(d) };
    });

    app.get<RG>('/v1/monitors/:id/evaluations', withAnswer(read('limit', ...SPAN_QUERY), answer('EvaluationList', 'the evaluations of the range (default the last 7 days), oldest first: at most limit; next is the from of the rest of the range')), async (req: Req) => {
      const id = req.params.id;
      if (!m.monitor(id) && !m.sloDefinitions().some((s) => s.id === id)) throw new ApiError('not_found', `no monitor or SLO "${id.slice(0, 200)}"`);
      const { from, to } = span(req.query, deps.clock() + 1, 7 * DAY);
      const limit = limitParam(req.query, LOG_PAGE);
      const got = await deps.store.alertStore().listEvaluations(id, from, to, limit + 1);
      const evaluations = got.slice(0, limit);
      // one evaluation per monitor and time: the rest of the range starts just after the last one given
      const last = evaluations.at(-1);
      return { evaluations, next: got.length > limit && last ? last.at + 1 : null };
    });

    app.get<RG>('/v1/slos', withAnswer(read('model'), answer('SloList', 'the SLOs (of a model with ?model=), their error budget and burn rates')), async (req: Req) => {
      const model = listModelParam(deps, alerting, req.query);
      const defs = new Map(m.sloDefinitions(model).map((d) => [d.id, d]));
      const status = await m.sloStatus(model);
      // an SLO whose stored definition is invalid is not evaluated: listed with its problem
      const invalid = [...defs.values()].filter((d) => !status.some((s) => s.id === d.id)).map((d) => ({ ...d, problem: m.problem(d.id) }));
      return {
        slos: [...status.map((s) => {
          const d = defs.get(s.id);
          return { ...s, firing: s.firing.map((f) => ({ ...f })), ...(d?.latencyMs !== undefined && { latencyMs: d.latencyMs }), minEvents: d?.minEvents, problem: m.problem(s.id) };
        }), ...invalid],
      };
    });

    app.delete<RG>('/v1/slos/:id', withAnswer(withBody(admin, []), answer('SloDeleted', 'the SLO deleted')), async (req: Req) => {
      const d = m.sloDefinitions().find((x) => x.id === req.params.id);
      // as DELETE /v1/monitors/:id names the SLO route for an SLO's id, the other way round
      const monitor = !d && m.monitor(req.params.id) ? ` (it is a monitor: GET /v1/monitors, DELETE /v1/monitors/${encodeURIComponent(req.params.id)})` : '';
      if (!d) throw new ApiError('not_found', `no SLO "${req.params.id.slice(0, 200)}"${monitor}`);
      await m.delete(d.id);
      return { slo: d };
    });

    app.post<RG>('/v1/slos', withAnswer(withBody(admin, OWN_BODY), answer('SloAnswer', 'the SLO created (201) or replaced (200)', [200, 201])), async (req: Req, reply) => {
      const body = objectBody(req);
      requireModelIfNamed(deps, body['model']);
      const replaces = typeof body['id'] === 'string' && m.sloDefinitions().some((d) => d.id === body['id']);
      const slo = await validated(() => m.putSlo(body));
      return reply.status(replaces ? 200 : 201).send({ slo });
    });
  };
}
