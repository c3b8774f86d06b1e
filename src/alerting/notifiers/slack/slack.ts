import { postJson, requireUrl } from '../http.js';
import type { NotificationPayload, NotifiedAlert, NotifierFactory } from '../types.js';

function fmt(x: unknown): string {
  return typeof x === 'number' ? (Math.abs(x) >= 1000 || Number.isInteger(x) ? String(Math.round(x * 100) / 100) : x.toPrecision(3)) : x === null || x === undefined ? '-' : String(x);
}

function line(a: NotifiedAlert): string {
  const c = a.context;
  const icon = a.status === 'resolved' ? ':white_check_mark:' : a.severity === 'critical' || a.severity === 'page' ? ':rotating_light:' : ':warning:';
  const links = [a.dashboardUrl && `<${a.dashboardUrl}|dashboard>`, a.runbookUrl && `<${a.runbookUrl}|runbook>`].filter(Boolean).join(' · ');
  return `${icon} *${a.labels['alertname'] ?? a.fingerprint}* [${a.severity}] ${a.model}${a.version ? ` v${a.version}` : ''}: ${String(c['metric'] ?? '')} = ${fmt(c['observed'])}`
    + ` (baseline ${fmt(c['baseline'])}, threshold ${fmt(c['threshold'])})${links ? ` ${links}` : ''}`;
}

/** Slack-compatible incoming webhook: {text, blocks} with one line per alert (Mattermost and others accept it). */
export function slackMessage(p: NotificationPayload): { text: string; blocks: unknown[] } {
  const firing = p.alerts.filter((a) => a.status === 'firing').length;
  const title = `${firing ? `${firing} firing` : 'resolved'}${p.alerts.length - firing && firing ? `, ${p.alerts.length - firing} resolved` : ''}: ${Object.values(p.groupLabels).join(' ')}`;
  const text = [title, ...p.alerts.map(line)].join('\n');
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

export const slackNotifier: NotifierFactory = (config) => {
  const url = requireUrl(config);
  return (p, timeoutMs) => postJson(url, JSON.stringify(slackMessage(p)), {}, timeoutMs);
};
