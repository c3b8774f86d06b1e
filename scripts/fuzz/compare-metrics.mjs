/* global process, URL */
import { casesOf, dec, rel, report } from './compare-cases.mjs';

const { computeMetrics } = await import(new URL('../../dist/src/core/metrics/index.js', import.meta.url).href);
const worst = {}; const fails = []; const counts = {};
function check(c, key, got, exp, tol) {
  counts[key] = (counts[key] ?? 0) + 1;
  const r = rel(got, exp);
  if (!(r <= tol) && !(got !== null && exp !== null && Math.abs(got - exp) < 1e-14)) fails.push(`${c.id} ${c.desc} ${key}: lookout ${got} sklearn ${exp} rel ${r.toExponential(2)}`);
  else if (!worst[key] || r > worst[key][0]) worst[key] = [r, c.id];
}
for await (const c of casesOf(process.argv[2])) {
  const input = { task: c.task, labels: c.task === 'regression' ? c.labels.map(dec) : c.labels, resamples: 20 };
  if (c.predictions) input.predictions = c.task === 'regression' ? c.predictions.map(dec) : c.predictions;
  if (c.scores) input.scores = Float64Array.from(c.scores.map(dec));
  if (c.threshold !== undefined) input.threshold = c.threshold;
  if (c.positiveLabel !== undefined) input.positiveLabel = c.positiveLabel;
  if (c.scoreMatrix) input.scoreMatrix = { classes: c.scoreMatrix.classes, columns: c.scoreMatrix.columns.map((col) => Float64Array.from(col.map(dec))) };
  let r;
  try { r = computeMetrics(input); } catch (e) { fails.push(`${c.id} ${c.desc} threw ${e.message}`); continue; }
  for (const [k, v] of Object.entries(c.e)) {
    if (k.startsWith('ci.')) {
      const m = r.metrics[k.slice(3)];
      if (v === null) { if (m.ci !== null) fails.push(`${c.id} ${k} expected null ci, got ${m.ci}`); continue; }
      check(c, k + '.lo', m.ci?.[0] ?? null, v[0], 1e-12); check(c, k + '.hi', m.ci?.[1] ?? null, v[1], 1e-12);
    } else {
      const m = r.metrics[k];
      if (!m) { fails.push(`${c.id} no metric ${k}`); continue; }
      const ev = dec(v);
      const got = m.value;
      if (typeof ev === 'number' && !Number.isFinite(ev)) { counts[k] = (counts[k] ?? 0) + 1; if (got !== null) fails.push(`${c.id} ${c.desc} ${k}: lookout ${got} sklearn ${ev}`); continue; }
      check(c, `${c.task}.${k}`, got, ev, 1e-9);
    }
  }
}
report(counts, worst, fails);
