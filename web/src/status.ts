import { h } from './dom.js';
import { pct } from './format.js';
import type { Alert, Drift, Health, ModelInfo, Monitor } from './types.js';

export type Status = 'green' | 'yellow' | 'red' | 'grey';

export interface Verdict {
  status: Status;
  reasons: string[];
  /**
   * Notes that do not change the colour (audit 24): a monitor's warnings (GET /v1/monitors), e.g. a level stored by an
   * older release that can never be the verdict. It is evaluated as stored, so its results count; shown beside the reasons.
   */
  notes: string[];
}

const RANK: Record<Status, number> = { grey: 0, green: 1, yellow: 2, red: 3 };
const worst = (a: Status, b: Status): Status => (RANK[b] > RANK[a] ? b : a);

/**
 * What an alert is about: its metric, else its monitor, and its summary when it has one. An alert raised by other code
 * (POST /v1/alerts) has its source as the metric and its words in the summary, which until audit 23 no view showed.
 */
export function alertTitle(a: Alert): string {
  const what = a.context?.metric ?? a.labels?.['alertname'] ?? a.monitorId;
  const summary = a.context?.summary;
  return summary && summary !== what ? `${what}: ${summary}` : what;
}

/** Error-rate levels used when no monitor says otherwise. */
export const ERROR_RATE = { yellow: 0.01, red: 0.05 };

/**
 * The monitors watching `version` of model `m`: those pinned to it, and those without a version when it is the model's
 * defaultVersion (the one the server evaluates them on). Audit 26: every version's row and page counted all of the
 * model's monitors, so a candidate was marked red for production's paging monitor.
 */
export function monitorsOf(all: readonly Monitor[], m: Pick<ModelInfo, 'name' | 'defaultVersion'>, version: string | undefined): Monitor[] {
  return all.filter((x) => x.model === m.name && (x.version ?? m.defaultVersion ?? undefined) === version);
}

/**
 * Green / yellow / red for a model version: the worst of its open alerts and monitor results (issue 4) and of
 * what the query API shows directly (dataset drift, drifted features, error rate), so it works with or
 * without alerting installed. Each reason says where the colour comes from. `alerts`: those active at some moment of the
 * range looked at, as the server answers them (GET /v1/alerts?activeFrom=&activeTo=): a resolved one among them is a past
 * incident of the range and counts. Until audit 24 the views gave every alert and this kept the resolved ones whose end
 * was strictly after the range's start, a rule of its own (the server's includes an end at the start).
 */
export function verdict(input: { alerts?: Alert[] | null; monitors?: Monitor[] | null; drift?: Pick<Drift, 'datasetDrift'> | null; health?: Health | null; failures?: string[] }): Verdict {
  let status: Status = 'green';
  const found: Array<{ s: Status; why: string }> = [];
  const notes: string[] = [];
  const add = (s: Status, why: string): void => {
    status = worst(status, s);
    found.push({ s, why });
  };
  for (const a of input.alerts ?? []) {
    if (a.silenced || a.inhibited || a.falsePositive) continue;
    add(a.severity === 'warning' ? 'yellow' : 'red', `${a.severity} alert: ${alertTitle(a)}${a.state === 'resolved' ? ' (resolved)' : ''}`);
  }
  for (const m of input.monitors ?? []) {
    // a monitor that cannot give a verdict watches nothing: not "OK"
    if (m.problem) add('yellow', `monitor ${m.name} ${m.problem.code}: ${m.problem.message}`);
    // its id too: declaring it again (what the warning asks) is by id
    for (const w of m.warnings ?? []) notes.push(`monitor ${m.name}${m.name === m.id ? '' : ` (id ${m.id})`}: ${w}`);
    const s = m.last?.status;
    if (s === 'warning') add('yellow', `monitor ${m.name}: warning`);
    else if (s === 'page' || s === 'critical') add('red', `monitor ${m.name}: ${s}`);
    // crossing a level for less than its `for` duration: not an alert yet, but worth a look
    else if (s === 'pending') add('yellow', pendingReason(m));
  }
  const d = input.drift;
  if (d) {
    const dd = d.datasetDrift;
    if (dd.drifted) add('red', `dataset drift: ${dd.driftedFeatures}/${dd.features} features drifted`);
    else if (dd.driftedFeatures > 0) add('yellow', `${dd.driftedFeatures}/${dd.features} features drifted`);
  }
  const hl = input.health;
  if (hl) {
    if (hl.events === 0) {
      status = status === 'green' ? 'grey' : status;
      found.push({ s: 'grey', why: 'no traffic in range' });
    } else if (hl.errorRate !== null && hl.errorRate >= ERROR_RATE.red) add('red', `error rate ${pct(hl.errorRate)}`);
    else if (hl.errorRate !== null && hl.errorRate >= ERROR_RATE.yellow) add('yellow', `error rate ${pct(hl.errorRate)}`);
  }
  // A query that failed (server error, bad range, server down) leaves the status unknown: never "OK" on missing figures.
  for (const f of input.failures ?? []) {
    status = status === 'green' ? 'grey' : status;
    found.push({ s: 'grey', why: f });
  }
  // The reasons for the worst colour first (a table shows the first two): a page alert before warnings.
  const rank: Record<Status, number> = { red: 0, yellow: 1, grey: 2, green: 3 };
  const reasons = found.map((x, i) => ({ ...x, i })).sort((a, b) => rank[a.s] - rank[b.s] || a.i - b.i).map((x) => x.why);
  return { status, reasons, notes };
}

/**
 * A verdict's notes (monitor warnings), shown beside its reasons as a note, not an error: no status colour, a neutral
 * box; null when there are none.
 */
export function verdictNotes(v: Verdict): HTMLElement | null {
  if (v.notes.length === 0) return null;
  return h('span.verdict-notes', { 'data-testid': 'monitor-warnings', role: 'note' }, h('strong', null, 'Note: '), v.notes.join('; '));
}

/** A pending monitor (a level crossed for less than its `for` duration): what it would fire at, and when. */
function pendingReason(m: Monitor): string {
  const at = m.last?.firesAt;
  const when = at === undefined ? '' : ` (fires at ${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC if it holds)`;
  return `monitor ${m.name}: pending ${m.last?.pendingSeverity ?? 'alert'}${when}`;
}

export function statusBadge(s: Status, title = ''): HTMLElement {
  const text = { green: 'OK', yellow: 'Warning', red: 'Problem', grey: 'No data' }[s];
  return h('span', { class: `badge status-${s}`, 'data-status': s, title: title || null }, text);
}

/** Drift share level of one window: red when dataset drift, yellow when some features drift. */
export function driftLevel(share: number | null, threshold = 0.5): Status {
  if (share === null) return 'grey';
  return share >= threshold ? 'red' : share > 0 ? 'yellow' : 'green';
}
