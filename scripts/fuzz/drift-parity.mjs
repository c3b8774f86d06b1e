/* global process, console, URL */
// Differential fuzz of drift over stored windows against the offline CLI and scipy. For seeded datasets
// (scripts/fuzz/drift-parity-cases.mjs: numerical normal, skewed, heavy ties, constant, tiny, huge, Cauchy, rounded,
// with missing values written as '', NaN, NA, nan or #N/A; categorical with few categories, more than the summaries'
// cap of 200, many new ones in the current data; sizes from 1 row to thousands, unequal), a real `lookout serve` (fresh
// DuckDB data dir) gets the reference uploaded as CSV or JSON lines (for some cases only after the events) and the current data as events (in a range that starts mid-hour,
// so the answer merges minute, 10-minute and hour windows), and is asked GET /drift with the automatic method and with
// every method; `lookout drift --json` runs on the same two files with the same methods, and scipy on the raw values
// (scripts/fuzz/drift_parity.py). Checked, per feature and method:
// - the same features, kind, method id, threshold and autoSelected; the same score and verdict where the statistic is
//   exact from the summaries (below), and the same dataset verdict when every feature's is;
// - bin edges equal; PSI, Jensen-Shannon and Hellinger equal (1e-12 relative) on numerical features (counts on the
//   reference's decile bins) and on categorical ones while neither side's summary is over the cap (else `stats.other`
//   must say so); chi-squared equal under the cap (and the CLI's equal to scipy's chi2_contingency);
// - KS: while neither sketch has compacted (`errorBound` 0), statistic, p-value and method equal to the CLI's; else
//   errorBound = eps(200) per compacted side (eps(k) = 2.296 / k^0.9723), |statistic - exact| <= errorBound (the CLI's
//   statistic, itself equal to scipy's ks_2samp), and a KS drift verdict of the server's is one of the CLI's (sketch
//   error never raises an alarm on its own); the CLI's p-value equal to scipy's;
// - Wasserstein: exact while neither sketch has compacted; else within the bound README states,
//   |W_sketch - W| <= errorBound * (max - min) over both sides (each estimated CDF within its eps of the exact one, on
//   the span where they can differ); the normalised score divides it by the same std;
// - missing shares and constant flags equal; outOfRange within the current sketch's eps.
// Usage: npx tsc -p . && node scripts/fuzz/drift-parity.mjs FIRST_SEED COUNT [CASES_PER_SEED]
// DRIFT_PARITY_MAX_ROWS (default 4000) caps the reference size (the current data's: 2000 more); DRIFT_PARITY_METHODS=a,b
// asks only these methods (besides the automatic one, with and without a threshold; default every method);
// DRIFT_PARITY_VERBOSE=1 prints every difference.
// Prints one JSON summary line ({"seeds",...,"differences"}) and exits 1 when a difference is found.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkCase, finite } from './drift-parity-check.mjs';
import { fileOf, makeCase } from './drift-parity-cases.mjs';
import { request, serve } from './serve.mjs';

const root = new URL('../../', import.meta.url).pathname;
const first = Number(process.argv[2] ?? 1);
const count = Number(process.argv[3] ?? 3);
const perSeed = Number(process.argv[4] ?? 4);
const maxRows = Number(process.env.DRIFT_PARITY_MAX_ROWS ?? 4000);
const METHODS = process.env.DRIFT_PARITY_METHODS?.split(',').filter(Boolean) ?? ['ks', 'wasserstein', 'psi', 'jensenshannon', 'hellinger', 'chisquare'];
const HOUR = 3_600_000;

function run(args, input) {
  return new Promise((resolve) => {
    const p = spawn(args[0], args.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d.toString()));
    p.stderr.on('data', (d) => (stderr += d.toString()));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
    p.stdin.end(input ?? '');
  });
}

