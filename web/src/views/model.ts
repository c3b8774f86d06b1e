import { ApiFailure, explain } from '../api.js';
import { allAlerts, drift, health, models, monitors } from '../data.js';
import { h } from '../dom.js';
import { count, ms, num, numFormat, pct, pctFormat, usd, type ValueFormat } from '../format.js';
import type { ViewContext } from '../panel.js';
import { href, rangeParams, withParams } from '../route.js';
import { monitorsOf, statusBadge, verdict, verdictNotes } from '../status.js';
import type { FeatureDrift } from '../types.js';
import { activeRange } from './alerts.js';
import { featureLink, grid, heading, kv, noVersionsNote, skippedNote, table } from './common.js';
import { labelDriftChart } from './label-drift.js';
import { qualityChart } from './quality.js';
import { segmentTable } from './segments.js';
import { annotationCache, metricChart } from './series.js';

/** Higher is worse for distances; for p-value methods (KS, chi-squared) lower is worse. */
export function severity(f: FeatureDrift): number {
  if (f.score === null) return 0;
  return /ks|chi/i.test(f.method) ? (f.score > 0 ? f.threshold / f.score : 1e9) : f.score / f.threshold;
}

export function topDrifting(ctx: ViewContext, model: string, features: FeatureDrift[]): HTMLElement {
  return table<FeatureDrift>([
    { label: 'Feature', value: (f) => f.name, render: (f) => featureLink(ctx, model, f.name) },
    { label: 'Drift', value: (f) => (f.drifted ? 1 : 0), render: (f) => statusBadge(f.drifted ? 'red' : 'green') },
    { label: 'Method', value: (f) => f.method },
    { label: 'Score', value: (f) => f.score, render: (f) => num(f.score, 4) },
    { label: 'Threshold', value: (f) => f.threshold },
    { label: 'Score / threshold', value: (f) => severity(f), render: (f) => num(severity(f), 2) },
  ], [...features].sort((a, b) => severity(b) - severity(a)), { testid: 'top-drifting', rowAttrs: (f) => ({ 'data-feature': f.name, 'data-drifted': String(f.drifted) }) });
}

