import { postJson, requireUrl } from '../http.js';
import { segmentSuffix } from '../../segment-text.js';
import type { NotificationPayload, NotifiedAlert, NotifierFactory } from '../types.js';

function fmt(x: unknown): string {
  return typeof x === 'number' ? (Math.abs(x) >= 1000 || Number.isInteger(x) ? String(Math.round(x * 100) / 100) : x.toPrecision(3)) : x === null || x === undefined ? '-' : String(x);
}

function line(a: NotifiedAlert): string {
  const c = a.context;
  const icon = a.status === 'resolved' ? ':white_check_mark:' : a.severity === 'critical' || a.severity === 'page' ? ':rotating_light:' : ':warning:';
  const links = [a.dashboardUrl && `<${a.dashboardUrl}|dashboard>`, a.runbookUrl && `<${a.runbookUrl}|runbook>`].filter(Boolean).join(' · ');
  // a resolve says the value of the window that resolved it, then the one it fired at (audit 27: the fired figures
  // alone, "errorRate = 0.6 (threshold 0.2)" beside the check mark, read as still over the threshold)
  const back = a.status === 'resolved' && typeof c['resolvedContext'] === 'object' && c['resolvedContext'] !== null
    ? (c['resolvedContext'] as Record<string, unknown>)['observed'] : undefined;
  const value = typeof back === 'number' && Number.isFinite(back) ? `${fmt(back)}, fired at ${fmt(c['observed'])}` : fmt(c['observed']);
  const figures = `${String(c['metric'] ?? '')} = ${value} (baseline ${fmt(c['baseline'])}, threshold ${fmt(c['threshold'])})`;
  // An alert raised by other code (POST /v1/alerts, a rollout's rollback) says what happened in its summary; its figures,
  // when it has none, were all it showed ("feed = - (baseline -, threshold -)")
  const summary = typeof c['summary'] === 'string' && c['summary'] !== '' ? c['summary'] : undefined;
  const what = summary === undefined ? figures : c['observed'] === null || c['observed'] === undefined ? summary : `${summary}; ${figures}`;
  // the segment of a segment monitor (audit 27: its line read as the all-traffic monitor's of the same metric)
  return `${icon} *${a.labels['alertname'] ?? a.fingerprint}* [${a.severity}] ${a.model}${a.version ? ` v${a.version}` : ''}${segmentSuffix(a.labels)}: ${what}${links ? ` ${links}` : ''}`;
}

/** Slack's limits: a section's text is at most 3000 characters, a message at most 50 blocks (beyond, Slack answers 400 invalid_blocks). */
const SECTION_MAX = 3000;
const MAX_BLOCKS = 50;

/** The lines packed into as few sections as fit Slack's limits; what does not fit in 50 blocks is counted in the last one. */
function sections(lines: readonly string[]): string[] {
  const out: string[] = [];
  let cur = '';
  for (const [i, l0] of lines.entries()) {
    const last = out.length === MAX_BLOCKS - 1;
    const room = last ? SECTION_MAX - 60 : SECTION_MAX; // the last block keeps room for "… and N more"
    const l = l0.length > SECTION_MAX - 60 ? `${l0.slice(0, SECTION_MAX - 61)}…` : l0;
    if (cur !== '' && cur.length + 1 + l.length > room) {
      if (last) {
        out.push(`${cur}\n… and ${lines.length - i} more (see the dashboard)`);
        return out;
      }
      out.push(cur);
      cur = l;
    } else cur = cur === '' ? l : `${cur}\n${l}`;
  }
  if (cur !== '') out.push(cur);
  return out;
}

/** Slack-compatible incoming webhook: {text, blocks} with one line per alert (Mattermost and others accept it). */
export function slackMessage(p: NotificationPayload): { text: string; blocks: unknown[] } {
  const firing = p.alerts.filter((a) => a.status === 'firing').length;
  const title = `${firing ? `${firing} firing` : 'resolved'}${p.alerts.length - firing && firing ? `, ${p.alerts.length - firing} resolved` : ''}: ${Object.values(p.groupLabels).join(' ')}`;
  const lines = [title, ...p.alerts.map(line)];
  return { text: lines.join('\n'), blocks: sections(lines).map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } })) };
}

export const slackNotifier: NotifierFactory = (config) => {
  const url = requireUrl(config);
  return (p, timeoutMs, signal) => postJson(url, JSON.stringify(slackMessage(p)), {}, timeoutMs, signal);
};
