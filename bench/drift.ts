/**
 * bench:drift — times `lookout drift --json` end to end on generated 1M-row reference and current CSV
 * files (10 numerical + 2 categorical columns) and, in the same run, pandas + scipy computing the same
 * KS, Wasserstein and chi-squared statistics. Prints both times, their ratio and peak memory, and checks
 * that both computed the same numbers.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { generateDriftData } from './gen-drift-data.js';

interface Timed { seconds: number; maxRssMb: number; stdout: string }

function timed(cmd: string, args: string[]): Timed {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} failed (${r.status}): ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  const maxRssMb = Number(lines[lines.length - 1]) / 1024;
  return { seconds, maxRssMb, stdout: r.stdout };
}

const rows = Number(process.env['BENCH_ROWS'] ?? 1_000_000);
const runs = Number(process.env['BENCH_RUNS'] ?? 3);
const { reference, current } = await generateDriftData(join('bench', 'out'), rows);
console.log(`data: ${rows} rows x 12 columns (10 numerical, 2 categorical) in ${reference} and ${current}`);

const best = (f: () => Timed): Timed => {
  let b: Timed | undefined;
  for (let i = 0; i < runs; i++) {
    const t = f();
    if (!b || t.seconds < b.seconds) b = t;
  }
  return b as Timed;
};
const lookout = best(() => timed(process.execPath, ['bin/lookout.js', 'drift', '--reference', reference, '--current', current, '--json']));
const python = best(() => timed('/usr/bin/python3', ['bench/drift_reference.py', reference, current]));

// Same numbers?
const ours = JSON.parse(lookout.stdout) as { features: Array<{ name: string; stats: { ks?: { statistic: number; pValue: number }; wasserstein?: number; chiSquare?: { statistic: number; pValue: number } } }> };
const theirs = JSON.parse(python.stdout) as { features: Record<string, { ks?: [number, number]; wasserstein?: number; chiSquare?: [number, number] }> };
let maxRel = 0;
const rel = (a: number, b: number): number => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(b), 1e-300));
for (const f of ours.features) {
  const t = theirs.features[f.name];
  if (!t) throw new Error(`reference has no feature ${f.name}`);
  if (t.ks && f.stats.ks) maxRel = Math.max(maxRel, rel(f.stats.ks.statistic, t.ks[0]), rel(f.stats.ks.pValue, t.ks[1]));
  if (t.wasserstein !== undefined && f.stats.wasserstein !== undefined) maxRel = Math.max(maxRel, rel(f.stats.wasserstein, t.wasserstein));
  if (t.chiSquare && f.stats.chiSquare) maxRel = Math.max(maxRel, rel(f.stats.chiSquare.statistic, t.chiSquare[0]), rel(f.stats.chiSquare.pValue, t.chiSquare[1]));
}

console.log(`lookout drift (end to end, best of ${runs}): ${lookout.seconds.toFixed(2)} s, peak RSS ${lookout.maxRssMb.toFixed(0)} MB`);
console.log(`pandas + scipy (same statistics, best of ${runs}): ${python.seconds.toFixed(2)} s, peak RSS ${python.maxRssMb.toFixed(0)} MB`);
console.log(`ratio (pandas+scipy / lookout): ${(python.seconds / lookout.seconds).toFixed(2)}x faster (target >= 2x)`);
console.log(`max relative difference between the two on KS, Wasserstein, chi-squared: ${maxRel.toExponential(2)}`);
console.log(`targets: speed ${python.seconds / lookout.seconds >= 2 ? 'MET' : 'NOT MET'}, memory < 2 GB ${lookout.maxRssMb < 2048 ? 'MET' : 'NOT MET'}`);
