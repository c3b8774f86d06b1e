import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ActionStateError } from '../../alerting/actions/runner.js';
import { AlertStateError } from '../../alerting/pipeline.js';
import type { Alerting } from '../../alerting/setup.js';
import { ACTION_STATES, type ActionRecord, type AlertRecord, type AlertState, type PageCursor } from '../../storage/alerts.js';
import type { AppDeps } from '../deps.js';
import { answer, withAnswer } from '../answers/index.js';
import { OWN_BODY, withBody } from '../body-fields.js';
import { ApiError } from '../errors.js';
import { cursorParam, filteredPage, limitParam, LOG_PAGE, pageOf, RECORD_PAGE } from './page-params.js';
import { ACTIVE_QUERY, activeParams, actor, bodyOf, listModelParam, objectBody, optionalNote, span, SPAN_QUERY, statesParam } from './alerting-params.js';
import { RAISE_FIELDS, raiseInput } from './raise-body.js';

type RG = { Params: { id: string }; Querystring: Record<string, unknown> };
const ALERT_RANGE_MS = 7 * 86_400_000;

/**
 * The range of GET /v1/alerts: from/to, the alerts that started in it (the end defaults to now, the start to 7 days
 * before the end), or activeFrom/activeTo (audit 24), those active at some moment of it (started before activeTo; open,
 * acknowledged, or ended at or after activeFrom), which keeps an alert that started before the range and was still
 * firing in it. A bound of these left out is no bound (not now: a dashboard whose clock is ahead of the server's asks
 * from its own now, and the alerts firing then are the open ones); both pairs at once are refused.
 */
function alertRange(q: Record<string, unknown>, now: number): { from?: number; to?: number; activeFrom?: number; activeTo?: number } {
  const given = (names: readonly string[]): string[] => names.filter((n) => q[n] !== undefined);
  const started = given(SPAN_QUERY);
  const active = given(ACTIVE_QUERY);
  if (started.length > 0 && active.length > 0) {
    throw new ApiError('bad_request', `give either from/to (the alerts that started in the range) or activeFrom/activeTo (the alerts active at some moment of it), not both (got ${[...started, ...active].join(', ')})`, { given: [...started, ...active] });
  }
  if (started.length > 0) return span(q, now, ALERT_RANGE_MS);
  return activeParams(q);
}
type Req = FastifyRequest<RG>;
/** What an ack, resolve or false-positive reads of its (optional) body. */
const LIFECYCLE_FIELDS = ['by', 'note'] as const;
const STATES = ['open', 'acknowledged', 'resolved', 'all'] as const;

/** The `notifier` query parameter of GET /v1/notifications: absent, or a notifier id (a string of at most 200 characters). */
function notifierParam(q: Record<string, unknown>): string | undefined {
  const v = q['notifier'];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '' || v.length > 200) throw new ApiError('bad_request', 'notifier must be a notifier id (alerting.notifiers[].id), given once');
  return v;
}

