import { allAlerts } from '../data.js';
import { externalLink, h } from '../dom.js';
import { ago } from '../format.js';
import { href } from '../route.js';
import { alertTitle } from '../status.js';
import type { Alert } from '../types.js';
import { alertLink } from './alert-link.js';

/** How many alerts "Needs attention" lists; the rest are counted under it with links to the Alerts view. */
export const ATTENTION_SHOWN = 10;

const SEVERITY_RANK: Record<string, number> = { critical: 0, page: 1, warning: 2 };

/**
 * The on-call order (audit 25): open before acknowledged (someone has those); among each, the alerts that notify before
 * the silenced or inhibited ones, then critical, page, warning, then the newest first (then by id: a stable order).
 */
export function byUrgency(a: Alert, b: Alert): number {
  const acked = (x: Alert): number => (x.state === 'acknowledged' ? 1 : 0);
  const muted = (x: Alert): number => (x.silenced || x.inhibited ? 1 : 0);
  const sev = (x: Alert): number => SEVERITY_RANK[x.severity] ?? 3;
  return acked(a) - acked(b) || muted(a) - muted(b) || sev(a) - sev(b) || b.startsAt - a.startsAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** "12 open alerts (1 critical, 11 page), 3 acknowledged": every one of them counted, not the ones shown only. */
function countLine(open: Alert[], acked: Alert[]): string {
  const bySeverity = ['critical', 'page', 'warning'].map((s) => [s, open.filter((a) => a.severity === s).length] as const).filter(([, n]) => n > 0);
  const severities = bySeverity.length > 0 ? ` (${bySeverity.map(([s, n]) => `${n.toLocaleString('en-US')} ${s}`).join(', ')})` : '';
  return `${open.length === 0 ? 'No open alerts' : `${plural(open.length, 'open alert')}${severities}`}${acked.length > 0 ? `, ${acked.length.toLocaleString('en-US')} acknowledged` : ''}; the most urgent first:`;
}

function item(a: Alert): HTMLElement {
  const runbook = externalLink(a.context?.runbookUrl, 'runbook');
  const muted = [a.silenced && 'silenced', a.inhibited && 'inhibited'].filter(Boolean).join(', ');
  const acked = a.state === 'acknowledged';
  return h('li', { class: acked ? 'acknowledged' : null, 'data-alert': a.id, 'data-state': a.state },
    h('span', { class: `badge status-${a.severity === 'warning' ? 'yellow' : 'red'}` }, a.severity), ' ', alertLink(a), ` ${alertTitle(a)} · ${ago(a.startsAt)}`,
    acked ? [' ', h('span', { class: 'badge status-grey', 'data-testid': 'acknowledged' }, a.acknowledgedBy ? `acknowledged by ${a.acknowledgedBy}` : 'acknowledged')] : null,
    acked && a.note ? h('span.muted', null, ` “${a.note}”`) : null,
    muted ? h('span.muted', null, ` (${muted})`) : null,
    runbook ? h('span', null, ' · ', runbook) : null);
}

/**
 * "Needs attention" of the on-call view: every open and acknowledged alert read (every page) and counted, the
 * ATTENTION_SHOWN most urgent listed (byUrgency), and how many more of each state with a link to the Alerts view of
 * that state. Until audit 25 every open alert was listed, pushing the charts far down, and acknowledged ones were not
 * listed at all. Null when there is none (the caller says so); unavailable when alerting is missing.
 */
export async function attentionList(): Promise<{ available: boolean; nodes: Node[] | null }> {
  const [open, acked] = await Promise.all([allAlerts({ state: 'open' }), allAlerts({ state: 'acknowledged' })]);
  if (!open.available) return { available: false, nodes: null };
  const all = [...open.value.alerts, ...acked.value.alerts].sort(byUrgency);
  if (all.length === 0) return { available: true, nodes: null };
  const shown = all.slice(0, ATTENTION_SHOWN);
  const rest = all.slice(ATTENTION_SHOWN);
  const more = (['open', 'acknowledged'] as const).map((s) => [s, rest.filter((a) => a.state === s).length] as const).filter(([, n]) => n > 0);
  const nodes: Node[] = [
    h('p', { 'data-testid': 'open-count' }, countLine(open.value.alerts, acked.value.alerts)),
    h('ul.problems', { 'data-testid': 'problems' }, shown.map(item)),
  ];
  if (rest.length > 0) {
    const links = more.flatMap(([s, n], i) => [i > 0 ? ', ' : '', h('a', { href: href('alerts', [], { state: s }), 'data-testid': `more-${s}` }, `${n.toLocaleString('en-US')} ${s}`)]);
    nodes.push(h('p', { 'data-testid': 'more-alerts' }, `and ${rest.length.toLocaleString('en-US')} more — see Alerts: `, ...links));
  }
  return { available: true, nodes };
}
