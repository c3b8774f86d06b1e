import { matchesAll } from '../core/rules/matchers.js';
import { severityRank, type Severity } from '../core/rules/types.js';
import type { AlertRecord, NotificationRecord } from '../storage/alerts.js';
import type { Notifier, NotificationPayload, NotifiedAlert } from './notifiers/types.js';
import { firedSeverities } from './dedup.js';
import type { Stage, StageContext } from './stage.js';

export function toNotified(a: AlertRecord): NotifiedAlert {
  const dash = a.context['dashboardUrl'];
  const run = a.context['runbookUrl'];
  return {
    id: a.id, fingerprint: a.fingerprint, status: a.state === 'resolved' ? 'resolved' : 'firing', severity: a.severity, model: a.model, version: a.version,
    labels: a.labels, context: a.context, startsAt: a.startsAt, endsAt: a.endsAt, acknowledged: a.state === 'acknowledged',
    ...(typeof dash === 'string' && dash !== '' && { dashboardUrl: dash }), ...(typeof run === 'string' && { runbookUrl: run }),
  };
}

/** Whether the notifier's minSeverity and matchers take an alert of `severity` with `labels`. */
function takes(n: Notifier, severity: string, labels: Readonly<Record<string, string>>): boolean {
  if (n.config.minSeverity && severityRank(severity as Severity) < severityRank(n.config.minSeverity)) return false;
  return matchesAll(n.config.matchers ?? [], labels);
}

/**
 * Whether the notifier takes the alert (its sendResolved, minSeverity and matchers). A resolved alert is taken when
 * it was at some severity it fired at (audit 27: a page that went down to warning before it resolved was resolved
 * for every notifier but the pager, `minSeverity: page`, whose incident stayed open).
 */
export function wants(n: Notifier, a: AlertRecord): boolean {
  if (a.state !== 'resolved') return takes(n, a.severity, a.labels);
  if (!n.config.sendResolved) return false;
  const labelled = a.labels['severity'] !== undefined;
  return firedSeverities(a).some((sev) => takes(n, sev, labelled ? { ...a.labels, severity: sev } : a.labels));
}

/** Waits `ms`, or less when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((r) => {
    const done = (): void => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      r();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Retries of one delivery stop this long after it started (or its group interval when longer), as Alertmanager's. */
export const MIN_RETRY_SPAN_MS = 10_000;

/**
 * One notifier, with retries and exponential backoff; never throws (failures are logged and recorded). No retry starts
 * later than the group interval (at least MIN_RETRY_SPAN_MS) after the first attempt: the next flush tries again.
 */
async function deliver(n: Notifier, payload: NotificationPayload, ctx: StageContext, newId: () => string): Promise<NotificationRecord> {
  let attempts = 0;
  let error: string | undefined;
  const deadline = performance.now() + Math.max(ctx.settings.groupIntervalMs, MIN_RETRY_SPAN_MS);
  for (;;) {
    attempts++;
    try {
      await n.send(payload, ctx.signal);
      error = undefined;
      break;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
      // the attempt was cut by the stop (or failed as it came): recorded as failed, so the next start sends it again
      if (ctx.signal?.aborted === true) {
        error += ' (the next start sends it again)';
        break;
      }
      const wait = n.config.backoffMs * 2 ** (attempts - 1);
      if (attempts > n.config.retries) break;
      if (performance.now() + wait > deadline) {
        error += ` (retries stopped: the next one would start after the group interval; the next flush tries again)`;
        break;
      }
      await sleep(wait, ctx.signal);
      if (ctx.signal?.aborted) {
        error += ' (retries stopped: the server is stopping; the next start sends it again)';
        break;
      }
    }
  }
  if (error) ctx.log.warn(`notifier ${n.config.id} failed after ${attempts} attempts`, { error });
  const firing = payload.alerts.filter((a) => a.status === 'firing').length;
  return {
    id: newId(), at: ctx.now, notifier: n.config.id, groupKey: payload.groupKey, alertIds: payload.alerts.map((a) => a.id),
    firing, resolved: payload.alerts.length - firing, status: error ? 'failed' : 'sent', attempts, ...(error && { error }),
  };
}

