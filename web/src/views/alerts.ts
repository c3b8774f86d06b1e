import { SILENCE_STATES } from '../../../src/alerting/silence-state.js';
import { formatMatcher, parseMatcherList, type Matcher } from '../../../src/core/rules/matchers.js';
import { act, actor, confirmDialog, toast } from '../actions.js';
import { api, optional } from '../api.js';
import { actions, alerts, silences } from '../data.js';
import { externalLink, h } from '../dom.js';
import { ago, num, pct, time } from '../format.js';
import type { ViewContext } from '../panel.js';
import { withParams } from '../route.js';
import type { Action, Alert, MonitorStats, Notification, Silence } from '../types.js';
import { alertTitle } from '../status.js';
import { alertLink } from './alert-link.js';
import { grid, heading, modelLink, table } from './common.js';
import { segmentParam } from './segments.js';

const SEV_STATUS: Record<string, string> = { warning: 'yellow', page: 'red', critical: 'red' };

function alertActions(a: Alert, onSilence: (a: Alert) => void): HTMLElement {
  const post = (verb: string, done: string) => () => act(done, () => api(`/v1/alerts/${encodeURIComponent(a.id)}/${verb}`, undefined, { method: 'POST', body: { by: actor() } }));
  return h('span.actions', null,
    a.state === 'open' ? h('button', { onclick: post('ack', `Alert ${a.id} acknowledged`), 'data-action': 'ack' }, 'Acknowledge') : null,
    a.state !== 'resolved' ? h('button', { onclick: post('resolve', `Alert ${a.id} resolved`), 'data-action': 'resolve' }, 'Resolve') : null,
    !a.falsePositive ? h('button.secondary', { onclick: post('false-positive', `Alert ${a.id} marked as a false positive`), 'data-action': 'false-positive' }, 'False positive') : null,
    h('button.secondary', { onclick: () => onSilence(a), 'data-action': 'silence' }, 'Silence…'));
}

function context(a: Alert): HTMLElement {
  const c = a.context ?? {};
  const has = (v: number | null | undefined): v is number => typeof v === 'number';
  return h('div.alert-context', null,
    h('div', null, h('b', null, alertTitle(a)), has(c.observed) ? ` observed ${num(c.observed, 4)}` : '', has(c.threshold) ? ` vs threshold ${num(c.threshold, 4)}` : '',
      has(c.baseline) ? `, baseline ${num(c.baseline, 4)}` : '', has(c.change) ? ` (change ${pct(c.change)})` : ''),
    // the segment of the events past the server's limit of segments per model (region=__other__): said, as the segment table says it
    c.segments?.length ? h('div.muted', null, 'most affected: ', c.segments.slice(0, 3).map((s) => `${segmentParam(s.segment)} (${num(s.value, 3)}${s.overflow === true ? ', the segments over the limit' : ''})`).join(', ')) : null,
    h('div', null,
      externalLink(c.runbookUrl, 'runbook', { 'data-testid': 'runbook' }) ?? h('span.muted', null, 'no runbook'), ' · ',
      alertLink(a, 'dashboard')));
}

/** A form that creates a silence (POST /v1/silences); prefilled from an alert's labels. */
function silenceForm(): { el: HTMLElement; prefill: (a: Alert) => void } {
  const matchers = h('input', { name: 'matchers', placeholder: 'model=churn, severity!=warning, metric=~drift:.*', required: true, 'data-testid': 'silence-matchers', size: 40 });
  const hours = h('input', { name: 'hours', type: 'number', min: '0.1', step: '0.1', value: '2', 'data-testid': 'silence-hours' });
  const comment = h('input', { name: 'comment', placeholder: 'why (e.g. planned retrain)', required: true, 'data-testid': 'silence-comment', size: 40 });
  const el = h('form.silence-form', {
    'data-testid': 'silence-form',
    onsubmit: (e: Event) => {
      e.preventDefault();
      let list: Matcher[];
      try {
        list = parseMatcherList(matchers.value);
      } catch (err) {
        toast((err as Error).message, 'error'); // nothing sent: a silence that mutes nothing is worse than none
        return;
      }
      const endsAt = Date.now() + Number(hours.value) * 3_600_000;
      void act('Silence created', () => api('/v1/silences', undefined, { method: 'POST', body: { matchers: list, endsAt, createdBy: actor(), comment: comment.value } }));
    },
  }, h('label', null, 'Matchers ', matchers), h('label', null, 'Hours ', hours), h('label', null, 'Comment ', comment), h('button', { type: 'submit' }, 'Create silence'));
  return {
    el,
    prefill: (a) => {
      matchers.value = [`model=${a.model}`, ...Object.entries(a.labels ?? {}).filter(([k]) => k !== 'model').slice(0, 2).map(([k, v]) => `${k}=${v}`)].join(', ');
      comment.focus();
    },
  };
}

