import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, statSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { lookout, tempDir } from './helpers/cli.js';

const dir = tempDir();

describe('lookout report', () => {
  const ref = join(dir, 'ref.csv');
  const cur = join(dir, 'cur.csv');
  // The same columns, 20,000 rows a file: for the tests of options and exit codes, which are not about the inputs' size.
  // CI time (2026-12-07): each report of the 1M-row files reads them whole (~8 CPU-s). n0 moves by 3 (its spread, uniform
  // over 10, has a standard deviation of 2.9) and "many" has 20 categories more, a third of the current rows: at 20,000
  // rows both are drifted as at 1M (scores ~1.04, normalised Wasserstein, and ~0.43, Jensen-Shannon, against thresholds
  // 0.1; the noise of either at 20,000 rows is some hundredths).
  const smallRef = join(dir, 'small-ref.csv');
  const smallCur = join(dir, 'small-cur.csv');
  before(async () => {
    // 1M rows per file, 6 numerical and 2 categorical columns, written by DuckDB.
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    await conn.run('SELECT setseed(0.1)');
    const cols = (shift: number): string => [
      ...Array.from({ length: 6 }, (_, i) => `round(random() * ${10 + i} + ${i === 0 ? shift : 0}, 3) AS n${i}`),
      `(['a','b','c','<script>'])[1 + floor(random() * 4)::INT] AS cat`,
      `'k' || floor(random() * ${shift > 0 ? 60 : 40})::INT AS many`,
    ].join(', ');
    await conn.run(`COPY (SELECT ${cols(0)} FROM range(1000000)) TO '${ref}' (HEADER)`);
    await conn.run(`COPY (SELECT ${cols(3)} FROM range(1000000)) TO '${cur}' (HEADER)`);
    await conn.run(`COPY (SELECT ${cols(0)} FROM range(20000)) TO '${smallRef}' (HEADER)`);
    await conn.run(`COPY (SELECT ${cols(3)} FROM range(20000)) TO '${smallCur}' (HEADER)`);
    conn.closeSync();
    db.closeSync();
  });

  test('writes a self-contained HTML report under 2 MB for 1M-row inputs', () => {
    const out = join(dir, 'report.html');
    const r = lookout(['report', '--reference', ref, '--current', cur, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote .*report\.html/);
    const size = statSync(out).size;
    assert.ok(size < 2 * 1024 * 1024, `report is ${size} bytes`);
    const html = readFileSync(out, 'utf8');
    assert.match(html, /^<!doctype html>/);
    // No network: no external scripts, styles, images or fonts.
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<link /i);
    assert.doesNotMatch(html, /(src|href)=["']?(https?:)?\/\//i);
    assert.doesNotMatch(html, /@import|url\(/i);
    // Category values are escaped, not injected.
    assert.match(html, /&lt;script&gt;/);
    // One chart per feature and a row per feature in the drift table.
    for (const name of ['n0', 'n1', 'n2', 'n3', 'n4', 'n5', 'cat', 'many']) assert.match(html, new RegExp(`<td>${name}</td>`));
    assert.equal((html.match(/<svg /g) ?? []).length, 8);
    assert.match(html, /Dataset drift: <b>(detected|not detected)<\/b>/);
  });

  test('--json prints the drift result and --fail-on-drift sets the exit code', () => {
    const out = join(dir, 'report2.html');
    const r = lookout(['report', '--reference', smallRef, '--current', smallCur, '--out', out, '--json', '--columns', 'n0,many', '--fail-on-drift']);
    assert.equal(r.code, 1, r.stderr);
    const j = JSON.parse(r.stdout) as { features: Array<{ name: string; drifted: boolean }>; datasetDrift: { drifted: boolean } };
    assert.deepEqual(j.features.map((f) => [f.name, f.drifted]), [['n0', true], ['many', true]]);
  });

  test('an unwritable --out is bad input (exit 2)', () => {
    const r = lookout(['report', '--reference', ref, '--current', cur, '--columns', 'n1', '--out', join(dir, 'no-such-dir', 'r.html')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot write/);
  });
});
