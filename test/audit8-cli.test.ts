import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { CHROMIUM, launch, watchErrors } from './helpers/browser.js';
import { lookout, tempDir, writeCsv } from './helpers/cli.js';

describe('audit 8: the offline CLI on files', { timeout: 120_000 }, () => {
  test('an empty or blank input file is refused with "file is empty", not a made-up column name', () => {
    const dir = tempDir();
    const good = join(dir, 'good.csv');
    writeCsv(good, { a: [1, 2, 3], s: [0.1, 0.6, 0.9] });
    const files: Array<[string, string, string]> = [
      ['empty.csv', '', 'no header row'],
      ['blank.csv', '\r\n\n', 'no header row'],
      ['bom.csv', '\uFEFF\n', 'no header row'],
      ['empty.jsonl', '', 'no JSON lines'],
      ['blank.jsonl', '\n\n', 'no JSON lines'],
      ['empty.parquet', '', 'no Parquet data'],
    ];
    for (const [name, content, why] of files) {
      const path = join(dir, name);
      writeFileSync(path, content);
      const runs = [name.endsWith('.jsonl') ? ['drift', '--reference', good, '--current', path] : ['drift', '--reference', path, '--current', good]];
      if (name === 'empty.csv') {
        runs.push(['report', '--reference', path, '--current', good, '--out', join(dir, 'r.html')]);
        runs.push(['metrics', '--data', path, '--task', 'binary', '--label', 'a', '--score', 's']);
      }
      for (const args of runs) {
        const r = lookout([...args, '--json']);
        assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
        const err = (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error;
        assert.equal(err.code, 'bad_input');
        assert.equal(err.message, `file is empty: ${path} (${why})`);
        assert.equal(r.stderr.trim(), `lookout: error: file is empty: ${path} (${why})`);
      }
    }
    // A header-only CSV is not empty but has no rows: refused since audit 16 (drift compared nothing and said "no drift").
    const header = join(dir, 'header.csv');
    writeFileSync(header, 'a,s\n');
    const r = lookout(['drift', '--reference', good, '--current', header, '--json']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { error: { message: string } }).error.message, `file has no rows: ${header} (a header only)`);
  });

  test('the HTML report in Chromium: every chart sits below its feature title, whatever the title\'s length', { skip: existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}` }, async () => {
    const dir = tempDir();
    const n = 300;
    const ref = Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
    // "x" has no value in current: its card title is just "x ok ks = -", short enough to sit beside a 420 px chart.
    writeCsv(join(dir, 'ref.csv'), { x: ref, a_rather_long_feature_name: ref });
    writeCsv(join(dir, 'cur.csv'), { x: ref.map(() => null), a_rather_long_feature_name: ref.map((v) => v + 1) });
    const out = join(dir, 'report.html');
    const r = lookout(['report', '--reference', join(dir, 'ref.csv'), '--current', join(dir, 'cur.csv'), '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
      const errors = watchErrors(page);
      await page.goto(pathToFileURL(out).href);
      const cards = page.locator('.card');
      assert.equal(await cards.count(), 2);
      for (let i = 0; i < 2; i++) {
        const name = await cards.nth(i).locator('b').textContent();
        const title = await cards.nth(i).locator('b').boundingBox();
        const chart = await cards.nth(i).locator('svg').boundingBox();
        assert.ok(title && chart, `${String(name)}: title or chart not rendered`);
        assert.ok(chart.y >= title.y + title.height, `${String(name)}: chart top ${chart.y} above the title's bottom ${title.y + title.height}`);
      }
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });

  test('metrics --scores naming columns, not classes: the error says which classes --scores gave and how to write class=column', () => {
    const dir = tempDir();
    const data = join(dir, 'mc.csv');
    writeCsv(data, { y: [0, 1, 2, 1], s0: [0.7, 0.2, 0.1, 0.3], s1: [0.2, 0.6, 0.1, 0.5], s2: [0.1, 0.2, 0.8, 0.2] });
    const r = lookout(['metrics', '--data', data, '--task', 'multiclass', '--label', 'y', '--scores', 's0,s1,s2', '--json']);
    assert.equal(r.code, 2, r.stderr);
    const err = (JSON.parse(r.stdout) as { error: { code: string; message: string } }).error;
    assert.equal(err.code, 'bad_input');
    assert.equal(err.message, 'label "0" has no column in the score matrix: --scores gave the classes "s0", "s1", "s2"; '
      + 'every class needs a column, written class=column when the column is not named after its class (e.g. --scores 0=p0,1=p1)');
    // Written as the message says, the same file is measured.
    const ok = lookout(['metrics', '--data', data, '--task', 'multiclass', '--label', 'y', '--scores', '0=s0,1=s1,2=s2', '--json', '--resamples', '10']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((JSON.parse(ok.stdout) as { metrics: { accuracy: { value: number } } }).metrics.accuracy.value, 1);
  });
});