export function alertRoutes(deps: AppDeps, alerting: Alerting) {
  const p = alerting.pipeline;
  const store = deps.store.alertStore();
  const lifecycle = (f: (id: string, by: string, note: string | undefined, now: number) => Promise<AlertRecord | null>) => async (req: Req) => {
    // its fields checked before (route config body: LIFECYCLE_FIELDS)
    const body = objectBody(req);
    let a: AlertRecord | null;
    try {
      a = await f(req.params.id, actor(deps, req, body), optionalNote(body), deps.clock());
    } catch (e) {
      if (e instanceof AlertStateError) throw new ApiError('conflict', e.message);
      throw e;
    }
    if (!a) throw new ApiError('not_found', `no alert "${req.params.id.slice(0, 200)}"`);
    return { alert: a };
  };

  return async (app: FastifyInstance): Promise<void> => {
    // the query parameters each route reads (known-query.ts): any other is a 400 unknown_parameter
    const read = (...query: string[]) => ({ onRequest: deps.keys.hook('read'), config: { query } });
    const admin = { onRequest: deps.keys.hook('admin'), config: { query: [] } };
    const oneAlert = answer('AlertAnswer', 'the alert as it is now');

    app.get<RG>('/v1/alerts', withAnswer(read('state', 'model', 'limit', 'before', ...SPAN_QUERY, ...ACTIVE_QUERY), answer('AlertList', 'a page of the alerts, newest first: at most limit, after the alert before; next is the before of the following page')), async (req: Req) => {
      const state = (req.query['state'] ?? 'all') as string;
      if (!(STATES as readonly string[]).includes(state)) throw new ApiError('bad_request', `state must be one of ${STATES.join(', ')}`);
      const limit = limitParam(req.query, RECORD_PAGE);
      const model = listModelParam(deps, alerting, req.query);
      const range = alertRange(req.query, deps.clock() + 1);
      const before = await cursorParam(req.query, 'before', 'alert', (id) => store.getAlert(id), (a) => a.startsAt);
      const page = pageOf(await store.listAlerts({ ...(state !== 'all' && { state: state as AlertState }), ...(model !== undefined && { model }), ...range, ...(before && { before }), limit: limit + 1 }), limit);
      return { alerts: page.items, next: page.next };
    });

    /** Raises an alert from outside (deduplicated by source + labels, then grouped and notified like any other). */
    app.post<RG>('/v1/alerts', withAnswer(withBody(admin, OWN_BODY), answer('RaisedAlert', 'the alert raised, or the open one of the same source and labels it was deduplicated into', 201)), async (req: Req, reply) => {
      const a = await alerting.raise(raiseInput(deps, bodyOf(req, RAISE_FIELDS)));
      return reply.status(201).send({ alert: a });
    });

    app.get<RG>('/v1/alerts/:id', withAnswer(read(), oneAlert), async (req: Req) => {
      const a = await store.getAlert(req.params.id);
      if (!a) throw new ApiError('not_found', `no alert "${req.params.id.slice(0, 200)}"`);
      return { alert: a };
    });
    app.post<RG>('/v1/alerts/:id/ack', withAnswer(withBody(admin, LIFECYCLE_FIELDS), oneAlert), lifecycle((id, by, note, now) => p.acknowledge(id, by, note, now)));
    app.post<RG>('/v1/alerts/:id/resolve', withAnswer(withBody(admin, LIFECYCLE_FIELDS), oneAlert), lifecycle((id, by, note, now) => p.resolve(id, by, note, now)));
    app.post<RG>('/v1/alerts/:id/false-positive', withAnswer(withBody(admin, LIFECYCLE_FIELDS), oneAlert), lifecycle((id, by, note, now) => p.falsePositive(id, by, note, now)));

    app.get<RG>('/v1/notifications', withAnswer(read('limit', 'after', 'notifier', ...SPAN_QUERY), answer('NotificationList', 'a page of the notifications of the range (default the last day; of one notifier with ?notifier=), oldest first: at most limit, after the notification after; next is the after of the following page')), async (req: Req) => {
      const limit = limitParam(req.query, LOG_PAGE);
      const notifier = notifierParam(req.query);
      const range = span(req.query, deps.clock() + 1, 86_400_000);
      const after = await cursorParam(req.query, 'after', 'notification', (id) => store.getNotification(id), (n) => n.at);
      const read = (from: PageCursor | undefined, n: number) => store.listNotifications({ ...range, ...(from && { after: from }), limit: n });
      const page = notifier === undefined ? pageOf(await read(after, limit + 1), limit) : await filteredPage(read, (n) => n.at, (n) => n.notifier === notifier, limit, after);
      // audit 24: a notifier id that is neither configured nor in the log of the range is a typo (until then the CLI's
      // --notifier filtered on its side and said "no notifications of notifier typo", exit 0). A notifier removed from
      // the configuration keeps its past notifications: those of the range are listed.
      const configured = alerting.notifiers.map((n) => n.config.id);
      if (notifier !== undefined && !configured.includes(notifier) && after === undefined && page.items.length === 0) {
        throw new ApiError('not_found', `unknown notifier "${notifier.slice(0, 200)}": ${configured.length === 0 ? 'no notifier is configured' : `the notifiers (alerting.notifiers) are ${configured.join(', ')}`}, and no notification of the range went to it`, { notifiers: configured });
      }
      return { notifications: page.items, next: page.next };
    });

    app.get<RG>('/v1/actions', withAnswer(read('model', 'state', 'limit', 'before'), answer('ActionList', 'a page of the automated actions, newest first (of a model with ?model=, in the states of ?state=): at most limit, after the action before; next is the before of the following page')), async (req: Req) => {
      const model = listModelParam(deps, alerting, req.query);
      const states = statesParam(req.query, ACTION_STATES);
      const limit = limitParam(req.query, RECORD_PAGE);
      const before = await cursorParam(req.query, 'before', 'action', (id) => store.getAction(id), (a) => a.at);
      // the state is in the action's document: the store is read in batches until the page is full
      const page = await filteredPage((after, n) => store.listActions({ ...(model !== undefined && { model }), ...(after && { before: after }), limit: n }),
        (a) => a.at, (a) => states.includes(a.state), limit, before);
      return { actions: page.items, next: page.next };
    });
    for (const verb of ['approve', 'reject'] as const) {
      app.post<RG>(`/v1/actions/:id/${verb}`, withAnswer(withBody(admin, ['by']), answer('ActionAnswer', `the action ${verb === 'approve' ? 'approved' : 'rejected'}`)), async (req: Req) => {
        const by = actor(deps, req, objectBody(req));
        let a: ActionRecord | null;
        try {
          a = await (verb === 'approve' ? alerting.actions.approve(req.params.id, by, deps.clock()) : alerting.actions.reject(req.params.id, by, deps.clock()));
        } catch (e) {
          if (e instanceof ActionStateError) throw new ApiError('conflict', e.message);
          throw e;
        }
        if (!a) throw new ApiError('not_found', `no action "${req.params.id.slice(0, 200)}"`);
        return { action: a };
      });
    }
  };
}
