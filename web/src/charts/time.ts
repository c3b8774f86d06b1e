import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from '../dom.js';
import { tickLabels, time, type ValueFormat } from '../format.js';

export interface Series {
  label: string;
  values: Array<number | null>;
  color: string;
  dash?: number[];
  /** Draw as points only (sparse data such as realized metrics). */
  points?: boolean;
}

/** Something that happened at a time: a deployment, an alert, a silence (drawn as a line or a band). */
export interface Annotation {
  at: number;
  end?: number | null;
  label: string;
  kind: 'deploy' | 'rollback' | 'alert' | 'silence' | 'incident' | 'warning';
}

export interface TimeChartSpec {
  title: string;
  t: number[];
  series: Series[];
  /** A band between two series (e.g. a confidence interval): indexes into `series`. */
  band?: { upper: number; lower: number; color: string };
  threshold?: { value: number; label: string };
  annotations?: Annotation[];
  /** Values in the legend and on the y axis (where it is asked for more digits when ticks would read alike). */
  format?: ValueFormat;
  height?: number;
  testid?: string;
  yMin?: number;
  /** The smallest top of the y scale (so a flat 0% rate is drawn near a small scale, not on 0-100%). */
  yTop?: number;
}

const KIND_COLOR: Record<Annotation['kind'], string> = {
  deploy: 'rgba(37, 99, 235, 0.9)', rollback: 'rgba(147, 51, 234, 0.9)', alert: 'rgba(220, 38, 38, 0.85)',
  silence: 'rgba(100, 116, 139, 0.5)', incident: 'rgba(220, 38, 38, 0.16)', warning: 'rgba(217, 119, 6, 0.14)',
};

/** Draws annotations (bands and lines) under the series, and the threshold line. */
function annotationPlugin(spec: TimeChartSpec): uPlot.Plugin {
  return {
    hooks: {
      drawClear: (u: uPlot) => {
        const ctx = u.ctx;
        const { left, top, width, height } = u.bbox;
        ctx.save();
        for (const a of spec.annotations ?? []) {
          const x0 = u.valToPos(a.at / 1000, 'x', true);
          const color = KIND_COLOR[a.kind];
          if (a.end !== undefined && a.end !== null && (a.kind === 'incident' || a.kind === 'warning' || a.kind === 'silence')) {
            const x1 = u.valToPos(a.end / 1000, 'x', true);
            const l = Math.max(left, x0);
            const r = Math.min(left + width, x1);
            if (r > l) {
              ctx.fillStyle = a.kind === 'silence' ? 'rgba(100, 116, 139, 0.12)' : color;
              ctx.fillRect(l, top, r - l, height);
            }
          }
          if (a.kind !== 'incident' && a.kind !== 'warning' && x0 >= left && x0 <= left + width) {
            ctx.strokeStyle = color;
            ctx.lineWidth = 2 * devicePixelRatio;
            ctx.setLineDash(a.kind === 'silence' ? [4, 4] : []);
            ctx.beginPath();
            ctx.moveTo(x0, top);
            ctx.lineTo(x0, top + height);
            ctx.stroke();
          }
        }
        ctx.restore();
      },
      draw: (u: uPlot) => {
        if (!spec.threshold) return;
        const y = u.valToPos(spec.threshold.value, 'y', true);
        const { left, width } = u.bbox;
        const ctx = u.ctx;
        ctx.save();
        ctx.strokeStyle = '#dc2626';
        ctx.setLineDash([6, 4]);
        ctx.lineWidth = 1.5 * devicePixelRatio;
        ctx.beginPath();
        ctx.moveTo(left, y);
        ctx.lineTo(left + width, y);
        ctx.stroke();
        ctx.restore();
      },
    },
  };
}

/** From yMin to a little above the data (and the threshold line), never a flat zero-height scale. */
function yRange(spec: TimeChartSpec, lo: number, hi: number): [number, number] {
  const top = Math.max(hi, spec.threshold ? spec.threshold.value * 1.2 : 0, spec.yTop ?? 0);
  const min = Math.min(spec.yMin ?? lo, lo);
  return [min, top > min ? top * 1.05 : min + 1];
}