export const modelView = {
  defaultRange: '30d',
  async render(ctx: ViewContext): Promise<Node> {
    const name = ctx.route.args[0] ?? '';
    const m = (await models()).find((x) => x.name === name);
    if (!m) return h('div.notice.error', null, `Unknown model "${name}".`);
    if (m.versions.length === 0) return h('div', null, heading(ctx, `Model ${m.name}`, h('a.small', { href: href('registry', [m.name], rangeParams(ctx.route.params)) }, 'registry →')), noVersionsNote(m));
    const version = ctx.route.params.get('version') ?? undefined;
    // the server's answers without ?version= are of this one (audit 26: the picker showed the newest, even a candidate
    // with no traffic, while the figures were of the serving alias's version)
    const shown = version ?? m.defaultVersion ?? undefined;
    const segment = ctx.route.params.get('segment') ?? undefined;
    const q = { version, segment };
    const notes = annotationCache(ctx, m.name);
    const versionSel = h('select', {
      'aria-label': 'version',
      onchange: (e: Event) => { location.hash = withParams(ctx.route, { version: (e.target as HTMLSelectElement).value }); },
    }, m.versions.map((v) => h('option', { value: v.version, selected: v.version === shown }, `v${v.version}`)));

    const summary = ctx.panel('Summary', async () => {
      let driftError: string | null = null;
      let alertsError: string | null = null;
      const [hl, d, al, mons] = await Promise.all([health(m.name, ctx.range, q), drift(m.name, ctx.range, q).catch((e: unknown) => {
        // 422: this version has no reference (drift is not computed); any other failure is said as such
        if (!(e instanceof ApiFailure && e.status === 422)) driftError = `drift query failed: ${explain(e)}`;
        return null;
      }), allAlerts({ model: m.name, state: 'all', ...activeRange(ctx) }).catch((e: unknown) => {
        // as the overview's row: a failed alerts query leaves the status unknown (audit 24)
        alertsError = `alerts query failed: ${explain(e)}`;
        return { value: { alerts: [] }, available: true };
      }), monitors({ model: m.name })]);
      // The same colour as the overview's row for this version and range: alerts and monitor results count too.
      const v = verdict({
        health: hl, drift: d, failures: ([driftError, alertsError] as Array<string | null>).filter((x): x is string => x !== null),
        alerts: al.value.alerts.filter((x) => x.model === m.name && (x.version === shown || !x.version)),
        monitors: monitorsOf(mons.value.monitors, m, shown),
      });
      return [kv([
        ['Status', h('span', null, statusBadge(v.status), ' ', v.reasons.join('; '), verdictNotes(v))],
        ['Kind', m.outputKind], ['Events', count(hl.events)], ['Throughput', `${num(hl.throughputPerSecond, 2)}/s`],
        ['Latency p50 / p95 / p99', `${ms(hl.latencyMs.p50)} / ${ms(hl.latencyMs.p95)} / ${ms(hl.latencyMs.p99)}`],
        ['Error rate', pct(hl.errorRate, 2)], ['Cost', hl.costEvents === 0
          // "$0.0 (— per inference; 0 of 90 events reported a cost)" until audit 23: no cost is not a cost of 0
          ? (hl.events === 0 ? '—' : 'not reported (no event of the range has a costUsd)')
          : `${usd(hl.costUsd)} (${usd(hl.costPerInferenceUsd)} per inference${hl.costEvents < hl.events ? `; ${count(hl.costEvents)} of ${count(hl.events)} events reported a cost` : ''})`],
        ['Drift', d ? `${d.datasetDrift.driftedFeatures}/${d.datasetDrift.features} features (dataset drift at ≥ ${pct(d.datasetDrift.threshold, 0)})` : '—'],
      ]), ...(d ? [topDrifting(ctx, m.name, d.features), skippedNote(d)].filter((x) => x !== null) : [driftError ? h('p.notice.error', { role: 'status' }, driftError) : h('p.muted', null, 'No reference for this version: drift is not computed.')])];
    }, { testid: 'model-summary' });

    const chart = (title: string, metrics: Array<{ metric: string; label: string }>, format: ValueFormat, extra: Partial<Parameters<typeof metricChart>[3]> = {}): HTMLElement =>
      ctx.panel(title, () => metricChart(ctx, m.name, q, { title, metrics, format, ...extra }, notes), { testid: extra.testid });
    return h('div', null,
      heading(ctx, `Model ${m.name}`, versionSel, segment ? h('span.badge', null, `segment ${segment}`) : '',
        h('a.small', { href: href('debug', [m.name], { ...rangeParams(ctx.route.params), version, segment }) }, 'debug view →'), h('a.small', { href: href('registry', [m.name], rangeParams(ctx.route.params)) }, 'registry →')),
      grid(
        summary,
        chart('Drift share (features drifted)', [{ metric: 'driftShare', label: 'share drifted' }], pctFormat(0), { threshold: { value: 0.5, label: 'dataset drift at 50% of features' }, driftBands: true, testid: 'drift-share', yMin: 0, drift: true }),
        ctx.panel('Quality', () => qualityChart(ctx, m, q, notes), { deferred: true, testid: 'quality' }),
        chart('Latency', [{ metric: 'latencyP50', label: 'p50' }, { metric: 'latencyP95', label: 'p95' }, { metric: 'latencyP99', label: 'p99' }], ms, { testid: 'latency', yMin: 0 }),
        chart('Error rate', [{ metric: 'errorRate', label: 'error rate' }], pctFormat(1), { threshold: { value: 0.05, label: 'red at 5% errors' }, testid: 'error-rate', yMin: 0 }),
        chart('Throughput', [{ metric: 'throughput', label: 'events/s' }], numFormat(2), { testid: 'throughput', yMin: 0 }),
        chart('Cost per inference', [{ metric: 'costPerInference', label: 'USD' }], (v) => usd(v), { testid: 'cost' }),
        chart('Prediction drift', [{ metric: 'predictionDrift', label: 'prediction drift score' }], numFormat(3), { testid: 'prediction-drift', yMin: 0, drift: true }),
        ctx.panel('Label drift', () => labelDriftChart(ctx, m, q, notes), { deferred: true, testid: 'label-drift' }),
        ctx.panel('Segments', () => segmentTable(ctx, m, version), { deferred: true, wide: true, testid: 'segments' }),
      ));
  },
};