/**
 * Under a list the server answered a page of (1,000 by default, `next` set): that more exist and where they are, since a
 * table of the first page alone reads as all of them.
 */
function moreNote(next: string | null | undefined, shown: number, what: string, cli: string): Node[] {
  if (next === undefined || next === null) return [];
  return [h('p.muted', { 'data-testid': 'more-note' }, `The first ${shown.toLocaleString('en-US')} ${what} are shown; more with \`${cli} --before ${next}\` or the API's next page.`)];
}

function silenceList(list: Silence[], expiredToo: boolean): Node {
  if (list.length === 0) return h('p.empty', null, expiredToo ? 'No silences.' : 'No active or pending silences.');
  return table<Silence>([
    // as `lookout silences list` prints them: =, !=, =~, !~ (a negative matcher read as its opposite before 2026-12)
    { label: 'Matchers', value: (s) => s.matchers.map(formatMatcher).join(', ') },
    { label: 'From', value: (s) => s.startsAt, render: (s) => time(s.startsAt) },
    { label: 'Until', value: (s) => s.endsAt, render: (s) => time(s.endsAt) },
    { label: 'By', value: (s) => s.createdBy },
    { label: 'Comment', value: (s) => s.comment },
    // a silence that starts later is pending (it read "expired", with no Expire button, before 2026-12)
    { label: 'State', value: (s) => SILENCE_STATES.indexOf(s.state), render: (s) => s.state },
    { label: '', value: () => null, render: (s) => (s.state !== 'expired' ? h('button.secondary', { onclick: () => act('Silence expired', () => api(`/v1/silences/${encodeURIComponent(s.id)}`, undefined, { method: 'DELETE' })) }, 'Expire') : '') },
  ], list, { testid: 'silences-table' });
}

/** Per notifier over the range: deliveries sent and failed, and the last failure with its error (a pager down is silent). */
interface NotifierRow { notifier: string; sent: number; failed: number; lastFailure: Notification | null }

function notifierRows(list: readonly Notification[]): NotifierRow[] {
  const rows = new Map<string, NotifierRow>();
  for (const n of list) {
    const r = rows.get(n.notifier) ?? { notifier: n.notifier, sent: 0, failed: 0, lastFailure: null };
    if (n.status === 'sent') r.sent++;
    else {
      r.failed++;
      if (r.lastFailure === null || n.at >= r.lastFailure.at) r.lastFailure = n;
    }
    rows.set(n.notifier, r);
  }
  return [...rows.values()].sort((a, b) => b.failed - a.failed || (a.notifier < b.notifier ? -1 : 1));
}

/**
 * The actions waiting for a human (`approval: true`: a retraining job, a rollback): approve (confirmed: it changes
 * production) or reject, as `lookout actions approve|reject` does.
 */
