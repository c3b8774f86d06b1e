import { explain } from '../api.js';
import { allAlerts, models, monitors, overview } from '../data.js';
import { h } from '../dom.js';
import { count, ms, num, pct } from '../format.js';
import type { ViewContext } from '../panel.js';
import { monitorsOf, statusBadge, verdict, verdictNotes, type Verdict } from '../status.js';
import type { Alert, Drift, Health, ModelInfo, OverviewRow, Performance } from '../types.js';
import { activeRange } from './alerts.js';
import { grid, heading, headlineMetric, metricValue, modelLink, NO_VERSIONS, notMeasured, table } from './common.js';

export interface ModelRow {
  model: ModelInfo;
  version: string;
  health: Health | null;
  drift: Pick<Drift, 'datasetDrift' | 'skipped'> | null;
  perf: Performance | null;
  /** Performance (labels joined at query time: the slow query) arrives after the rest. */
  perfLoaded: Promise<Performance | null>;
  /** The alerts active at some moment of the range (GET /v1/alerts?activeFrom=&activeTo=, audit 24) of this version or of no version. */
  alerts: Alert[];
  verdict: Verdict;
}

const rowKey = (model: string, version: string): string => `${model}\u0000${version}`;

/**
 * Per model and version: health, drift, open alerts and monitors, and the verdict; performance over the range
 * follows once the view's main panels are ready (row.perfLoaded). The figures come from GET /v1/overview, a page of
 * 100 models a request (until audit 16: a /health, a /drift and a /performance request per version, thousands for
 * a server of many models); each row's are what those endpoints answer for the version. Its alerts are those the server
 * answers active in the range (audit 24: the 1,000 newest alerts were read and filtered here by a rule of their own, which
 * left out an alert resolved exactly at the range's start, and every alert older than the 1,000th, open or not).
 */
export async function modelRows(ctx: ViewContext, opts: { performance?: boolean } = {}): Promise<{ rows: ModelRow[]; alerting: boolean; alertsError: string | null }> {
  // A failed alerts query (a range whose start is after its end: a 400) leaves the rows' status unknown, as a failed
  // health query does, rather than the table undrawn.
  const failed: { alerts: string | null } = { alerts: null };
  const [list, open, mons] = await Promise.all([models(), allAlerts({ state: 'all', ...activeRange(ctx) }).catch((e: unknown) => {
    failed.alerts = explain(e);
    return { value: { alerts: [] as Alert[] }, available: true };
  }), monitors()]);
  let figures: Map<string, OverviewRow> | null = null;
  let failure: string | null = null;
  try {
    figures = new Map((await overview(ctx.range)).map((x) => [rowKey(x.model, x.version), x]));
  } catch (e) {
    failure = explain(e);
  }
  const perfs = opts.performance !== false && figures
    ? ctx.later(() => overview(ctx.range, { performance: true })).then((all) => new Map(all.map((x) => [rowKey(x.model, x.version), x.performance ?? null])), () => new Map<string, Performance | null>())
    : null;
  // A model without versions (declared, no events yet) has a row of its own, grey (audit 27: it was left out, and a
  // server of only such models said "No models yet").
  const empty = (m: ModelInfo): ModelRow => ({ model: m, version: '', health: null, drift: null, perf: null, perfLoaded: Promise.resolve(null), alerts: [], verdict: { status: 'grey', reasons: [NO_VERSIONS.replace('NAME', m.name)], notes: [] } });
  const rows = list.flatMap((m) => (m.versions.length === 0 ? [empty(m)] : m.versions.map(({ version: v }) => {
    const f = figures?.get(rowKey(m.name, v));
    const failures: string[] = [];
    // A query that failed leaves the status unknown; no reference (the /drift request's 422) is not a failure.
    if (failure !== null) failures.push(`health query failed: ${failure}`, `drift query failed: ${failure}`);
    else if (!f) failures.push('health query failed: no figures for this version (declared after the page loaded?)');
    else if (f.driftError !== undefined) failures.push(`drift query failed: ${f.driftError}`);
    if (failed.alerts !== null) failures.push(`alerts query failed: ${failed.alerts}`);
    const hl = f?.health ?? null;
    const d = f?.drift ?? null;
    const a = open.value.alerts.filter((x) => x.model === m.name && (x.version === v || !x.version));
    const mon = monitorsOf(mons.value.monitors, m, v);
    const row: ModelRow = { model: m, version: v, health: hl, drift: d, perf: null, perfLoaded: Promise.resolve(null), alerts: a, verdict: verdict({ alerts: a, monitors: mon, drift: d, health: hl, failures }) };
    if (perfs) row.perfLoaded = perfs.then((p) => (row.perf = p.get(rowKey(m.name, v)) ?? null));
    return row;
  })));
  return { rows, alerting: open.available, alertsError: failed.alerts };
}

/**
 * Drifted features of those measured, and how many are not (audit 24): "0/1 features" of a model of two hid that its
 * version's reference has no column of the other, as the model view says ("Not measured: amount (missing in reference)").
 */
function driftCell(r: ModelRow): Node | string {
  if (!r.drift) return '—';
  const dd = r.drift.datasetDrift;
  const skipped = r.drift.skipped ?? [];
  return h('span', null, `${dd.driftedFeatures}/${dd.features} features`, skipped.length === 0 ? null
    : h('small.muted', { 'data-testid': 'drift-skipped', title: `Not measured: ${notMeasured(skipped)}` }, `, ${skipped.length} not measured`));
}