/** The server's and the CLI's answers for one case: { auto: {server, cli}, ks: {...}, ... }. */
async function answers(c, base, dir) {
  const ref = fileOf(c, 'ref');
  const cur = fileOf(c, 'cur');
  const refPath = join(dir, `${c.model}-ref.${ref.ext}`);
  const curPath = join(dir, `${c.model}-cur.${cur.ext}`);
  writeFileSync(refPath, ref.text);
  writeFileSync(curPath, cur.text);
  const props = Object.fromEntries(c.features.map((f) => [f.name, { type: [f.kind === 'num' ? 'number' : 'string', 'null'] }]));
  const must = (r, what) => { if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 400)}`); return r.body; };
  must(await request(base, 'POST', '/v1/models', { name: c.model, outputKind: 'regression', inputSchema: { type: 'object', properties: props } }), 'declare');
  must(await request(base, 'POST', `/v1/models/${c.model}/versions`, { version: '1' }), 'version');
  const upload = async () => must(await request(base, 'PUT', `/v1/models/${c.model}/versions/1/reference`, ref.text, ref.type), 'reference');
  if (!c.eventsFirst) await upload();
  // the range starts mid-hour (offsetMinutes into the hour two hours ago) and lasts an hour
  const from = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR + c.offsetMinutes * 60_000;
  const to = from + HOUR;
  const events = Array.from({ length: c.nCur }, (_, i) => ({
    id: `${c.model}-${i}`, model: c.model, version: '1', timestamp: from + Math.floor((i * (HOUR - 1000)) / c.nCur), prediction: 0,
    features: Object.fromEntries(c.features.map((f) => [f.name, f.cur[i]]).filter(([, v], j) => v !== null || j % 2 === 0)),
  }));
  for (let i = 0; i < events.length; i += 2000) {
    const b = must(await request(base, 'POST', '/v1/events', { events: events.slice(i, i + 2000) }), 'events');
    if (b.accepted !== Math.min(2000, events.length - i)) throw new Error(`events: ${JSON.stringify(b).slice(0, 400)}`);
  }
  if (c.eventsFirst) await upload();
  const out = {};
  // the automatic method, the automatic method with a threshold and drift share of the case's, and every method
  const asks = [['auto', '', []], ['auto+threshold', `&threshold=${c.threshold}&driftShare=${c.driftShare}`, ['--threshold', String(c.threshold), '--drift-share', String(c.driftShare)]],
    ...METHODS.map((m) => [m, `&method=${m}`, ['--method', m]])];
  await Promise.all(asks.map(async ([name, query, args]) => {
    const server = must(await request(base, 'GET', `/v1/models/${c.model}/drift?from=${from}&to=${to}${query}`), `drift ${name}`);
    const r = await run([process.execPath, join(root, 'bin', 'lookout.js'), 'drift', '--reference', refPath, '--current', curPath, '--json', ...args]);
    if (r.code !== 0) throw new Error(`lookout drift ${args.join(' ')}: exit ${r.code} ${r.stderr} ${r.stdout.slice(0, 300)}`);
    out[name] = { server, cli: JSON.parse(r.stdout) };
  }));
  return out;
}

/** scipy's figures for every feature of every case (one python process per seed). */
async function scipy(cases) {
  const lines = [];
  for (const c of cases) {
    for (const f of c.features) {
      const a = f.kind === 'num' ? finite(f.ref) : f.ref.filter((x) => x !== null);
      const b = f.kind === 'num' ? finite(f.cur) : f.cur.filter((x) => x !== null);
      if (a.length && b.length) lines.push(JSON.stringify({ id: `${c.model}/${f.name}`, kind: f.kind, a, b }));
    }
  }
  const r = await run(['/usr/bin/python3', join(root, 'scripts', 'fuzz', 'drift_parity.py')], lines.join('\n') + '\n');
  if (r.code !== 0) throw new Error(`drift_parity.py: ${r.stderr}`);
  return new Map(r.stdout.trim().split('\n').filter(Boolean).map((l) => { const x = JSON.parse(l); return [x.id, x]; }));
}

const tally = { seeds: 0, cases: 0, features: 0, exact: 0, ksSketch: 0, ksWorst: 0, ksVerdictDiffers: 0, wWorst: 0, wVerdictDiffers: 0, catCapped: 0, cappedVerdictDiffers: 0, stdFromSketch: 0 };
const all = [];
const t0 = Date.now();
const dataDir = mkdtempSync(join(tmpdir(), 'lookout-driftparity-data-'));
const dir = mkdtempSync(join(tmpdir(), 'lookout-driftparity-files-'));
const server = await serve(['--data-dir', dataDir]);
try {
  for (let seed = first; seed < first + count; seed++) {
    const cases = Array.from({ length: perSeed }, (_, i) => makeCase(seed, i, maxRows));
    const py = await scipy(cases);
    const diffs = [];
    for (const c of cases) {
      try {
        checkCase(c, await answers(c, server.url, dir), py, diffs, tally);
      } catch (e) {
        diffs.push(`${c.model}: failed: ${e.stack}`);
      }
      tally.cases++;
    }
    tally.seeds++;
    console.log(`seed ${seed}: ${cases.map((c) => `${c.model} ${c.nRef}x${c.nCur} [${c.features.map((f) => f.gen).join(' ')}]`).join('; ')}: ${diffs.length} differences`);
    for (const x of process.env.DRIFT_PARITY_VERBOSE ? diffs : diffs.slice(0, 10)) console.log(`  ${x.slice(0, 700)}`);
    all.push(...diffs);
  }
} finally {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify({ ...tally, differences: all.length, seconds: (Date.now() - t0) / 1000 }));
process.exitCode = all.length > 0 ? 1 : 0;