function waitingActions(ctx: ViewContext, list: Action[]): Node {
  if (list.length === 0) return h('p.empty', { 'data-testid': 'no-waiting-actions' }, 'No actions waiting for approval.');
  const decide = (a: Action, verb: 'approve' | 'reject'): Promise<boolean> =>
    act(`Action ${a.id} ${verb === 'approve' ? 'approved' : 'rejected'}`, () => api(`/v1/actions/${encodeURIComponent(a.id)}/${verb}`, undefined, { method: 'POST', body: { by: actor() } }));
  return table<Action>([
    { label: 'Action', value: (a) => a.kind },
    { label: 'Model', value: (a) => a.model, render: (a) => modelLink(ctx, a.model, a.model) },
    { label: 'Alert', value: (a) => a.alertId ?? '' },
    { label: 'Asked', value: (a) => a.at, render: (a) => h('span', { title: time(a.at) }, ago(a.at)) },
    {
      label: '', value: () => null, render: (a) => h('span.actions', null,
        h('button', {
          'data-action': 'approve',
          onclick: () => void confirmDialog(`Approve the ${a.kind} of ${a.model}?`, `The action runs now (${a.kind === 'rollback' ? 'the model is rolled back' : 'the retraining job is started'}). Needs the admin scope.`, 'Approve')
            .then((ok) => ok && decide(a, 'approve')),
        }, 'Approve…'),
        h('button.secondary', { 'data-action': 'reject', onclick: () => void decide(a, 'reject') }, 'Reject')),
    },
  ], list, { testid: 'actions-table', rowAttrs: (a) => ({ 'data-action-id': a.id }) });
}

/**
 * GET /v1/alerts' activeFrom/activeTo of the view's range (audit 24): no activeTo when the range ends now (a preset, or
 * a custom range without its `to`), the server's clock ending it.
 */
export function activeRange(ctx: ViewContext): { activeFrom: number; activeTo?: number } {
  const to = ctx.route.params.get('from') !== null && ctx.route.params.get('to') !== null ? Math.round(ctx.range.to) : undefined;
  return { activeFrom: Math.round(ctx.range.from), ...(to !== undefined && { activeTo: to }) };
}

/** The open or acknowledged alerts counted at most by openAfter. */
const OPEN_AFTER_LIMIT = 1000;

/**
 * Of a range with an end (a custom one), the number of open or acknowledged alerts (of the view's state) that started at
 * or after it: firing now, they are not active in the range, and the view says so rather than hide them without a word.
 * Read from the newest of them (not `from`, which a server whose clock is behind the range's end refuses).
 */
async function openAfter(ctx: ViewContext, state: string): Promise<number> {
  const end = activeRange(ctx).activeTo;
  if (end === undefined || state === 'resolved') return 0;
  const states = state === 'all' ? ['open', 'acknowledged'] : [state];
  const pages = await Promise.all(states.map((s) => alerts({ state: s, limit: OPEN_AFTER_LIMIT })));
  return Math.min(OPEN_AFTER_LIMIT, pages.reduce((n, p) => n + p.value.alerts.filter((a) => a.startsAt >= end).length, 0));
}

/**
 * Of an empty list of one state, the alerts of the range in the other states, counted by state, with a link showing
 * them all: "6 other alerts were active in this range (6 resolved): show all states". The demo's incidents are all
 * resolved, and the view (state "open" by default) said "No open alerts" with no sign of them.
 */
async function otherStates(ctx: ViewContext, state: string, range: ReturnType<typeof activeRange>): Promise<Node[]> {
  if (state === 'all') return [];
  const r = await alerts({ state: 'all', ...range, limit: OPEN_AFTER_LIMIT });
  const n = r.value.alerts.length;
  if (n === 0) return [];
  const byState = new Map<string, number>();
  for (const a of r.value.alerts) byState.set(a.state, (byState.get(a.state) ?? 0) + 1);
  return [h('p', { 'data-testid': 'other-states' },
    `${n.toLocaleString('en-US')}${n >= OPEN_AFTER_LIMIT ? '+' : ''} other alert${n === 1 ? ' was' : 's were'} active in this range (${['open', 'acknowledged', 'resolved'].filter((st) => byState.has(st)).map((st) => `${(byState.get(st) ?? 0).toLocaleString('en-US')} ${st}`).join(', ')}): `,
    h('a', { href: withParams(ctx.route, { state: 'all' }), 'data-testid': 'other-states-link' }, 'show all states'), '.')];
}