/** The lines under the table naming the features not measured per version (the title alone is not seen on a phone). */
function skippedLines(rows: ModelRow[]): Node[] {
  const some = rows.filter((r) => (r.drift?.skipped?.length ?? 0) > 0);
  if (some.length === 0) return [];
  const shown = some.slice(0, 5);
  return [h('p.muted', { 'data-testid': 'drift-skipped-note' }, 'Not measured (drift skips a feature its version\'s reference has no column of; upload a reference with it): ',
    shown.map((r, i) => `${i > 0 ? '; ' : ''}${r.model.name} ${r.version}: ${notMeasured(r.drift?.skipped ?? [])}`).join(''),
    some.length > shown.length ? `; and ${some.length - shown.length} more versions` : '', '.')];
}

function alertCount(list: Alert[]): string {
  const open = list.filter((a) => a.state !== 'resolved').length;
  return list.length > open ? `${open} (+${list.length - open} resolved)` : String(open);
}

function accuracyCell(r: ModelRow): Node {
  if (!r.perf) {
    const cell = h('span.loading', { 'data-testid': 'quality-pending' }, '…');
    void r.perfLoaded.then(() => cell.replaceWith(accuracyText(r)));
    return cell;
  }
  return accuracyText(r);
}

function accuracyText(r: ModelRow): Node {
  const hm = headlineMetric(r.model);
  const realized = metricValue(r.perf?.realized, hm.key);
  const est = hm.key === 'accuracy' ? r.perf?.estimated?.accuracy ?? null : null;
  const f = hm.key === 'accuracy' ? pct : (v: number | null) => num(v, 2);
  return h('span', null, `${hm.label} `, h('b', { title: 'realized (labelled)' }, f(realized)), est !== null ? h('span.muted', { title: 'estimated (CBPE)' }, ` · est ${f(est)}`) : null);
}

export const overviewView = {
  defaultRange: '24h',
  async render(ctx: ViewContext): Promise<Node> {
    const filter = h('input', { type: 'search', placeholder: 'filter models…', 'aria-label': 'filter models', 'data-testid': 'filter' });
    const statusSel = h('select', { 'aria-label': 'status filter', 'data-testid': 'status-filter' },
      ['all', 'red', 'yellow', 'green', 'grey'].map((s) => h('option', { value: s }, s === 'all' ? 'any status' : s)));
    const tablePanel = ctx.panel('Models', async () => {
      const { rows, alerting, alertsError } = await modelRows(ctx);
      if (rows.length === 0) return h('p.empty', null, 'No models yet. Declare one in lookout.yaml or POST /v1/models (or start with --demo).');
      const t = table<ModelRow>([
        { label: 'Status', value: (r) => ({ red: 0, yellow: 1, green: 2, grey: 3 })[r.verdict.status], render: (r) => h('span', null, statusBadge(r.verdict.status, r.verdict.reasons.join('; ')), h('small.reasons', null, r.verdict.reasons.slice(0, 2).join('; ')), verdictNotes(r.verdict)) },
        { label: 'Model', value: (r) => r.model.name, render: (r) => modelLink(ctx, r.model.name, r.model.name, r.version || null) },
        { label: 'Version', value: (r) => r.version || '—' },
        { label: 'Traffic', value: (r) => r.health?.events ?? null, render: (r) => `${count(r.health?.events)} (${num(r.health?.throughputPerSecond ?? null, 2)}/s)` },
        { label: 'Latency p95', value: (r) => r.health?.latencyMs.p95 ?? null, render: (r) => ms(r.health?.latencyMs.p95) },
        { label: 'Error rate', value: (r) => r.health?.errorRate ?? null, render: (r) => pct(r.health?.errorRate, 2) },
        { label: 'Quality', value: (r) => metricValue(r.perf?.realized, headlineMetric(r.model).key) ?? r.perf?.estimated?.accuracy ?? null, render: accuracyCell },
        { label: 'Drift', value: (r) => r.drift?.datasetDrift.share ?? null, render: driftCell },
        { label: 'Alerts', value: (r) => (alerting && alertsError === null ? r.alerts.length : null), render: (r) => (alertsError !== null ? h('span.muted', { title: `alerts query failed: ${alertsError}` }, '?')
          : alerting ? alertCount(r.alerts) : h('span.muted', { title: 'alerting (GET /v1/alerts) is not available on this server' }, 'n/a')) },
      ], rows, { testid: 'models-table', rowAttrs: (r) => ({ 'data-model': r.model.name, 'data-version': r.version, 'data-status': r.verdict.status }) });
      const apply = (): void => {
        const text = filter.value.trim().toLowerCase();
        for (const tr of t.querySelectorAll<HTMLTableRowElement>('tbody tr')) {
          const okText = !text || (tr.dataset['model'] ?? '').toLowerCase().includes(text);
          const okStatus = statusSel.value === 'all' || tr.dataset['status'] === statusSel.value;
          tr.hidden = !(okText && okStatus);
        }
      };
      filter.addEventListener('input', apply);
      statusSel.addEventListener('change', apply);
      t.addEventListener('click', () => queueMicrotask(apply));
      return [t, ...skippedLines(rows), alerting ? h('p.muted', null, 'Status: worst of the alerts active in the range, monitor results, dataset drift and error rate. Alerts: open (+ resolved) active in the range, as the Alerts view lists them.')
        : h('p.muted', { 'data-testid': 'derived-status' }, 'Alerting is not available on this server: status is derived from the drift and health queries (red: dataset drift or error rate ≥ 5%; yellow: some features drift or error rate ≥ 1%).')];
    }, { wide: true, testid: 'overview-models' });
    return h('div', null, heading(ctx, 'Models', h('span.filters', null, filter, statusSel)), grid(tablePanel));
  },
};
