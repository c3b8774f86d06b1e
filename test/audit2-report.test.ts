import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { tempDir, writeCsv } from './helpers/cli.js';

describe('lookout report: the HTML file', () => {
  test('a report that cannot be written whole leaves the previous report as it was, and no half file', () => {
    // RLIMIT_FSIZE of 8 KiB (`ulimit -f 8`): the write of a report of ~30 KB fails part-way (EFBIG), as on a full disk.
    // It truncated the previous report and left the first 8 KiB of the new one: an HTML file cut mid-tag.
    const dir = tempDir('lookout-report-');
    const cols = (shift: number): Record<string, number[] | string[]> => ({
      ...Object.fromEntries(Array.from({ length: 4 }, (_, j) => [`n${j}`, Array.from({ length: 500 }, (_, i) => ((i * 7919 + j * 31) % 1000) / 10 + shift)])),
      plan: Array.from({ length: 500 }, (_, i) => ['basic', 'plus', 'pro'][i % 3] as string),
    });
    writeCsv(join(dir, 'ref.csv'), cols(0));
    writeCsv(join(dir, 'cur.csv'), cols(5));
    const out = join(dir, 'report.html');
    writeFileSync(out, 'the previous report\n');
    const bin = join(process.cwd(), 'bin', 'lookout.js');
    const r = spawnSync('/bin/sh', ['-c', `ulimit -f 8 && exec "${process.execPath}" "${bin}" report --reference ref.csv --current cur.csv --out report.html`], { cwd: dir, encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /cannot write report\.html/);
    const kept = readFileSync(out, 'utf8');
    assert.equal(kept.length < 100 ? kept : `${kept.length} bytes ending ${JSON.stringify(kept.slice(-40))}`, 'the previous report\n');
    assert.deepEqual(readdirSync(dir).sort(), ['cur.csv', 'ref.csv', 'report.html'], 'no temporary file left');
    // Without the limit, the same command replaces the report with a whole one.
    const ok = spawnSync(process.execPath, [bin, 'report', '--reference', 'ref.csv', '--current', 'cur.csv', '--out', 'report.html'], { cwd: dir, encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    const html = readFileSync(out, 'utf8');
    assert.ok(html.startsWith('<!doctype html>') && html.endsWith('</html>\n'), html.slice(-100));
    assert.deepEqual(readdirSync(dir).sort(), ['cur.csv', 'ref.csv', 'report.html']);
  });
});
