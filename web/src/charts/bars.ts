import uPlot from 'uplot';
import { h } from '../dom.js';
import { num, pct, pctFormat, tickLabels } from '../format.js';
import { axisSize } from './time.js';

/** Reference vs current histogram on shared bins (numerical features), as two stepped area series. */
export function histogramOverlay(title: string, edges: number[], reference: number[], current: number[], testid?: string): HTMLElement {
  const box = h('div.chart');
  const fig = h('figure.chart-card', { 'data-testid': testid ?? null, 'data-chart': title }, h('figcaption', null, title), box);
  if (edges.length < 2) {
    box.appendChild(h('p.empty', null, 'No values in this range.'));
    return fig;
  }
  const xs = edges.slice(0, -1);
  const opts: uPlot.Options = {
    width: 400, height: 220,
    scales: { x: { time: false }, y: { range: (_u, _lo, hi) => [0, hi * 1.1 || 1] } },
    // Audit 25: the y labels as the time charts' (pct(x, 0) read ticks 2.5% apart "10%, 8%, 5%, 3%"), recorded on the figure.
    axes: [{ stroke: '#64748b', values: (_u, v) => v.map((x) => num(x, 2)) }, { stroke: '#64748b', size: (_u, v) => axisSize(v ?? []), values: (_u, v) => {
      const labels = tickLabels(v, pctFormat(0));
      fig.dataset['yTicks'] = labels.join('|');
      return labels;
    } }],
    series: [
      { value: (_u, v) => (v === null ? '—' : `from ${num(v, 3)}`) },
      { label: 'reference', stroke: '#2563eb', fill: 'rgba(37, 99, 235, 0.18)', paths: uPlot.paths.stepped?.({ align: 1 }), value: (_u, v) => pct(v) },
      { label: 'current', stroke: '#ea580c', fill: 'rgba(234, 88, 12, 0.18)', paths: uPlot.paths.stepped?.({ align: 1 }), value: (_u, v) => pct(v) },
    ],
  };
  requestAnimationFrame(() => {
    new uPlot({ ...opts, width: Math.max(260, box.clientWidth || 400) }, [xs, reference, current], box);
  });
  return fig;
}

/** Reference vs current share per category, as paired horizontal bars (new categories flagged). */
export function categoryBars(title: string, rows: Array<{ name: string; reference: number; current: number; isNew: boolean; other?: boolean }>, testid?: string): HTMLElement {
  const max = Math.max(0.0001, ...rows.flatMap((r) => [r.reference, r.current]));
  const bar = (v: number, cls: string): HTMLElement => h('div', { class: `bar ${cls}`, style: `width:${((v / max) * 100).toFixed(1)}%` }, h('span', null, pct(v)));
  return h('figure.chart-card', { 'data-testid': testid ?? null, 'data-chart': title }, h('figcaption', null, title),
    h('div.legend-row', null, h('span.swatch.ref'), ' reference ', h('span.swatch.cur'), ' current'),
    h('div.catbars', null, rows.slice(0, 20).map((r) => h('div.catrow', null,
      h('div.catname', null, r.other ? '(other: categories beyond the cap)' : r.name, r.isNew ? h('span.badge.status-red', null, 'new') : null),
      h('div.catvals', null, bar(r.reference, 'ref'), bar(r.current, 'cur'))))));
}
