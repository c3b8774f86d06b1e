import { postJson, requireUrl } from '../http.js';
import { segmentSuffix } from '../../segment-text.js';
import type { NotificationPayload, NotifierConfig, NotifierFactory } from '../types.js';

/**
 * Alertmanager resolves an alert it hears nothing more of after its endsAt (or its resolve_timeout, 5m by default, when
 * there is none): as Prometheus does, firing alerts are re-sent every minute, each valid for a few resend intervals.
 */
export const ALERTMANAGER_DEFAULTS: Partial<NotifierConfig> = { resendInterval: '1m' };

/**
 * Prometheus Alertmanager API v2 postable alerts: labels, annotations, startsAt/endsAt (RFC 3339), generatorURL.
 * endsAt: when it resolved, or for a firing alert the payload's expiresAt (until the next re-send).
 */
export function alertmanagerAlerts(p: NotificationPayload): unknown[] {
  return p.alerts.map((a) => ({
    labels: { ...a.labels, severity: a.severity, model: a.model, ...(a.version && { version: a.version }) },
    annotations: {
      // an alert raised by other code (POST /v1/alerts, a rollout's rollback) with its own summary: the figures were
      // "feed = " (it has none)
      summary: typeof a.context['summary'] === 'string' && a.context['summary'] !== '' ? `${a.model}: ${a.context['summary']}`
        // a segment monitor's says its segment (audit 27: it read as the all-traffic monitor's of the same metric)
        : `${a.model}${segmentSuffix(a.labels)}: ${String(a.context['metric'] ?? '')} = ${String(a.context['observed'] ?? '')}`,
      observed: String(a.context['observed'] ?? ''), baseline: String(a.context['baseline'] ?? ''), threshold: String(a.context['threshold'] ?? ''),
      ...(a.runbookUrl && { runbook_url: a.runbookUrl }),
    },
    startsAt: new Date(a.startsAt).toISOString(),
    ...(a.status === 'resolved' ? { endsAt: new Date(a.endsAt ?? p.sentAt).toISOString() } : p.expiresAt !== undefined && { endsAt: new Date(p.expiresAt).toISOString() }),
    ...(a.dashboardUrl && { generatorURL: a.dashboardUrl }),
  }));
}

/** Pushes alerts to an Alertmanager (url = its base URL; POST {url}/api/v2/alerts). */
export const alertmanagerNotifier: NotifierFactory = (config) => {
  const base = requireUrl(config).replace(/\/+$/, '');
  return (p, timeoutMs, signal) => postJson(`${base}/api/v2/alerts`, JSON.stringify(alertmanagerAlerts(p)), {}, timeoutMs, signal);
};
