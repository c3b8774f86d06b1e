import { postJson, requireUrl } from '../http.js';
import type { NotificationPayload, NotifierFactory } from '../types.js';

/** Prometheus Alertmanager API v2 postable alerts: labels, annotations, startsAt/endsAt (RFC 3339), generatorURL. */
export function alertmanagerAlerts(p: NotificationPayload): unknown[] {
  return p.alerts.map((a) => ({
    labels: { ...a.labels, severity: a.severity, model: a.model, ...(a.version && { version: a.version }) },
    annotations: {
      summary: `${a.model}: ${String(a.context['metric'] ?? '')} = ${String(a.context['observed'] ?? '')}`,
      observed: String(a.context['observed'] ?? ''), baseline: String(a.context['baseline'] ?? ''), threshold: String(a.context['threshold'] ?? ''),
      ...(a.runbookUrl && { runbook_url: a.runbookUrl }),
    },
    startsAt: new Date(a.startsAt).toISOString(),
    ...(a.status === 'resolved' && { endsAt: new Date(a.endsAt ?? p.sentAt).toISOString() }),
    ...(a.dashboardUrl && { generatorURL: a.dashboardUrl }),
  }));
}

/** Pushes alerts to an Alertmanager (url = its base URL; POST {url}/api/v2/alerts). */
export const alertmanagerNotifier: NotifierFactory = (config) => {
  const base = requireUrl(config).replace(/\/+$/, '');
  return (p, timeoutMs) => postJson(`${base}/api/v2/alerts`, JSON.stringify(alertmanagerAlerts(p)), {}, timeoutMs);
};
