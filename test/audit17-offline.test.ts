import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, test } from 'node:test';
import { lookout, tempDir } from './helpers/cli.js';
import { fileWriter, noPandas, python } from './helpers/pandas.js';
import { blockServer, driftFeatureNames, referenceModel, refusedReference } from './helpers/offline.js';

/**
 * Audit 17 (offline): the reading of users' data files by `lookout drift|metrics` (the real binary, bin/lookout.js)
 * and by the server's reference upload, compared with pandas (/usr/bin/python3) where it is the reference.
 */
const dir = tempDir('lookout-audit17-');
const file = fileWriter(dir);

describe('audit 17 (offline): CSV header names that differ only by spaces around them', { skip: noPandas }, () => {
  // DuckDB drops the spaces around header names and renames a clash a_1: of " a,a" the column "a" held " a"'s data
  const rows = Array.from({ length: 40 }, (_, i) => `${i},${100 + i}`);
  const spaced = ' a,a\n' + rows.join('\n') + '\n';
  const plain = 'a,b\n' + rows.join('\n') + '\n';
  const refused = (r: ReturnType<typeof lookout>, path: string): void => {
    assert.equal(r.code, 2, r.stdout);
    assert.equal(r.stderr, `lookout: error: cannot read ${path} as csv: the header names " a" (column 1) and "a" (column 2) differ only by spaces around them, which Lookout drops from names ("a, b" names the column b): rename one of them\n`);
  };

  test('pandas names them " a" and "a"; drift and metrics refuse the file, naming both (plain, gzip, sep=, BOM, UTF-16)', () => {
    const p = file('spaced.csv', spaced);
    assert.deepEqual(python('import json,sys,pandas as pd; print(json.dumps(list(pd.read_csv(sys.argv[1]).columns)))', p), [' a', 'a']);
    const variants = [
      p,
      file('spaced.csv.gz', gzipSync(spaced)),
      file('spaced-sep.csv', 'sep=;\n' + spaced.replaceAll(',', ';')),
      file('spaced-bom.csv', '\uFEFF' + spaced),
      file('spaced-utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(spaced, 'utf16le')])),
      file('spaced-quoted.csv', '" a","a"\n' + rows.join('\n') + '\n'),
    ];
    const other = file('plain.csv', plain);
    // before: exit 0, the column "a" of other.csv compared with the data of " a" (0..39) and "a_1" skipped
    refused(lookout(['drift', '--reference', other, '--current', p]), p);
    for (const v of variants) refused(lookout(['drift', '--reference', v, '--current', other]), v);
    refused(lookout(['metrics', '--data', p, '--task', 'regression', '--label', 'a', '--prediction', 'a_1']), p);
    const j = lookout(['drift', '--reference', p, '--current', other, '--json']);
    assert.deepEqual(JSON.parse(j.stdout).error.code, 'ambiguous_columns');
  });

  test('names spaced after the delimiter ("a, b") stay a and b; names written the same ("a,a") stay a and a_1', () => {
    const ab = file('spaced-ab.csv', 'a, b\n' + rows.join('\n') + '\n');
    assert.deepEqual(driftFeatureNames(ab, file('plain2.csv', plain)), ['a', 'b']);
    const aa = file('same.csv', 'a,a\n' + rows.join('\n') + '\n');
    assert.deepEqual(driftFeatureNames(aa, aa), ['a', 'a_1']);
  });

  describe('the server\'s reference upload', () => {
    const s = blockServer();
    test('refused 422 naming both names; no reference kept', async () => {
      await referenceModel(s.url, 'spaced', { a: 'number' });
      const body = ' a,a,prediction,label\n' + rows.map((r, i) => `${r},${['no', 'yes'][i % 2]},${['no', 'yes'][(i >> 1) % 2]}`).join('\n') + '\n';
      // before: 200, the feature a's reference profile made of " a"'s values
      await refusedReference(s.url, 'spaced', body, 'text/csv', /^cannot read the uploaded reference as csv: the header names " a" \(column 1\) and "a" \(column 2\) differ only by spaces/);
    });
  });
});

describe('audit 17 (offline): names that differ only in letter case ("a" and "A")', { skip: noPandas }, () => {
  // DuckDB's names are case-insensitive: of a header a,A it named the second column "A_1", so another file's (or the
  // model's) column "A" was missing from it; pandas keeps both names
  const rows = Array.from({ length: 30 }, (_, i) => [i, 100 + i]);
  test('CSV and JSON lines: refused naming both (pandas names them a and A)', () => {
    const csv = file('case.csv', 'a,A\n' + rows.map((r) => r.join(',')).join('\n') + '\n');
    const json = file('case.jsonl', rows.map(([x, y]) => JSON.stringify({ a: x, A: y })).join('\n') + '\n');
    assert.deepEqual(python('import json,sys,pandas as pd; print(json.dumps(list(pd.read_csv(sys.argv[1]).columns)))', csv), ['a', 'A']);
    assert.deepEqual(python('import json,sys,pandas as pd; print(json.dumps(list(pd.read_json(sys.argv[1], lines=True).columns)))', json), ['a', 'A']);
    const other = file('case-other.csv', 'A\n' + rows.map((r) => r[1]).join('\n') + '\n');
    const c = lookout(['drift', '--reference', other, '--current', csv]);
    // before: exit 2 "no columns to compare" (A against A_1), or with a reference a,A the column A skipped
    assert.equal(c.code, 2, c.stdout);
    assert.equal(c.stderr, `lookout: error: cannot read ${csv} as csv: the header names "a" (column 1) and "A" (column 2) differ only in letter case, which Lookout does not tell apart in names: rename one of them\n`);
    const j = lookout(['drift', '--reference', json, '--current', json]);
    assert.equal(j.code, 2, j.stdout);
    assert.equal(j.stderr, `lookout: error: cannot read ${json} as JSON: the fields "a" and "A" differ only in letter case, which Lookout does not tell apart in names: rename one of them\n`);
    // a field really named a_1 beside a is no clash
    const real = file('real-suffix.jsonl', rows.map(([x, y]) => JSON.stringify({ a: x, a_1: y })).join('\n') + '\n');
    assert.deepEqual(driftFeatureNames(real, real), ['a', 'a_1']);
  });

  describe('the server\'s reference upload', () => {
    const s = blockServer();
    test('of a model whose features are a and A: 422 naming both (before: A\'s reference missing, silently)', async () => {
      await referenceModel(s.url, 'cased', { a: 'number', A: 'number' });
      const body = 'a,A,prediction,label\n' + rows.map(([x, y], i) => `${x},${y},${['no', 'yes'][i % 2]},${['no', 'yes'][(i >> 1) % 2]}`).join('\n') + '\n';
      await refusedReference(s.url, 'cased', body, 'text/csv', /the header names "a" \(column 1\) and "A" \(column 2\) differ only in letter case/);
    });
  });
});