/** Re-sent firing alerts hold (Alertmanager's endsAt) for this many resend periods, as Prometheus does. */
export const RESEND_VALIDITY = 4;

/**
 * Sends the alerts one notifier wants (none: nothing) as one notification of the group; records the attempt in the
 * notification log (`record: 'failed'`: only a failed one).
 */
export async function sendTo(n: Notifier, alerts: readonly AlertRecord[], ctx: StageContext, newId: () => string, record: 'all' | 'failed' = 'all'): Promise<NotificationRecord | null> {
  const mine = alerts.filter((a) => wants(n, a));
  if (mine.length === 0) return null;
  // re-sends happen at flushes: a period is the resend interval or the flush interval, whichever is longer
  const period = n.resendMs === undefined ? undefined : Math.max(n.resendMs, ctx.settings.flushIntervalMs ?? 0);
  const payload: NotificationPayload = {
    version: '1', groupKey: ctx.groupKey, groupLabels: (ctx.notes['groupLabels'] ?? {}) as Record<string, string>, receiver: n.config.id, sentAt: ctx.now,
    status: mine.some((a) => a.state !== 'resolved') ? 'firing' : 'resolved', ...(period !== undefined && { expiresAt: ctx.now + RESEND_VALIDITY * period }),
    alerts: mine.map(toNotified),
  };
  const t0 = performance.now();
  const rec = await deliver(n, payload, ctx, newId);
  ctx.onDelivery?.(rec, (performance.now() - t0) / 1000);
  if (record === 'failed' && rec.status === 'sent') return rec;
  await ctx.store.appendNotifications([rec]).catch((e: unknown) => ctx.log.warn('could not record a notification', { error: String(e) }));
  return rec;
}

/** Context notes: the notifiers a flush sends to (absent: all), and those whose delivery failed (set by the notify stage). */
export const ONLY_NOTIFIERS = 'onlyNotifiers';
export const FAILED_NOTIFIERS = 'failedNotifiers';
/**
 * Context notes: the resolves each notifier is owed (Map of notifier id to alerts: they go in the notification it gets
 * of the group), and the ids of the notifiers sent a notification carrying them (set by the notify stage).
 */
export const OWED = 'owed';
export const OWED_CARRIED = 'owedCarried';

/**
 * Sends the group to every notifier that wants some of its alerts (or only to those the note ONLY_NOTIFIERS names), all
 * in parallel: one failing never blocks others, each with the resolves it is owed (note OWED). The ids of those that
 * failed go to the note FAILED_NOTIFIERS.
 */
export function notifyStage(notifiers: () => readonly Notifier[], newId: () => string): Stage {
  return async (alerts, ctx) => {
    const only = ctx.notes[ONLY_NOTIFIERS] as ReadonlySet<string> | undefined;
    const targets = notifiers().filter((n) => only === undefined || only.has(n.config.id));
    const owed = ctx.notes[OWED] as ReadonlyMap<string, readonly AlertRecord[]> | undefined;
    const carried = new Set<string>();
    const recs = await Promise.all(targets.map(async (n) => {
      // a resolve it is owed goes in the same notification (one, as Alertmanager sends a group's resolved and firing alerts)
      const extra = (owed?.get(n.config.id) ?? []).filter((o) => !alerts.some((a) => a.id === o.id));
      const rec = await sendTo(n, [...alerts, ...extra], ctx, newId);
      if (rec !== null && extra.length > 0) carried.add(n.config.id);
      return rec;
    }));
    ctx.notes[OWED_CARRIED] = carried;
    ctx.notes[FAILED_NOTIFIERS] = new Set(recs.filter((r) => r?.status === 'failed').map((r) => (r as NotificationRecord).notifier));
    return alerts;
  };
}