export const alertsView = {
  defaultRange: '30d',
  async render(ctx: ViewContext): Promise<Node> {
    const state = ctx.route.params.get('state') ?? 'open';
    const form = silenceForm();
    const stateSel = h('select', { 'aria-label': 'alert state', onchange: (e: Event) => { location.hash = withParams(ctx.route, { state: (e.target as HTMLSelectElement).value }); } },
      ['open', 'acknowledged', 'resolved', 'all'].map((s) => h('option', { value: s, selected: s === state }, s)));
    // Audit 24: the alerts active at some moment of the page's range (they were listed whatever the range). A range
    // ending now (a preset, or a custom one without its end) gives no end: the server's now ends it, so an open alert is
    // listed even if the server's clock is ahead of the browser's.
    const range = activeRange(ctx);
    const list = ctx.panel('Alerts', async () => {
      const [r, later] = await Promise.all([alerts({ state, ...range }), openAfter(ctx, state)]);
      if (!r.available) return h('div.notice.not-available', { role: 'status' }, 'Alerting is not available on this server (GET /v1/alerts does not exist yet).');
      const what = `${state === 'all' ? '' : state + ' '}alerts`;
      const note = h('p.muted', { 'data-testid': 'alerts-range-note' }, `The alerts ${state === 'all' ? '' : `${state} now that were `}active at some moment of the range (${ctx.range.label}): started before its end, and still open or acknowledged, or resolved in it or after.`);
      const after = later === 0 ? [] : [h('p.notice', { 'data-testid': 'open-after-range' },
        `${later.toLocaleString('en-US')}${later >= OPEN_AFTER_LIMIT ? '+' : ''} ${state === 'all' ? 'open or acknowledged' : state} alert${later === 1 ? '' : 's'} started after this range and ${later === 1 ? 'is' : 'are'} not listed: `,
        h('a', { href: withParams(ctx.route, { range: undefined, from: undefined, to: undefined }), 'data-testid': 'open-after-link' }, 'show the range up to now'), '.')];
      if (r.value.alerts.length === 0) return [note, h('p.empty', { 'data-testid': 'no-alerts' }, `No ${what} active in this range.`), ...await otherStates(ctx, state, range), ...after];
      const cli = `lookout alerts list --state ${state} --active-from ${new Date(range.activeFrom).toISOString()}${range.activeTo === undefined ? '' : ` --active-to ${new Date(range.activeTo).toISOString()}`}`;
      return [note, ...after, table<Alert>([
        { label: 'Severity', value: (a) => ({ critical: 0, page: 1, warning: 2 })[a.severity], render: (a) => h('span', { class: `badge status-${SEV_STATUS[a.severity] ?? 'grey'}` }, a.severity) },
        { label: 'Model', value: (a) => `${a.model}@${a.version ?? ''}`, render: (a) => h('span', null, modelLink(ctx, a.model, a.model, a.version), a.version ? `@${a.version}` : '') },
        { label: 'Context', value: (a) => alertTitle(a), render: (a) => context(a) },
        { label: 'Started', value: (a) => a.startsAt, render: (a) => h('span', { title: time(a.startsAt) }, ago(a.startsAt)) },
        // when a resolved alert ended: why it is in the range
        { label: 'Ended', value: (a) => (a.state === 'resolved' ? a.endsAt ?? a.updatedAt : null), render: (a) => (a.state === 'resolved' ? h('span', { title: time(a.endsAt ?? a.updatedAt) }, ago(a.endsAt ?? a.updatedAt)) : '') },
        { label: 'State', value: (a) => a.state, render: (a) => `${a.state}${a.acknowledgedBy ? ` by ${a.acknowledgedBy}` : ''}${a.silenced ? ' · silenced' : ''}${a.inhibited ? ' · inhibited' : ''}${a.falsePositive ? ' · false positive' : ''}` },
        { label: 'Actions', value: () => null, render: (a) => alertActions(a, form.prefill) },
      ], r.value.alerts, { testid: 'alerts-table', rowAttrs: (a) => ({ 'data-alert': a.id, 'data-state': a.state }) }), ...moreNote(r.value.next, r.value.alerts.length, 'alerts', cli)];
    }, { wide: true, testid: 'alerts' });
    // Expired silences are kept for the record and pile up (a deploy script's daily ones): shown when asked, as the CLI does.
    const expiredToo = ctx.route.params.get('silences') === 'all';
    const sil = ctx.panel('Silences', async () => {
      const r = await silences(expiredToo ? {} : { state: 'active,pending' });
      if (!r.available) return h('div.notice.not-available', { role: 'status' }, 'Silences are not available on this server (GET /v1/silences does not exist yet).');
      const toggle = h('a', { href: withParams(ctx.route, { silences: expiredToo ? undefined : 'all' }), 'data-testid': 'silences-toggle' }, expiredToo ? 'Hide expired silences' : 'Show expired silences too');
      return [form.el, silenceList(r.value.silences, expiredToo), ...moreNote(r.value.next, r.value.silences.length, 'silences', `lookout silences list --state ${expiredToo ? 'all' : 'active,pending'}`), h('p', null, toggle)];
    }, { wide: true, testid: 'silences' });
    const waiting = ctx.panel('Actions waiting for approval', async () => {
      const r = await actions({ state: 'pending_approval' });
      if (!r.available) return h('div.notice.not-available', { role: 'status' }, 'Actions are not available on this server (GET /v1/actions does not exist yet).');
      return [waitingActions(ctx, r.value.actions), ...moreNote(r.value.next, r.value.actions.length, 'actions waiting', 'lookout actions list --state pending_approval')];
    }, { wide: true, testid: 'waiting-actions' });
    const fp = ctx.panel('False-positive rate per monitor', async () => {
      const r = await optional<{ monitors: MonitorStats[] }>('/v1/monitors/stats', { from: Math.round(ctx.range.from), to: Math.round(ctx.range.to) }, { monitors: [] });
      if (!r.available) return h('div.notice.not-available', { role: 'status' }, 'Monitor statistics are not available on this server (GET /v1/monitors/stats does not exist yet).');
      if (r.value.monitors.length === 0) return h('p.empty', null, 'No monitors have raised alerts in this range.');
      return table<MonitorStats>([
        { label: 'Monitor', value: (m) => m.id },
        { label: 'Model', value: (m) => m.model },
        { label: 'Alerts', value: (m) => m.alerts },
        { label: 'False positives', value: (m) => m.falsePositives },
        { label: 'FP rate', value: (m) => m.falsePositiveRate, render: (m) => h('span', { class: (m.falsePositiveRate ?? 0) > 0.3 ? 'status-text-red' : null }, pct(m.falsePositiveRate)) },
        { label: 'Alerts / week', value: (m) => m.alertsPerWeek, render: (m) => num(m.alertsPerWeek, 1) },
      ], r.value.monitors, { testid: 'fp-table' });
    }, { testid: 'fp-rate' });
    const deliveries = ctx.panel('Notifier deliveries', async () => {
      const r = await optional<{ notifications: Notification[]; next?: string | null }>('/v1/notifications', { from: Math.round(ctx.range.from), to: Math.round(ctx.range.to) }, { notifications: [] });
      if (!r.available) return h('div.notice.not-available', { role: 'status' }, 'Notifications are not available on this server (GET /v1/notifications does not exist yet).');
      if (r.value.notifications.length === 0) return h('p.empty', { 'data-testid': 'no-notifications' }, 'No notifications in this range.');
      const rows = notifierRows(r.value.notifications);
      return [table<NotifierRow>([
        { label: 'Notifier', value: (x) => x.notifier },
        { label: 'Sent', value: (x) => x.sent },
        { label: 'Failed', value: (x) => x.failed, render: (x) => h('span', { class: x.failed > 0 ? 'status-text-red' : null }, String(x.failed)) },
        { label: 'Last failure', value: (x) => x.lastFailure?.at ?? null, render: (x) => (x.lastFailure ? h('span', { title: time(x.lastFailure.at) }, ago(x.lastFailure.at)) : '') },
        { label: 'Error', value: (x) => x.lastFailure?.error ?? '' },
      ], rows, { testid: 'notifier-table', rowAttrs: (x) => ({ 'data-notifier': x.notifier }) }),
      ...(r.value.next ? [h('p.muted', { 'data-testid': 'more-note' }, `Counts of the first ${r.value.notifications.length.toLocaleString('en-US')} notifications of the range (lookout notifications list reads them all).`)] : [])];
    }, { testid: 'notifier-deliveries' });
    return h('div', null, heading(ctx, 'Alerts', stateSel), grid(list, waiting, sil, fp, deliveries));
  },
};
