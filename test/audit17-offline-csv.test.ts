import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { lookout, tempDir } from './helpers/cli.js';
import { fileWriter, noPandas, python } from './helpers/pandas.js';
import { blockServer, type DriftJson, referenceModel, refusedReference } from './helpers/offline.js';
import { call } from './helpers/server.js';

/**
 * Audit 17 (offline), CSV numbers and bytes: the reading of users' data files by `lookout drift|metrics` (the real binary, bin/lookout.js)
 * and by the server's reference upload, compared with pandas (/usr/bin/python3) where it is the reference.
 */
const dir = tempDir('lookout-audit17-');
const file = fileWriter(dir);

describe('audit 17 (offline): numbers written with a decimal comma (European CSV: 1,5 with ; between fields)', { skip: noPandas }, () => {
  // DuckDB, as pandas without decimal=',', reads "1,5" as text: drift compared such columns as categorical (every value
  // its own category), metrics counted them as missing ("rows used: 0"), without a word.
  const ref = join(dir, 'eu-ref.csv');
  const cur = join(dir, 'eu-cur.csv');
  let want: { ks: number[][]; mae: number; rmse: number } | null = null;
  const made = (): { ks: number[][]; mae: number; rmse: number } => (want ??= python(`
import json, sys, numpy as np, pandas as pd
from scipy.stats import ks_2samp
from sklearn.metrics import mean_absolute_error, mean_squared_error
r = np.random.default_rng(3)
pd.DataFrame({'x': r.normal(0, 1, 200).round(3), 'y': r.normal(5, 2, 200).round(2), 'c': r.choice(['a', 'b'], 200)}).to_csv(sys.argv[1], sep=';', decimal=',', index=False)
pd.DataFrame({'x': r.normal(0.3, 1, 150).round(3), 'y': r.normal(5, 2, 150).round(2), 'c': r.choice(['a', 'b'], 150)}).to_csv(sys.argv[2], sep=';', decimal=',', index=False)
a = pd.read_csv(sys.argv[1], sep=';', decimal=','); b = pd.read_csv(sys.argv[2], sep=';', decimal=',')
ks = [[float(t.statistic), float(t.pvalue)] for t in (ks_2samp(a[k], b[k]) for k in ('x', 'y'))]
print(json.dumps({'ks': ks, 'mae': mean_absolute_error(a['x'], a['y']), 'rmse': float(np.sqrt(mean_squared_error(a['x'], a['y'])))}))
`, ref, cur) as { ks: number[][]; mae: number; rmse: number });
  const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

  test('drift --decimal , reads them as numbers: the KS statistic and p-value of scipy on pandas\' decimal=\',\' reading', () => {
    const w = made();
    const r = lookout(['drift', '--reference', ref, '--current', cur, '--decimal', ',', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const f = (JSON.parse(r.stdout) as DriftJson).features;
    assert.deepEqual(f.map((x) => [x.name, x.kind]), [['x', 'numerical'], ['y', 'numerical'], ['c', 'categorical']]);
    f.slice(0, 2).forEach((x, i) => {
      const ks = x.stats['ks'] as { statistic: number; pValue: number };
      assert.ok(close(ks.statistic, w.ks[i]?.[0] as number) && close(ks.pValue, w.ks[i]?.[1] as number), `${x.name}: ${JSON.stringify(ks)} vs ${JSON.stringify(w.ks[i])}`);
    });
    // a text column holding "n/a" too (typed text by DuckDB) is read the same
    const gaps = file('eu-gaps.csv', 'x;c\n1,5;a\nn/a;b\n-2,25;a\n3;b\n');
    const g = lookout(['drift', '--reference', gaps, '--current', gaps, '--decimal', ',', '--json']);
    const gx = (JSON.parse(g.stdout) as DriftJson).features[0];
    assert.deepEqual([gx?.name, gx?.kind, gx?.stats['binEdges'] === undefined], ['x', 'numerical', false], g.stdout);
  });

  test('without --decimal: compared as text, with a note saying so and naming --decimal ,', () => {
    made();
    const r = lookout(['drift', '--reference', ref, '--current', cur, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const f = (JSON.parse(r.stdout) as DriftJson).features;
    // before: x and y categorical without a note
    assert.deepEqual(f.map((x) => [x.name, x.kind, x.note ?? '']), [
      ['x', 'categorical', 'reference and current: numbers written with a decimal comma (1,5)? compared as text; --decimal , reads them as numbers'],
      ['y', 'categorical', 'reference and current: numbers written with a decimal comma (1,5)? compared as text; --decimal , reads them as numbers'],
      ['c', 'categorical', ''],
    ]);
    // a reference written with decimal points against a current file written with commas: the current's values are no
    // numbers (type mismatches, all missing) without --decimal , ; with it, both are read (the points as numbers too)
    const points = file('points-ref.csv', 'x;c\n' + Array.from({ length: 30 }, (_, i) => `${i / 4};${['a', 'b'][i % 2]}`).join('\n') + '\n');
    const commas = file('commas-cur.csv', 'x;c\n' + Array.from({ length: 30 }, (_, i) => `${String(i / 4).replace('.', ',')};${['a', 'b'][i % 2]}`).join('\n') + '\n');
    const m = JSON.parse(lookout(['drift', '--reference', points, '--current', commas, '--json']).stdout) as DriftJson;
    assert.deepEqual([m.features[0]?.kind, m.features[0]?.note], ['numerical', 'current: numbers written with a decimal comma (1,5)? not read as numbers; --decimal , reads them as numbers']);
    const d = JSON.parse(lookout(['drift', '--reference', points, '--current', commas, '--decimal', ',', '--json']).stdout) as DriftJson;
    assert.deepEqual([d.features[0]?.kind, d.features[0]?.score, d.features[0]?.note], ['numerical', 1, undefined], JSON.stringify(d.features[0]));
  });

  test('metrics: refused without --decimal , (before: "rows used: 0"); with it, sklearn\'s MAE and RMSE', () => {
    const w = made();
    const bad = lookout(['metrics', '--data', ref, '--task', 'regression', '--label', 'x', '--prediction', 'y']);
    assert.equal(bad.code, 2, bad.stdout);
    assert.equal(bad.stderr, `lookout: error: column "x" of ${ref} holds numbers written with a decimal comma (1,5), read as text: give --decimal , to read them as numbers\n`);
    const r = lookout(['metrics', '--data', ref, '--task', 'regression', '--label', 'x', '--prediction', 'y', '--decimal', ',', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const m = JSON.parse(r.stdout) as { n: number; metrics: Record<string, { value: number }> };
    assert.equal(m.n, 200);
    assert.ok(close(m.metrics['mae']?.value as number, w.mae) && close(m.metrics['rmse']?.value as number, w.rmse), JSON.stringify(m.metrics));
    // --decimal takes . or , only
    assert.equal(lookout(['metrics', '--data', ref, '--task', 'regression', '--label', 'x', '--prediction', 'y', '--decimal', ';']).code, 2);
  });

  describe('the server\'s reference upload (?decimal=,)', () => {
    const s = blockServer();
    test('without it: 422 saying the feature holds numbers with a decimal comma and naming decimal=,; with it: accepted', async () => {
      made();
      await referenceModel(s.url, 'eu', { x: 'number', c: 'string' });
      const body = readFileSync(ref);
      // before: 422 'column "x" holds no number (200 values that are not numbers)', without why
      await refusedReference(s.url, 'eu', body, 'text/csv', /column "x" holds numbers written with a decimal comma \(1,5\): upload with \?decimal=, to read them as numbers/);
      const ok = await call(s.url, 'PUT', '/v1/models/eu/versions/1/reference?decimal=,', body, { 'content-type': 'text/csv' });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      const wrong = await call(s.url, 'PUT', '/v1/models/eu/versions/1/reference?decimal=;', body, { 'content-type': 'text/csv' });
      assert.equal(wrong.status, 400, JSON.stringify(wrong.body));
    });
  });
});

describe('audit 17 (offline): a CSV line longer than 2 MB (a long text field)', { skip: noPandas }, () => {
  test('read as pandas reads it (before: "cannot read ... as csv: Invalid Input Error: CSV Error on Line: 1")', () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${i},${i === 3 ? 'x'.repeat(3_000_000) : ['a', 'b'][i % 2]},${['yes', 'no'][i % 3 === 0 ? 0 : 1]}`);
    const p = file('long-line.csv', 'n,t,ok\n' + rows.join('\n') + '\n');
    const shape = python('import json,sys,pandas as pd; d=pd.read_csv(sys.argv[1]); print(json.dumps([len(d), int(d["t"].str.len().max())]))', p) as number[];
    const r = lookout(['drift', '--reference', p, '--current', p, '--json']);
    assert.equal(r.code, 0, r.stderr.slice(0, 300));
    const out = JSON.parse(r.stdout) as DriftJson;
    assert.equal(out.reference.rows, shape[0]);
    assert.deepEqual(out.features.map((f) => [f.name, f.kind]), [['n', 'numerical'], ['t', 'categorical'], ['ok', 'categorical']]);
    // the yes/no column (typed boolean, its categories read again as written) too
    const counts = python('import json,sys,pandas as pd; print(json.dumps(pd.read_csv(sys.argv[1], keep_default_na=False)["ok"].value_counts().to_dict()))', p) as Record<string, number>;
    const m = lookout(['metrics', '--data', p, '--task', 'binary', '--label', 'ok', '--prediction', 'ok', '--json']);
    assert.equal(m.code, 0, m.stderr.slice(0, 300));
    assert.deepEqual([(JSON.parse(m.stdout) as { n: number; classes: string[] }).classes, (JSON.parse(m.stdout) as { n: number }).n], [Object.keys(counts).sort(), 20]);
    // the same in a .jsonl file's long line was read already (DuckDB's JSON objects may be 16 MB)
  });
});

describe('audit 17 (offline): a file that is not UTF-8 (Latin-1 / Windows-1252, as Excel saves "CSV")', { skip: noPandas }, () => {
  const latin = Buffer.concat([Buffer.from('city,n\nParis,1\nBerlin,2\n'), Buffer.from('Z\u00fcrich,3\n', 'latin1'), Buffer.from('Rome,4\n')]);
  test('refused naming the line and the byte and saying to save it as UTF-8, as pandas refuses it', () => {
    const p = file('latin1.csv', latin);
    // pandas' read_csv (UTF-8 by default) refuses it too
    assert.equal(spawnSync('/usr/bin/python3', ['-c', 'import sys,pandas as pd; pd.read_csv(sys.argv[1])', p], { encoding: 'utf8' }).status, 1);
    const j = file('latin1.jsonl', Buffer.concat([Buffer.from('{"city": "Paris", "n": 1}\n'), Buffer.from('{"city": "Z\u00fcrich", "n": 3}\n', 'latin1')]));
    for (const [path, line] of [[p, 4], [j, 2]] as const) {
      const r = lookout(['drift', '--reference', path, '--current', path]);
      assert.equal(r.code, 2, r.stdout);
      // before: "cannot read ... as csv: Invalid Input Error: CSV Error on Line: 4" (JSON: "Malformed JSON ... invalid UTF-8")
      assert.equal(r.stderr, `lookout: error: cannot read ${path}: it is not UTF-8 text (line ${line} holds the byte 0xFC, not UTF-8: Latin-1 or Windows-1252, as Excel saves "CSV"?): save it as UTF-8 (Excel: "CSV UTF-8"; pandas: to_csv(path, encoding='utf-8'))\n`);
    }
  });
});

