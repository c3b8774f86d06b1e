/**
 * Audit 17: drift over stored windows against the offline CLI and scipy. scripts/fuzz/drift-parity.mjs uploads seeded
 * references to a real `lookout serve` (fresh DuckDB data dir), sends the current data as events, asks GET /drift with
 * the automatic method, with a threshold and drift share, and with every method, runs `lookout drift --json` on the
 * same two CSV files alike, and scipy (scripts/fuzz/drift_parity.py) on the raw values; scripts/fuzz/drift-parity-check.mjs
 * checks the answers: same methods and thresholds, exact statistics equal, the KS statistic within the documented
 * sketch bound of the exact one, Wasserstein within its documented bound, capped categories flagged. Here: the checks
 * flag a tampered answer, and a short run of the fuzzer (one seed of two cases, the automatic method and hellinger: sketches
 * compacted and not, categories over the cap; ~18 s). The larger run (every method):
 * node scripts/fuzz/drift-parity.mjs FIRST COUNT [CASES_PER_SEED]. Then the defects it found, each with its test.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { tempDir } from './helpers/cli.js';
import { driftFeature, NOW, SameData, type Columns } from './helpers/drift.js';
import { testServer } from './helpers/server.js';

interface Case { model: string; nRef: number; nCur: number; features: Array<{ name: string; kind: string; gen: string; ref: Array<number | string | null>; cur: Array<number | string | null> }> }
type Answers = Record<string, { server: Record<string, unknown>; cli: Record<string, unknown> }>;
type Check = (c: Case, ans: Answers, py: Map<string, unknown>, diffs: string[], tally: Record<string, number>) => void;
const mod = async (name: string): Promise<Record<string, unknown>> => (await import(pathToFileURL(join(process.cwd(), 'scripts', 'fuzz', name)).href)) as Record<string, unknown>;

function fuzz(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [join('scripts', 'fuzz', 'drift-parity.mjs'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

describe('audit17 drift parity: the checks of the fuzzer', () => {
  test('a KS statistic off the exact one by more than errorBound, a PSI off the CLI\'s, another threshold: each a difference', async () => {
    const { checkCase, EPS } = await mod('drift-parity-check.mjs') as { checkCase: Check; EPS: number };
    const ref = Array.from({ length: 300 }, (_, i) => i);
    const cur = Array.from({ length: 300 }, (_, i) => i + 30);
    const c: Case = { model: 'm', nRef: 300, nCur: 300, features: [{ name: 'x', kind: 'num', gen: 'normal', ref, cur }] };
    const quality = { missingReference: 0, missingCurrent: 0, outOfRange: 0.1, typeMismatch: 0, constantReference: false, constantCurrent: false };
    const feature = (ks: Record<string, unknown>, psi: number, threshold: number): Record<string, unknown> => ({
      name: 'x', kind: 'numerical', method: 'ks', threshold, autoSelected: true, score: ks['pValue'], drifted: false,
      stats: { ks, wasserstein: 30, wassersteinNormalized: 30 / 86.6, psi, jensenShannon: 0.1, hellinger: 0.1, binEdges: [1, 2], quality },
    });
    const answer = (f: Record<string, unknown>): Record<string, unknown> => ({ features: [f], datasetDrift: { share: 0, drifted: false, threshold: 0.5, driftedFeatures: 0, features: 1 } });
    const cli = answer(feature({ statistic: 0.1, pValue: 0.09, method: 'exact' }, 0.2, 0.05));
    const run = (server: Record<string, unknown>): string[] => {
      const diffs: string[] = [];
      checkCase(c, { auto: { server, cli } }, new Map(), diffs, { features: 0, exact: 0, ksSketch: 0, ksWorst: 0, ksVerdictDiffers: 0, wWorst: 0, wVerdictDiffers: 0, catCapped: 0, cappedVerdictDiffers: 0, stdFromSketch: 0 });
      return diffs;
    };
    const bound = 2 * EPS;
    assert.deepEqual(run(answer(feature({ statistic: 0.1 + bound * 0.9, pValue: 0.2, method: 'sketch', errorBound: bound }, 0.2, 0.05))), []);
    assert.match(run(answer(feature({ statistic: 0.1 + bound * 1.1, pValue: 0.2, method: 'sketch', errorBound: bound }, 0.2, 0.05))).join('\n'), /over errorBound/);
    assert.match(run(answer(feature({ statistic: 0.1, pValue: 0.2, method: 'sketch', errorBound: EPS }, 0.2, 0.05))).join('\n'), /ks.errorBound .* documented/);
    assert.match(run(answer(feature({ statistic: 0.1, pValue: 0.09, method: 'sketch', errorBound: bound }, 0.2 + 1e-9, 0.05))).join('\n'), /psi server/);
    assert.match(run(answer(feature({ statistic: 0.1, pValue: 0.09, method: 'sketch', errorBound: bound }, 0.2, 0.1))).join('\n'), /threshold server 0.1 cli 0.05/);
    // a Wasserstein verdict farther from the threshold than the bound (2 eps x 329 / std 86.6 = 0.1) must be the CLI's
    const w = (wasserstein: number, drifted: boolean): Record<string, unknown> => {
      const f = feature({ statistic: 0.1, pValue: 0.09, method: 'sketch', errorBound: bound }, 0.2, 0.1);
      const stats = { ...(f['stats'] as Record<string, unknown>), wasserstein, wassersteinNormalized: wasserstein / 86.6 };
      return answer({ ...f, method: 'wasserstein', score: wasserstein / 86.6, drifted, stats });
    };
    const wRun = (server: Record<string, unknown>, cliAnswer: Record<string, unknown>): string => {
      const diffs: string[] = [];
      checkCase(c, { wasserstein: { server, cli: cliAnswer } }, new Map(), diffs, { features: 0, exact: 0, ksSketch: 0, ksWorst: 0, ksVerdictDiffers: 0, wWorst: 0, wVerdictDiffers: 0, catCapped: 0, cappedVerdictDiffers: 0, stdFromSketch: 0 });
      return diffs.join('\n');
    };
    assert.equal(wRun(w(30, true), w(25, true)), '');
    assert.match(wRun(w(30, true), w(25, false)), /wasserstein verdict true/);
    assert.doesNotMatch(wRun(w(9, true), w(8, false)), /wasserstein verdict/); // 0.104 against 0.1: within the bound
  });
});

describe('audit17 drift parity: the server\'s drift over stored windows against lookout drift and scipy (scripts/fuzz/drift-parity.mjs)', { timeout: 120_000 }, () => {
  test('one seed of two cases (580 rows against 580: sketches compacted, categories over the cap; 4 against 1,936), the automatic method and hellinger: no difference', async () => {
    const { code, out } = await fuzz(['119', '1', '2'], { DRIFT_PARITY_MAX_ROWS: '1500', DRIFT_PARITY_METHODS: 'hellinger' });
    assert.equal(code, 0, out);
    const summary = JSON.parse(out.split('\n').find((l) => l.startsWith('{"seeds"')) ?? '{}') as Record<string, number>;
    assert.equal(summary['seeds'], 1, out);
    assert.equal(summary['differences'], 0, out);
    // each kind of comparison took place: statistics exact from the summaries, KS from compacted sketches, capped categories
    assert.ok((summary['features'] ?? 0) >= 20 && (summary['exact'] ?? 0) > 0 && (summary['ksSketch'] ?? 0) > 0 && (summary['catCapped'] ?? 0) > 0, out);
  });
});

describe('audit17 drift parity: found by the fuzzer (real server, DuckDB file, real CLI)', () => {
  let s: Server;
  const dir = tempDir('lookout-audit17-driftparity-');
  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
  });
  after(async () => {
    await s.close();
  });

  test('a CSV whose first column holds Excel\'s #N/A: every row read (not a comment line), a later "#" kept in its value', async () => {
    // DuckDB's sniffer took '#' for a comment character: each row starting with #N/A was dropped and "c#1" cut to "c"
    const n = 40;
    const ref: Columns = {
      x: Array.from({ length: n }, (_, i) => (i % 4 === 0 ? '#N/A' : i)),
      c: Array.from({ length: n }, (_, i) => ['a', 'b', 'c#1'][i % 3] as string),
    };
    const cur: Columns = { x: ref['x']!.map((v) => (v === '#N/A' ? null : v)), c: ref['c']! };
    const { server, cli } = await new SameData(s, dir).both('excel', { x: { type: ['number', 'null'] }, c: { type: 'string' } }, ref, cur);
    assert.equal((cli as unknown as { reference: { rows: number } }).reference.rows, n);
    for (const [who, d] of [['server', server], ['cli', cli]] as const) {
      const x = driftFeature(d, 'x');
      assert.equal((x.stats['quality'] as { missingReference: number }).missingReference, 10 / n, `${who} x`);
      const c = driftFeature(d, 'c');
      assert.deepEqual(c.stats['newCategories'], [], `${who} c`);
      assert.deepEqual(c.stats['chiSquare'], { statistic: 0, pValue: 1, dof: 2 }, `${who} c`);
    }
  });

  test('a numerical column all missing in the reference file (NA: DuckDB types it text): numerical with the automatic ks, as the server answers it', async () => {
    // the CLI called it categorical (chisquare) from the reference file alone, the server numerical (its schema)
    const n = 30;
    const ref: Columns = { x: Array.from({ length: n }, () => 'NA'), y: Array.from({ length: n }, (_, i) => i) };
    const cur: Columns = { x: Array.from({ length: n }, (_, i) => i / 2), y: Array.from({ length: n }, (_, i) => i) };
    const { server, cli } = await new SameData(s, dir).both('refmissing', { x: { type: ['number', 'null'] }, y: { type: 'number' } }, ref, cur);
    for (const [who, d] of [['server', server], ['cli', cli]] as const) {
      const x = driftFeature(d, 'x') as unknown as Record<string, unknown>;
      assert.deepEqual([x['kind'], x['method'], x['score'], x['drifted'], x['note']], ['numerical', 'ks', null, false, 'no non-missing values in reference'], who);
    }
  });
});
