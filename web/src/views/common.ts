import { h, link } from '../dom.js';
import { href, rangeParams } from '../route.js';
import type { ViewContext } from '../panel.js';
import type { Drift, Metrics, ModelInfo } from '../types.js';

/** Page heading with the range shown. */
export function heading(ctx: ViewContext, title: string, ...extra: Array<Node | string>): HTMLElement {
  return h('div.page-head', null, h('h1', null, title), h('span.range-label', { 'data-testid': 'range-label' }, ctx.range.label), ...extra);
}

export function grid(...panels: HTMLElement[]): HTMLElement {
  return h('div.grid', null, panels);
}

/** The link to a model's page for the range, and for `version` when the link is about one (an overview row, an alert). */
export function modelLink(ctx: ViewContext, model: string, text = model, version?: string | null): HTMLAnchorElement {
  return link(href('model', [model], { ...rangeParams(ctx.route.params), version: version ?? undefined }), text);
}

/** The version and segment the current view looks at (`?version=`, `?segment=`), to keep in a drill-down link. */
export function scopeParams(ctx: ViewContext): Record<string, string | undefined> {
  return { version: ctx.route.params.get('version') ?? undefined, segment: ctx.route.params.get('segment') ?? undefined };
}

/** Badges of the version and segment a view looks at (none for those not chosen). */
export function scopeBadges(q: { version?: string | undefined; segment?: string | undefined }): Array<HTMLElement | string> {
  return [q.version ? h('span.badge', null, `v${q.version}`) : '', q.segment ? h('span.badge', null, `segment ${q.segment}`) : ''];
}

/** A feature's page for the range, and for the version and segment the current view looks at. */
export function featureLink(ctx: ViewContext, model: string, feature: string): HTMLAnchorElement {
  return link(href('feature', [model, feature], { ...rangeParams(ctx.route.params), ...scopeParams(ctx) }), feature);
}

/** The headline quality metric of a model kind: accuracy for classifiers, MAE for regressors. */
export function headlineMetric(m: Pick<ModelInfo, 'outputKind'>): { key: string; label: string; higherIsBetter: boolean } {
  return m.outputKind === 'regression' ? { key: 'mae', label: 'MAE', higherIsBetter: false } : { key: 'accuracy', label: 'accuracy', higherIsBetter: true };
}

export function metricValue(m: Metrics | null | undefined, key: string): number | null {
  return m?.metrics[key]?.value ?? null;
}

/** A sortable, filterable table: click a header to sort; rows carry data-* for tests. */
export function table<T>(columns: Array<{ label: string; value: (row: T) => string | number | null; render?: (row: T) => Node | string }>, rows: T[], opts: { testid?: string; rowAttrs?: (row: T) => Record<string, string> } = {}): HTMLElement {
  let sortBy = -1;
  let asc = true;
  const tbody = h('tbody');
  const draw = (): void => {
    const sorted = [...rows];
    const col = columns[sortBy];
    if (col) {
      sorted.sort((a, b) => {
        const x = col.value(a);
        const y = col.value(b);
        if (x === y) return 0;
        if (x === null) return 1;
        if (y === null) return -1;
        return (x < y ? -1 : 1) * (asc ? 1 : -1);
      });
    }
    tbody.replaceChildren(...sorted.map((r) => h('tr', opts.rowAttrs?.(r) ?? null, columns.map((c) => h('td', null, c.render ? c.render(r) : String(c.value(r) ?? '—'))))));
  };
  const head = h('tr', null, columns.map((c, i) => h('th', {
    tabindex: 0, role: 'button', title: 'sort',
    onclick: (e: Event) => {
      asc = sortBy === i ? !asc : true;
      sortBy = i;
      for (const th of (e.currentTarget as HTMLElement).parentElement?.children ?? []) th.removeAttribute('aria-sort');
      (e.currentTarget as HTMLElement).setAttribute('aria-sort', asc ? 'ascending' : 'descending');
      draw();
    },
    // role="button": Enter and Space sort too (keyboard users reach the headers with Tab)
    onkeydown: (e: Event) => {
      const k = (e as KeyboardEvent).key;
      if (k !== 'Enter' && k !== ' ') return;
      e.preventDefault();
      (e.currentTarget as HTMLElement).click();
    },
  }, c.label)));
  draw();
  return h('table.data', { 'data-testid': opts.testid ?? null }, h('thead', null, head), tbody);
}

export function kv(pairs: Array<[string, Node | string]>): HTMLElement {
  return h('dl.kv', null, pairs.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

/** The features drift does not measure, with why: "amount (missing in reference)". */
export function notMeasured(skipped: NonNullable<Drift['skipped']>): string {
  return skipped.map((x) => `${x.name} (${x.reason})`).join(', ');
}

/**
 * The features a drift answer skipped (the reference has no column of them), said under the drift figures: "1/2
 * features" alone hid that a feature was not watched at all (until audit 23). null when none was skipped.
 */
export function skippedNote(d: Pick<Drift, 'skipped'>): HTMLElement | null {
  const skipped = d.skipped ?? [];
  if (skipped.length === 0) return null;
  return h('p.notice', { 'data-testid': 'drift-skipped', role: 'status' },
    `Not measured: ${notMeasured(skipped)}. Upload a reference with ${skipped.length === 1 ? 'its column' : 'their columns'} to watch ${skipped.length === 1 ? 'it' : 'them'}.`);
}

/**
 * What a model declared without versions shows (audit 27): events are accepted for a declared version only. Until one
 * is declared, every query of it answers 404 "has no versions yet": the model view showed that error in each of its ten
 * panels, the overview left the model out ("No models yet") and the per-model charts of the executive and on-call views
 * failed on it.
 */
export const NO_VERSIONS = 'no versions yet: declare one (POST /v1/models/NAME/versions, or `versions:` in lookout.yaml) to send it events';

export function noVersionsNote(m: Pick<ModelInfo, 'name'>): HTMLElement {
  return h('p.notice', { 'data-testid': 'no-versions', role: 'status' }, `Model ${m.name} has ${NO_VERSIONS.replace('NAME', m.name)}.`);
}
