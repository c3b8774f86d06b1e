import assert from 'node:assert/strict';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, test } from 'node:test';
import { lookout, tempDir } from './helpers/cli.js';
import { fileWriter, noPandas, python } from './helpers/pandas.js';
import { blockServer, type DriftJson, referenceModel } from './helpers/offline.js';
import { call } from './helpers/server.js';

/**
 * Audit 17 (offline), JSON files: the reading of users' data files by `lookout drift|metrics` (the real binary, bin/lookout.js)
 * and by the server's reference upload, compared with pandas (/usr/bin/python3) where it is the reference.
 */
const dir = tempDir('lookout-audit17-');
const file = fileWriter(dir);

describe('audit 17 (offline): pandas\' DataFrame.to_json() layouts other than rows', { skip: noPandas }, () => {
  // DataFrame.to_json(path) writes {"x":{"0":1.5,...},"c":{...}}: DuckDB reads one row of STRUCT columns, and drift
  // said "no columns to compare: the files share no column of a supported type"
  test('orient columns (the default), index, split, table: refused naming the layout and how to write rows', () => {
    const rows = file('rows.jsonl', Array.from({ length: 30 }, (_, i) => JSON.stringify({ x: i + 0.5, c: ['a', 'b'][i % 2] })).join('\n') + '\n');
    for (const orient of ['columns', 'index', 'split', 'table']) {
      const p = join(dir, `pandas-${orient}.json`);
      python(`import sys, pandas as pd; pd.DataFrame({'x': [i + 0.5 for i in range(30)], 'c': ['a', 'b'] * 15}).to_json(sys.argv[1]${orient === 'columns' ? '' : `, orient='${orient}'`}); print(1)`, p);
      // as the reference (the default layout as the current file too)
      for (const [ref, cur] of orient === 'columns' ? [[p, rows], [rows, p]] as const : [[p, rows]] as const) {
        const r = lookout(['drift', '--reference', ref, '--current', cur]);
        assert.equal(r.code, 2, `${orient}: ${r.stdout}`);
        // before: "lookout: error: no columns to compare: the files share no column of a supported type"
        assert.match(r.stderr, new RegExp(`^lookout: error: cannot read ${p} as JSON: one JSON object whose fields all hold objects or arrays \\(.+\\), as pandas' DataFrame\\.to_json\\(\\) writes a table \\(orient='columns', its default, 'index', 'split' or 'table'\\); Lookout reads a row per line: write it with df\\.to_json\\(path, orient='records', lines=True\\)\\n$`), orient);
      }
      if (orient !== 'columns') continue;
      const m = lookout(['metrics', '--data', p, '--task', 'regression', '--label', 'x', '--prediction', 'x']);
      assert.equal(m.code, 2);
      assert.match(m.stderr, /orient='records', lines=True/);
    }
    // what the hint says to write is read: no drift against the rows written by hand (p-values 1)
    const good = join(dir, 'pandas-records.jsonl');
    python(`import sys, pandas as pd; pd.DataFrame({'x': [i + 0.5 for i in range(30)], 'c': ['a', 'b'] * 15}).to_json(sys.argv[1], orient='records', lines=True); print(1)`, good);
    const r = lookout(['drift', '--reference', good, '--current', rows, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as DriftJson).features.map((f) => [f.name, f.kind, f.score]), [['x', 'numerical', 1], ['c', 'categorical', 1]]);
  });
});

describe('audit 17 (offline): JSON lines holding a lone UTF-16 surrogate escape ("\\ud800")', () => {
  // JSON.parse (events) and CSV take it; DuckDB's JSON reader refused the file: "Malformed JSON ... no low surrogate"
  const texts = ['\\ud800', '\\udc00x', '\\ud800\\u0041', '\\\\ud800', '\\ud83d\\ude00', 'plain'];
  /** What each becomes: a lone surrogate U+FFFD (as the server stores an event's), the rest as JSON.parse reads it. */
  const read = texts.map((t) => (JSON.parse(`"${t}"`) as string).replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
  const lines = Array.from({ length: 60 }, (_, i) => `{"x": ${i}, "c": "${texts[i % texts.length]}"}`).join('\n') + '\n';
  const csv = 'x,c\n' + Array.from({ length: 60 }, (_, i) => `${i},"${read[i % texts.length]?.replaceAll('"', '""')}"`).join('\n') + '\n';

  test('drift reads it, the lone surrogate U+FFFD: the same categories as the CSV of the texts JSON.parse reads (plain and .gz)', () => {
    assert.deepEqual(read, ['\uFFFD', '\uFFFDx', '\uFFFDA', '\\ud800', '\u{1F600}', 'plain']);
    const cur = file('surrogates.csv', csv);
    for (const ref of [file('surrogates.jsonl', lines), file('surrogates.jsonl.gz', gzipSync(lines))]) {
      const r = lookout(['drift', '--reference', ref, '--current', cur, '--json']);
      // before: exit 2, "cannot read ... as jsonl: Invalid Input Error: Malformed JSON ...: no low surrogate in string."
      assert.equal(r.code, 0, r.stderr);
      const c = (JSON.parse(r.stdout) as DriftJson).features.find((f) => f.name === 'c');
      assert.deepEqual([c?.stats['jensenShannon'], c?.stats['newCategories']], [0, []], JSON.stringify(c));
    }
  });

  describe('the server\'s reference upload', () => {
    const s = blockServer();
    test('accepted, as its events are', async () => {
      await referenceModel(s.url, 'surr', { x: 'number', c: 'string' });
      const body = Array.from({ length: 60 }, (_, i) => `{"x": ${i}, "c": "${texts[i % texts.length]}", "prediction": "${['no', 'yes'][i % 2]}", "label": "${['no', 'yes'][(i >> 1) % 2]}"}`).join('\n') + '\n';
      const r = await call(s.url, 'PUT', '/v1/models/surr/versions/1/reference', body, { 'content-type': 'application/x-ndjson' });
      // before: 422 "cannot read the uploaded reference as jsonl: Invalid Input Error: Malformed JSON in file ..."
      assert.equal(r.status, 200, JSON.stringify(r.body));
    });
  });
});

