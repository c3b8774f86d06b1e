import type { CategoryBars, Distribution, OverlayHistogram } from '../core/drift/index.js';
import { esc } from './escape.js';

const W = 420;
const H = 160;
const PAD = { l: 36, r: 8, t: 8, b: 28 };
const REF = '#4c78a8';
const CUR = '#f58518';

/** Inline SVG chart of reference vs current shares (no scripts, no external resources). */
export function distributionSvg(d: Distribution): string {
  return d.kind === 'numerical' ? histogramSvg(d) : barsSvg(d);
}

function frame(inner: string, maxShare: number, xLabels: string): string {
  const yTop = `${(maxShare * 100).toFixed(maxShare < 0.1 ? 1 : 0)}%`;
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" xmlns="http://www.w3.org/2000/svg">`
    + `<line x1="${PAD.l}" y1="${H - PAD.b}" x2="${W - PAD.r}" y2="${H - PAD.b}" stroke="#999"/>`
    + `<text x="${PAD.l - 4}" y="${PAD.t + 8}" text-anchor="end" font-size="9">${yTop}</text>`
    + `<text x="${PAD.l - 4}" y="${H - PAD.b}" text-anchor="end" font-size="9">0</text>`
    + inner + xLabels + '</svg>';
}

function histogramSvg(h: OverlayHistogram): string {
  const n = h.reference.length;
  if (n === 0) return '<p class="muted">no values</p>';
  const max = Math.max(...h.reference, ...h.current, 1e-12);
  const pw = W - PAD.l - PAD.r;
  const ph = H - PAD.t - PAD.b;
  const bw = pw / n;
  const y = (v: number): number => PAD.t + ph * (1 - v / max);
  const bars = (vals: number[], color: string): string => vals
    .map((v, i) => `<rect x="${(PAD.l + i * bw).toFixed(1)}" y="${y(v).toFixed(1)}" width="${Math.max(bw - 0.5, 0.5).toFixed(1)}" height="${(H - PAD.b - y(v)).toFixed(1)}" fill="${color}" fill-opacity="0.55"/>`)
    .join('');
  const lo = h.edges[0] ?? 0;
  const hi = h.edges[h.edges.length - 1] ?? 0;
  const labels = `<text x="${PAD.l}" y="${H - PAD.b + 12}" font-size="9">${esc(num(lo))}</text>`
    + `<text x="${W - PAD.r}" y="${H - PAD.b + 12}" text-anchor="end" font-size="9">${esc(num(hi))}</text>`;
  return frame(bars(h.reference, REF) + bars(h.current, CUR), max, labels);
}

function barsSvg(b: CategoryBars): string {
  const n = b.categories.length;
  if (n === 0) return '<p class="muted">no values</p>';
  const max = Math.max(...b.reference, ...b.current, 1e-12);
  const pw = W - PAD.l - PAD.r;
  const ph = H - PAD.t - PAD.b;
  const gw = pw / n;
  const bw = Math.max((gw - 2) / 2, 0.5);
  const y = (v: number): number => PAD.t + ph * (1 - v / max);
  let inner = '';
  b.categories.forEach((cat, i) => {
    const x = PAD.l + i * gw;
    const r = b.reference[i] ?? 0;
    const c = b.current[i] ?? 0;
    inner += `<rect x="${x.toFixed(1)}" y="${y(r).toFixed(1)}" width="${bw.toFixed(1)}" height="${(H - PAD.b - y(r)).toFixed(1)}" fill="${REF}"><title>${esc(cat)}: reference ${(r * 100).toFixed(1)}%</title></rect>`;
    inner += `<rect x="${(x + bw).toFixed(1)}" y="${y(c).toFixed(1)}" width="${bw.toFixed(1)}" height="${(H - PAD.b - y(c)).toFixed(1)}" fill="${CUR}"><title>${esc(cat)}: current ${(c * 100).toFixed(1)}%</title></rect>`;
    if (n <= 12) inner += `<text x="${(x + gw / 2).toFixed(1)}" y="${H - PAD.b + 12}" text-anchor="middle" font-size="9">${esc(cat.length > 10 ? cat.slice(0, 9) + '…' : cat)}</text>`;
  });
  return frame(inner, max, '');
}

function num(x: number): string {
  return Math.abs(x) >= 1e5 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : String(Number(x.toPrecision(4)));
}
