import { BURN_WINDOW_NAMES } from '../../core/rules/burn-rate.js';
import { ACTION_STATES } from '../../storage/alerts.js';
import { epochMs, nextPage, object, orNull, ref, type Schema } from './schema.js';

const KINDS = ['availability', 'latency', 'quality'];
const window: Schema = { enum: [...BURN_WINDOW_NAMES] };
const byWindow = (value: Schema): Schema => ({ type: 'object', propertyNames: window, additionalProperties: value });
const countedRange: Schema = object({ from: epochMs, to: epochMs });
const rule = { severity: { enum: ['page', 'ticket'] }, factor: { type: 'number' }, long: window, short: window };
const problem: Schema = {
  ...orNull(object({ code: { enum: ['invalid', 'misconfigured'] }, message: { type: 'string' } })),
  description: 'why it is not evaluated; null when it is',
};

/** An SLO's definition as accepted (monitors/slo.ts SloDefinition, defaults filled): POST /v1/slos. */
export const SloDefinition: Schema = object({
  id: { type: 'string' },
  model: { type: 'string' },
  name: { type: 'string' },
  kind: { enum: KINDS },
  objective: { type: 'number', description: 'target share of good events' },
  windowDays: { type: 'number' },
  latencyMs: { type: 'number', description: 'latency SLOs only' },
  version: { type: 'string' },
  minEvents: { type: 'integer', minimum: 0 },
  labels: { type: 'object', additionalProperties: { type: 'string' } },
  runbookUrl: { type: 'string' },
}, ['latencyMs', 'version', 'runbookUrl']);

/** POST /v1/slos: 201 created, 200 replaced. */
export const SloAnswer: Schema = object({ slo: ref('SloDefinition') });

/** DELETE /v1/slos/:id: the definition as it was stored (one this release does not accept may lack any field but id). */
export const SloDeleted: Schema = object({ slo: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } });

/**
 * An SLO as GET /v1/slos shows it (monitors/slo.ts SloStatus, with its definition's latencyMs and minEvents and its
 * problem). One whose stored definition this release does not accept is listed as stored, with its problem, without
 * a status: `id` and `problem` are always there.
 */
export const SloState: Schema = object({
  id: { type: 'string' },
  model: { type: 'string' },
  name: { type: 'string' },
  kind: { enum: KINDS },
  objective: { type: 'number' },
  windowDays: { type: 'number' },
  latencyMs: { type: 'number' },
  minEvents: { type: 'integer', minimum: 0 },
  version: { type: ['string', 'null'] },
  errorBudgetRemaining: { type: ['number', 'null'], description: 'share of the window\'s error budget left (negative: overspent); null without events' },
  burnRates: byWindow({ type: ['number', 'null'] }),
  events: byWindow({ type: 'integer', minimum: 0 }),
  burnWindows: {
    ...byWindow(countedRange),
    description: 'the range [from, to) each burn rate counted: whole minutes within the minute windows\' retention, whole hours before it (the 3d window starts on the hour: up to 59 minutes more than 3 days); a quality SLO\'s exactly',
  },
  budgetWindow: { ...countedRange, description: 'the range [from, to) the error budget counted (windowDays, read as the burn windows are)' },
  rules: { type: 'array', items: object(rule) },
  firing: { type: 'array', items: object({ ...rule, longRate: { type: 'number' }, shortRate: { type: 'number' } }) },
  at: epochMs,
  problem,
}, ['model', 'name', 'kind', 'objective', 'windowDays', 'latencyMs', 'minEvents', 'version', 'errorBudgetRemaining', 'burnRates', 'events', 'burnWindows', 'budgetWindow', 'rules', 'firing', 'at']);

/** GET /v1/slos. */
export const SloList: Schema = object({ slos: { type: 'array', items: ref('SloState') } });

/** GET /v1/monitors/stats: alerts and false positives per monitor and SLO over [from, to) (alerting/stats.ts). */
export const MonitorStats: Schema = object({
  from: epochMs,
  to: epochMs,
  monitors: {
    type: 'array',
    items: object({
      id: { type: 'string' }, model: { type: 'string' }, alerts: { type: 'integer', minimum: 0 }, falsePositives: { type: 'integer', minimum: 0 },
      falsePositiveRate: { type: ['number', 'null'], description: 'null without alerts' }, alertsPerWeek: { type: 'number', minimum: 0 },
    }),
  },
});

/** POST /v1/monitors/run: the evaluation round made (monitors/service.ts TickResult). */
export const MonitorRun: Schema = object({
  tick: object({
    at: epochMs, evaluated: { type: 'integer', minimum: 0 }, signals: { type: 'integer', minimum: 0 },
    alertsChanged: { type: 'integer', minimum: 0 }, groupsNotified: { type: 'integer', minimum: 0 },
  }),
});

/** A notification sent (or not) to a notifier (storage/alerts.ts NotificationRecord). */
export const NotificationList: Schema = object({
  notifications: {
    type: 'array',
    items: object({
      id: { type: 'string' }, at: epochMs, notifier: { type: 'string' }, groupKey: { type: 'string' }, alertIds: { type: 'array', items: { type: 'string' } },
      firing: { type: 'integer', minimum: 0 }, resolved: { type: 'integer', minimum: 0 }, status: { enum: ['sent', 'failed'] },
      attempts: { type: 'integer', minimum: 0 }, error: { type: 'string', description: 'why it failed (absent when sent)' },
    }, ['error']),
  },
  next: nextPage('after'),
});

/** An automated action (storage/alerts.ts ActionRecord). */
export const Action: Schema = object({
  id: { type: 'string' },
  at: epochMs,
  kind: { type: 'string' },
  model: { type: 'string' },
  alertId: { type: ['string', 'null'] },
  state: { enum: [...ACTION_STATES] },
  detail: { type: 'object' },
  updatedAt: epochMs,
});

/** GET /v1/actions. */
export const ActionList: Schema = object({ actions: { type: 'array', items: ref('Action') }, next: nextPage('before') });

/** POST /v1/actions/:id/approve|reject. */
export const ActionAnswer: Schema = object({ action: ref('Action') });
