import type { Distribution, FeatureDrift } from '../core/drift/index.js';
import type { DriftRunResult } from '../analysis/drift.js';
import { esc } from './escape.js';
import { distributionSvg } from './svg.js';

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}table{border-collapse:collapse;width:100%}
th,td{padding:4px 8px;border-bottom:1px solid #ddd;text-align:left;font-variant-numeric:tabular-nums}
.drift{color:#b00020;font-weight:600}.ok{color:#2e7d32}.muted{color:#777}
.banner{padding:10px 14px;border-radius:6px;margin:12px 0}.banner.drift{background:#fdecea}.banner.ok{background:#e8f5e9}
.features{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:16px}
.card{border:1px solid #ddd;border-radius:6px;padding:10px}.legend span{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}
.chart{display:block;margin-top:6px;max-width:100%;height:auto}`;

/** The self-contained HTML drift report: a drift table and one overlaid distribution chart per feature. */
export function renderReport(r: DriftRunResult, distributions: ReadonlyMap<string, Distribution>, generatedAt: Date): string {
  const d = r.datasetDrift;
  const rows = r.features.map(featureRow).join('');
  const cards = r.features.map((f) => card(f, distributions.get(f.name))).join('');
  const skipped = r.skipped.length === 0 ? '' : `<p class="muted">Skipped: ${r.skipped.map((s) => `${esc(s.name)} (${esc(s.reason)})`).join(', ')}</p>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Lookout drift report</title><style>${CSS}</style></head><body>
<h1>Lookout drift report</h1>
<p class="muted">Reference: ${esc(r.reference.path)} (${r.reference.rows} rows) · Current: ${esc(r.current.path)} (${r.current.rows} rows) · Generated ${esc(generatedAt.toISOString())}</p>
<div class="banner ${d.drifted ? 'drift' : 'ok'}">Dataset drift: <b>${d.drifted ? 'detected' : 'not detected'}</b> — ${d.driftedFeatures} of ${d.features} features drifted (share ${d.share.toFixed(3)}, threshold ${d.threshold}).</div>
<h2>Drift by feature</h2>
<table><thead><tr><th>Feature</th><th>Kind</th><th>Method</th><th>Threshold</th><th>Score</th><th>Drift</th><th>Missing (ref / cur)</th><th>Out of range</th><th>Notes</th></tr></thead><tbody>${rows}</tbody></table>
${skipped}
<h2>Distributions</h2>
<p class="legend"><span style="background:#4c78a8"></span>reference<span style="background:#f58518"></span>current</p>
<div class="features">${cards}</div>
</body></html>
`;
}

function featureRow(f: FeatureDrift): string {
  const q = f.stats.quality;
  const notes = [f.note, f.stats.newCategories?.length ? `new categories: ${f.stats.newCategories.slice(0, 10).join(', ')}${f.stats.newCategories.length > 10 ? '…' : ''}` : '', q.typeMismatch ? `${q.typeMismatch} type mismatches` : '', q.constantReference ? 'constant in reference' : '']
    .filter(Boolean).map((s) => esc(String(s))).join('; ');
  return `<tr><td>${esc(f.name)}</td><td>${f.kind}</td><td>${esc(f.method)}${f.autoSelected ? '' : ' (requested)'}</td><td>${f.threshold}</td>`
    + `<td>${score(f.score)}</td><td class="${f.drifted ? 'drift' : 'ok'}">${f.drifted ? 'drift' : 'ok'}</td>`
    + `<td>${pct(q.missingReference)} / ${pct(q.missingCurrent)}</td><td>${pct(q.outOfRange)}</td><td>${notes}</td></tr>`;
}

function card(f: FeatureDrift, dist: Distribution | undefined): string {
  return `<div class="card"><b>${esc(f.name)}</b> <span class="${f.drifted ? 'drift' : 'ok'}">${f.drifted ? 'drift' : 'ok'}</span>`
    + ` <span class="muted">${esc(f.method)} = ${score(f.score)}</span>${dist ? distributionSvg(dist) : ''}</div>`;
}

function score(x: number | null): string {
  if (x === null) return '-';
  return x !== 0 && Math.abs(x) < 1e-4 ? x.toExponential(2) : x.toFixed(4);
}

function pct(x: number): string {
  return `${(x * 100).toFixed(x > 0 && x < 0.01 ? 2 : 1)}%`;
}
