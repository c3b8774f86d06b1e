/* global process, URL */
import { casesOf, dec, rel, report } from './compare-cases.mjs';

const D = new URL('../../dist/src/core/drift/index.js', import.meta.url).href;
const { featureDrift, numericalSample, categoricalSample } = await import(D);
const worst = {}; const fails = []; const counts = {};
function check(c, key, got, exp, tol, abs = 0) {
  counts[key] = (counts[key] ?? 0) + 1;
  const r = rel(got, exp);
  const ok = r <= tol || (got !== null && exp !== null && Math.abs(got - exp) <= abs);
  if (!ok) fails.push(`${c.id} ${c.desc} ${key}: lookout ${got} scipy ${exp} rel ${r.toExponential(2)}`);
  else if (!worst[key] || r > worst[key][0]) worst[key] = [r, c.id];
}
for await (const c of casesOf(process.argv[2])) {
  let r;
  try {
    r = c.kind === 'num' ? featureDrift('x', numericalSample(c.a.map(dec)), numericalSample(c.b.map(dec)))
      : featureDrift('x', categoricalSample(c.a), categoricalSample(c.b));
  } catch (e) { fails.push(`${c.id} ${c.desc} threw ${e.message}`); continue; }
  const e = c.e ? Object.fromEntries(Object.entries(c.e).map(([k, v]) => [k, dec(v)])) : null; const s = r.stats;
  if (e === null) { if (r.score !== null) fails.push(`${c.id} expected null score, got ${r.score}`); continue; }
  if (c.kind === 'num') {
    check(c, 'ks.stat', s.ks.statistic, e.ksStat, 1e-12);
    check(c, 'ks.p', s.ks.pValue, e.ksP, 1e-7, 1e-300);
    check(c, 'wasserstein', s.wasserstein, e.w, 1e-9);
    check(c, 'wassersteinNorm', s.wassersteinNormalized, e.wn, 1e-9);
    const eq = JSON.stringify(s.binEdges) === JSON.stringify(e.edges);
    counts.edges = (counts.edges ?? 0) + 1;
    if (!eq) fails.push(`${c.id} ${c.desc} edges: ${JSON.stringify(s.binEdges).slice(0, 200)} vs ${JSON.stringify(e.edges).slice(0, 200)}`);
  } else {
    check(c, 'chi.stat', s.chiSquare.statistic, e.chi, 1e-9);
    check(c, 'chi.p', s.chiSquare.pValue, e.chiP, 1e-7, 1e-300);
    if (s.chiSquare.dof !== e.dof) fails.push(`${c.id} dof ${s.chiSquare.dof} vs ${e.dof}`);
    if (s.newCategories.length !== e.newCats) fails.push(`${c.id} newCats ${s.newCategories.length} vs ${e.newCats}`);
  }
  check(c, `${c.kind}.psi`, s.psi, e.psi, 1e-9);
  check(c, `${c.kind}.js`, s.jensenShannon, e.js, 1e-9, 1e-12);
  check(c, `${c.kind}.hel`, s.hellinger, e.hel, 1e-9, 1e-12);
}
report(counts, worst, fails);
