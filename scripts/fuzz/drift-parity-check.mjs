// The checks of scripts/fuzz/drift-parity.mjs (listed there): one case's answers, the server's and the CLI's for the
// automatic method and for each method, against each other, the documented bounds and scipy's figures.
/** The summaries' KLL k and category cap; eps(k), the sketch's normalised rank error at 99% confidence (README). */
export const K = 200;
export const EPS = 2.296 / Math.pow(K, 0.9723);

export const relEq = (a, b, tol = 1e-12) => a === b || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= tol * Math.max(Math.abs(a), Math.abs(b)));
export const finite = (xs) => xs.filter((x) => x !== null && Number.isFinite(x));

/**
 * Appends to `diffs` every difference of case `c` (scripts/fuzz/drift-parity-cases.mjs) between `ans` ({ [method|auto]:
 * {server, cli} }) and the documented bounds, and against `py` (scipy's figures by "model/feature"); counts in `tally`.
 */
export function checkCase(c, ans, py, diffs, tally) {
  const d = (msg) => diffs.push(`${c.model} (ref ${c.nRef}, cur ${c.nCur}): ${msg}`);
  for (const [m, { server, cli }] of Object.entries(ans)) {
    const names = (x) => x.features.map((f) => f.name).join(',');
    if (names(server) !== names(cli)) { d(`${m}: features ${names(server)} vs ${names(cli)}`); continue; }
    let allExact = true;
    for (const f of c.features) {
      const s = server.features.find((x) => x.name === f.name);
      const l = cli.features.find((x) => x.name === f.name);
      const at = `${m} ${f.name} (${f.gen})`;
      tally.features++;
      for (const k of ['kind', 'method', 'threshold', 'autoSelected']) if (s[k] !== l[k]) d(`${at}: ${k} server ${s[k]} cli ${l[k]}`);
      const sq = s.stats.quality, lq = l.stats.quality;
      for (const k of ['missingReference', 'missingCurrent']) if (!relEq(sq[k], lq[k])) d(`${at}: quality.${k} ${sq[k]} vs ${lq[k]}`);
      for (const k of ['constantReference', 'constantCurrent']) if (sq[k] !== lq[k]) d(`${at}: quality.${k} ${sq[k]} vs ${lq[k]}`);
      if (l.score === null || s.score === null) {
        if (s.score !== l.score || s.drifted !== l.drifted || s.note !== l.note) d(`${at}: score ${s.score} (${s.note}) vs ${l.score} (${l.note})`);
        continue;
      }
      const p = py.get(`${c.model}/${f.name}`);
      let exact = true;
      if (f.kind === 'num') {
        const sk = s.stats.ks, lk = l.stats.ks;
        if (JSON.stringify(s.stats.binEdges) !== JSON.stringify(l.stats.binEdges)) d(`${at}: binEdges ${JSON.stringify(s.stats.binEdges)} vs ${JSON.stringify(l.stats.binEdges)}`);
        // bin shares from the sketches (flagged) when the events came before the reference and it has bins, else exact
        const fromSketch = c.eventsFirst === true && s.stats.binEdges.length > 0;
        if (s.stats.binShares !== (fromSketch ? 'sketch' : undefined)) d(`${at}: binShares ${s.stats.binShares} (events before the reference: ${c.eventsFirst === true})`);
        if (fromSketch) exact = false;
        else for (const k of ['psi', 'jensenShannon', 'hellinger']) if (!relEq(s.stats[k], l.stats[k])) d(`${at}: ${k} server ${s.stats[k]} cli ${l.stats[k]}`);
        const nRef = finite(f.ref).length, nCur = finite(f.cur).length;
        const expBound = (nRef > K ? EPS : 0) + (nCur > K ? EPS : 0);
        if (!relEq(sk.errorBound, expBound, 1e-12)) d(`${at}: ks.errorBound ${sk.errorBound}, documented ${expBound} (non-missing ${nRef} / ${nCur})`);
        if (p && !relEq(lk.statistic, p.ksStat, 1e-12)) d(`${at}: cli ks statistic ${lk.statistic} scipy ${p.ksStat}`);
        if (p && p.ksP !== null && !relEq(lk.pValue, p.ksP, 1e-7) && Math.abs(lk.pValue - p.ksP) > 1e-300) d(`${at}: cli ks p ${lk.pValue} scipy ${p.ksP}`);
        const lo = Math.min(...finite(f.ref), ...finite(f.cur));
        const hi = Math.max(...finite(f.ref), ...finite(f.cur));
        if (sk.errorBound === 0) {
          if (!relEq(sk.statistic, lk.statistic) || !relEq(sk.pValue, lk.pValue) || sk.method !== lk.method) d(`${at}: exact sketches, ks ${JSON.stringify(sk)} vs ${JSON.stringify(lk)}`);
          if (!relEq(s.stats.wasserstein, l.stats.wasserstein, 1e-9)) d(`${at}: exact sketches, wasserstein ${s.stats.wasserstein} vs ${l.stats.wasserstein}`);
          if (!relEq(s.stats.wassersteinNormalized, l.stats.wassersteinNormalized, 1e-9)) d(`${at}: exact sketches, wassersteinNormalized ${s.stats.wassersteinNormalized} vs ${l.stats.wassersteinNormalized}`);
          if (!relEq(sq.outOfRange, lq.outOfRange, 1e-12)) d(`${at}: exact sketches, outOfRange ${sq.outOfRange} vs ${lq.outOfRange}`);
        } else {
          exact = false;
          tally.ksSketch++;
          const err = Math.abs(sk.statistic - lk.statistic);
          tally.ksWorst = Math.max(tally.ksWorst, err / sk.errorBound);
          if (err > sk.errorBound) d(`${at}: ks statistic ${sk.statistic} off the exact ${lk.statistic} by ${err}, over errorBound ${sk.errorBound}`);
          if (sk.method !== 'sketch') d(`${at}: ks.method ${sk.method} with errorBound ${sk.errorBound}`);
          // a KS alarm of the server's is one of the CLI's
          if (s.method === 'ks' && s.drifted && !l.drifted) d(`${at}: ks drifted on the server (p ${sk.pValue}) but not in the CLI (p ${lk.pValue})`);
          if (s.method === 'ks' && s.drifted !== l.drifted) tally.ksVerdictDiffers++;
          const wErr = Math.abs(s.stats.wasserstein - l.stats.wasserstein);
          const wBound = sk.errorBound * (hi - lo);
          if (wBound > 0) tally.wWorst = Math.max(tally.wWorst, wErr / wBound);
          if (Number.isFinite(wBound) && wErr > wBound * (1 + 1e-9)) d(`${at}: wasserstein ${s.stats.wasserstein} off the exact ${l.stats.wasserstein} by ${wErr}, over the bound ${wBound}`);
          if (s.method === 'wasserstein' && s.drifted !== l.drifted) {
            tally.wVerdictDiffers++;
            // the verdict is determined when the score is farther from the threshold than the bound (over the std)
            const std = s.stats.wasserstein / s.stats.wassersteinNormalized;
            if (Number.isFinite(wBound / std) && Math.abs(s.score - s.threshold) > wBound / std) d(`${at}: wasserstein verdict ${s.drifted} (score ${s.score}, threshold ${s.threshold}, bound ${wBound / std}) but the CLI's ${l.drifted} (${l.score})`);
          }
          const ooe = (nCur > K ? EPS : 0) + 1e-12;
          if (Math.abs(sq.outOfRange - lq.outOfRange) > ooe) d(`${at}: outOfRange ${sq.outOfRange} vs ${lq.outOfRange} (bound ${ooe})`);
        }
        const stdS = s.stats.wasserstein / s.stats.wassersteinNormalized, stdL = l.stats.wasserstein / l.stats.wassersteinNormalized;
        // documented: a reference spread beyond 1e+-150 has its std from its sketch once that has compacted
        const stdFromSketch = nRef > K && Math.max(...finite(f.ref).map(Math.abs)) > 0 && (Math.max(...finite(f.ref).map(Math.abs)) > 1e150 || Math.max(...finite(f.ref).map(Math.abs)) < 1e-150);
        if (stdFromSketch) tally.stdFromSketch++;
        else if (Number.isFinite(stdS) && Number.isFinite(stdL) && !relEq(stdS, stdL, 1e-9)) d(`${at}: reference std ${stdS} vs ${stdL}`);
        if (p && p.sd !== null && p.w !== null && p.sd > 0 && !relEq(l.stats.wassersteinNormalized, p.w / p.sd, 1e-9) && !/200$/.test(f.gen)) d(`${at}: cli wassersteinNormalized ${l.stats.wassersteinNormalized} scipy ${p.w / p.sd}`);
      } else {
        const capped = s.stats.other !== undefined;
        const refCats = new Set(f.ref.filter((x) => x !== null)).size, curCats = new Set(f.cur.filter((x) => x !== null)).size;
        if (capped !== (refCats > K || curCats > K)) d(`${at}: stats.other ${JSON.stringify(s.stats.other)} with ${refCats} / ${curCats} categories (cap ${K})`);
        if (p && (!relEq(l.stats.chiSquare.statistic, p.chi, 1e-9) || !relEq(l.stats.chiSquare.pValue, p.chiP, 1e-7) && Math.abs(l.stats.chiSquare.pValue - p.chiP) > 1e-300 || l.stats.chiSquare.dof !== p.dof)) d(`${at}: cli chi2 ${JSON.stringify(l.stats.chiSquare)} scipy ${JSON.stringify(p)}`);
        if (!capped) {
          for (const k of ['psi', 'jensenShannon', 'hellinger']) if (!relEq(s.stats[k], l.stats[k])) d(`${at}: ${k} server ${s.stats[k]} cli ${l.stats[k]}`);
          const cs = s.stats.chiSquare, cl = l.stats.chiSquare;
          if (!relEq(cs.statistic, cl.statistic) || !relEq(cs.pValue, cl.pValue) || cs.dof !== cl.dof) d(`${at}: chiSquare ${JSON.stringify(cs)} vs ${JSON.stringify(cl)}`);
          if (JSON.stringify([...s.stats.newCategories].sort()) !== JSON.stringify([...l.stats.newCategories].sort())) d(`${at}: newCategories ${s.stats.newCategories.length} vs ${l.stats.newCategories.length}`);
        } else {
          exact = false;
          tally.catCapped++;
          if (s.stats.newCategories.some((x) => !l.stats.newCategories.includes(x))) d(`${at}: newCategories not new in the CLI`);
          if (s.drifted !== l.drifted) tally.cappedVerdictDiffers++;
        }
      }
      if (exact) {
        tally.exact++;
        if (!relEq(s.score, l.score, 1e-9) || s.drifted !== l.drifted) d(`${at}: exact from summaries, score ${s.score} drifted ${s.drifted} vs ${l.score} ${l.drifted}`);
      } else allExact = false;
    }
    const sd = server.datasetDrift, ld = cli.datasetDrift;
    if (sd.threshold !== ld.threshold || sd.features !== ld.features) d(`${m}: datasetDrift ${JSON.stringify(sd)} vs ${JSON.stringify(ld)}`);
    // the dataset verdict follows from the features' (the same verdict for each: the same dataset verdict)
    const sameVerdicts = server.features.every((f) => f.drifted === cli.features.find((x) => x.name === f.name)?.drifted);
    if ((allExact || sameVerdicts) && (sd.drifted !== ld.drifted || sd.driftedFeatures !== ld.driftedFeatures || !relEq(sd.share, ld.share))) d(`${m}: datasetDrift (every feature ${allExact ? 'exact' : 'of the same verdict'}) ${JSON.stringify(sd)} vs ${JSON.stringify(ld)}`);
  }
}

