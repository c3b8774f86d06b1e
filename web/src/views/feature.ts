import { api } from '../api.js';
import { categoryBars, histogramOverlay } from '../charts/bars.js';
import { drift, models } from '../data.js';
import { h, link } from '../dom.js';
import { num, numFormat, pct, pctFormat, time } from '../format.js';
import type { ViewContext } from '../panel.js';
import { statusBadge } from '../status.js';
import type { ModelInfo, Quality, SampledEvent } from '../types.js';
import { href, rangeParams } from '../route.js';
import { grid, heading, kv, noVersionsNote, scopeBadges, scopeParams } from './common.js';
import { annotationCache, metricChart } from './series.js';
import { segmentParam } from './segments.js';

interface Distribution {
  kind: 'numerical' | 'categorical';
  edges?: number[];
  reference: { shares?: number[]; count: number; missing: number };
  current: { shares?: number[]; count: number; missing: number };
  categories?: Array<{ name: string; reference: number; current: number; isNew: boolean; other?: boolean }>;
}

const REDACTION_MARKERS = /^(\[redacted\]|<redacted>|redacted|\*{3,}|\[REDACTED\])$/i;

/** Fields marked sensitive in the input schema ("x-lookout-redact": true, or writeOnly) or values the sender redacted. */
export function isRedacted(m: ModelInfo, field: string, value: unknown): boolean {
  const p = m.inputSchema.properties?.[field];
  return p?.['x-lookout-redact'] === true || p?.['writeOnly'] === true || (typeof value === 'string' && REDACTION_MARKERS.test(value));
}

/** Sampled raw inputs shown. */
const SAMPLE_ROWS = 25;

function samples(m: ModelInfo, feature: string, events: SampledEvent[]): HTMLElement {
  const fields = Object.keys(m.inputSchema.properties ?? {});
  const cell = (e: SampledEvent, f: string): HTMLElement => {
    const v = e.features[f];
    if (isRedacted(m, f, v)) return h('td', null, h('span.redacted', { title: 'redacted: not shown' }, 'redacted'));
    return h('td', { class: f === feature ? 'hl' : null }, v === null || v === undefined ? h('span.muted', null, 'missing') : String(v));
  };
  return h('table.data.samples', { 'data-testid': 'samples' },
    h('thead', null, h('tr', null, h('th', null, 'time'), h('th', null, 'segment'), fields.map((f) => h('th', { class: f === feature ? 'hl' : null }, f)), h('th', null, 'prediction'), h('th', null, 'error'))),
    h('tbody', null, events.map((e) => h('tr', null, h('td', null, time(e.ts)), h('td', null, e.segment ? segmentParam(e.segment) : '—'), fields.map((f) => cell(e, f)),
      h('td', null, e.prediction === null ? h('span.muted', null, 'none') : String(e.prediction), e.score !== null ? h('span.muted', null, ` (${num(e.score, 3)})`) : null), h('td', null, e.error ?? '')))));
}

export const featureView = {
  defaultRange: '30d',
  async render(ctx: ViewContext): Promise<Node> {
    const [name = '', feature = ''] = ctx.route.args;
    const m = (await models()).find((x) => x.name === name);
    if (!m) return h('div.notice.error', null, `Unknown model "${name}".`);
    if (m.versions.length === 0) return h('div', null, heading(ctx, `Feature ${feature}`, h('span', null, 'of ', link(href('model', [m.name], rangeParams(ctx.route.params)), m.name))), noVersionsNote(m));
    const version = ctx.route.params.get('version') ?? undefined;
    const segment = ctx.route.params.get('segment') ?? undefined;
    const q = { version, segment };
    const range = { from: Math.round(ctx.range.from), to: Math.round(ctx.range.to), ...q };
    const base = `/v1/models/${encodeURIComponent(m.name)}`;
    const notes = annotationCache(ctx, m.name);
    const driftP = drift(m.name, ctx.range, q);
    const threshold = driftP.then((d) => d.features.find((f) => f.name === feature) ?? null).catch(() => null);

    const dist = ctx.panel('Reference vs current', async () => {
      const d = await api<Distribution>(`${base}/features/${encodeURIComponent(feature)}/distribution`, range);
      return d.kind === 'numerical'
        ? histogramOverlay(`${feature}: share per bin`, d.edges ?? [], d.reference.shares ?? [], d.current.shares ?? [], 'distribution')
        : categoryBars(`${feature}: share per category`, d.categories ?? [], 'distribution');
    }, { testid: 'feature-distribution' });
    const verdictPanel = ctx.panel('Drift verdict', async () => {
      const [f, qual] = await Promise.all([threshold, api<Quality>(`${base}/quality`, range)]);
      const fq = qual.features.find((x) => x.name === feature);
      if (!f) return h('p.muted', null, 'No drift result (no reference, or no values in range).');
      return kv([
        ['Drift', h('span', { 'data-testid': 'feature-verdict' }, statusBadge(f.drifted ? 'red' : 'green'), ` ${f.method} = ${num(f.score, 4)} (threshold ${f.threshold}${/ks|chi/i.test(f.method) ? ', p-value: drift when below' : ', distance: drift when above'})`)],
        ['Missing rate', `${pct(fq?.missingRate, 2)} (reference ${pct(fq?.missingRateReference, 2)})`],
        ['Out of reference range', pct(fq?.outOfRange ?? null, 2)],
        ['New categories', fq && fq.newCategories.length ? h('span', { 'data-testid': 'new-categories' }, fq.newCategories.join(', '), ` (${pct(fq.newCategoryRate, 2)} of values)`) : 'none'],
        ['Other statistics', Object.entries(f.stats).filter(([, v]) => typeof v === 'number').map(([k, v]) => `${k} ${num(v as number, 4)}`).join(' · ')],
      ]);
    }, { testid: 'feature-verdict-panel' });
    const history = ctx.panel('Drift score history', () => metricChart(ctx, m.name, q, {
      title: `${feature}: drift score per window`, metrics: [{ metric: `drift:${feature}`, label: 'score' }], format: numFormat(3),
      threshold: threshold.then((f) => (f ? { value: f.threshold, label: `threshold ${f.threshold} (${f.method}${/ks|chi/i.test(f.method) ? ', p-value: drift below' : ''})` } : undefined)),
      testid: 'drift-history', yMin: 0, drift: true,
    }, notes), { testid: 'feature-history' });
    const missing = ctx.panel('Missing rate', () => metricChart(ctx, m.name, q, { title: `${feature}: missing values`, metrics: [{ metric: `missing:${feature}`, label: 'missing' }], format: pctFormat(1), testid: 'missing-rate', yMin: 0, yTop: 0.01 }, notes));
    const raw = ctx.panel('Sampled raw inputs', async () => {
      // The newest samples of the range (the endpoint answers newest first).
      const r = await api<{ events: SampledEvent[] }>(`${base}/events`, { ...range, limit: SAMPLE_ROWS });
      return r.events.length ? samples(m, feature, r.events) : h('p.empty', null, 'No sampled events in this range (ingest.sampleRate keeps a share of raw events).');
    }, { wide: true, testid: 'feature-samples' });
    return h('div', null, heading(ctx, `Feature ${feature}`, ...scopeBadges({ version, segment }), h('span', null, 'of ', link(href('model', [m.name], { ...rangeParams(ctx.route.params), ...scopeParams(ctx) }), m.name))), grid(dist, verdictPanel, history, missing, raw));
  },
};