const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif';
let measure: CanvasRenderingContext2D | null = null;

/** The y axis's width for its labels: the widest label, the tick marks (10 px), the gap (5 px) and a margin; 64 at least. */
export function axisSize(labels: readonly string[]): number {
  measure ??= document.createElement('canvas').getContext('2d');
  if (!measure) return 64;
  measure.font = AXIS_FONT;
  return Math.max(64, Math.ceil(Math.max(0, ...labels.map((l) => measure?.measureText(l).width ?? 0)) + 24));
}

/** A uPlot time chart in a figure with a title and a legend of its annotations. */
export function timeChart(spec: TimeChartSpec): HTMLElement {
  const box = h('div.chart');
  const fig = h('figure.chart-card', { 'data-testid': spec.testid ?? null, 'data-chart': spec.title }, h('figcaption', null, spec.title), box);
  const notes = (spec.annotations ?? []).filter((a) => a.kind !== 'warning');
  if (spec.threshold) fig.appendChild(h('div.chart-note', null, h('span.threshold-swatch'), ` ${spec.threshold.label}`));
  if (notes.length) {
    fig.appendChild(h('ul.annotations', null, notes.slice(0, 6).map((a) => h('li', { class: `ann-${a.kind}`, title: a.label }, `${time(a.at)} · ${a.label}`)),
      notes.length > 6 ? h('li.muted', { title: notes.slice(6).map((a) => `${time(a.at)} · ${a.label}`).join('\n') }, `+${notes.length - 6} more`) : null));
  }
  const hasData = spec.series.some((s) => s.values.some((v) => v !== null));
  if (!hasData) {
    box.appendChild(h('p.empty', null, 'No data in this range.'));
    return fig;
  }
  const fmt: ValueFormat = spec.format ?? ((v: number) => String(v));
  const data: uPlot.AlignedData = [spec.t.map((t) => t / 1000), ...spec.series.map((s) => s.values)];
  const opts: uPlot.Options = {
    width: 400,
    height: spec.height ?? 180,
    legend: { show: true, live: true },
    cursor: { points: { show: true } },
    scales: { x: { time: true }, y: spec.yMin !== undefined ? { range: (_u, lo, hi) => yRange(spec, lo, hi) } : {} },
    axes: [
      { stroke: '#64748b', grid: { stroke: '#e2e8f0' } },
      // As wide as the widest label (audit 25: a fixed 64 px cut "$0.00050" to "0.00050").
      { stroke: '#64748b', grid: { stroke: '#e2e8f0' }, size: (_u, values) => axisSize(values ?? []), values: (_u, vals) => {
        const labels = tickLabels(vals, fmt);
        // what the canvas draws, for tests and tools that read the page
        fig.dataset['yTicks'] = labels.join('|');
        return labels;
      } },
    ],
    series: [
      { value: (_u, v) => (v === null ? '—' : time(v * 1000)) },
      ...spec.series.map((s): uPlot.Series => ({
        label: s.label, stroke: s.color, width: 2, spanGaps: false, ...(s.dash && { dash: s.dash }),
        value: (_u, v) => (v === null ? '—' : fmt(v)),
        ...(s.points && { paths: () => null, points: { show: true, size: 6, fill: s.color } }),
      })),
    ],
    ...(spec.band && { bands: [{ series: [spec.band.upper + 1, spec.band.lower + 1], fill: spec.band.color }] }),
    plugins: [annotationPlugin(spec)],
  };
  // Size to the card once it is in the document, and follow resizes.
  requestAnimationFrame(() => {
    const plot = new uPlot({ ...opts, width: Math.max(260, box.clientWidth || 400) }, data, box);
    new ResizeObserver(() => {
      const w = Math.max(260, box.clientWidth);
      if (Math.abs(w - plot.width) > 4) plot.setSize({ width: w, height: opts.height });
    }).observe(box);
  });
  return fig;
}
