import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { isMissingText } from '../src/core/summary/categorical.js';
import { lookout, tempDir } from './helpers/cli.js';
import { fileWriter, noPandas, python } from './helpers/pandas.js';
import { blockServer, referenceModel, refusedReference } from './helpers/offline.js';

/**
 * Audit 16 (offline CLI): `lookout drift`, `metrics` and `report` through the real binary (bin/lookout.js) on files
 * written here, compared with pandas (/usr/bin/python3) where it is the reference.
 */
interface DriftJson {
  features: Array<{ name: string; kind: string; score: number | null; drifted: boolean; stats: Record<string, unknown> & { quality: { missingReference: number; missingCurrent: number } } }>;
  reference: { rows: number };
  current: { rows: number };
}

const dir = tempDir('lookout-audit16-');
const file = fileWriter(dir);


describe('audit 16 (offline): the missing-value texts of pandas.read_csv (#N/A, <NA>, -1.#IND, ...)', { skip: noPandas }, () => {
  test('a CSV holding each of them: the missing counts and the numeric/categorical decision are pandas\'', () => {
    // every text pandas.read_csv reads as missing by default, in the installed pandas
    const texts = (python('import json; from pandas._libs.parsers import STR_NA_VALUES; print(json.dumps(sorted(t for t in STR_NA_VALUES if t)))') as string[]);
    assert.ok(texts.includes('#N/A') && texts.includes('<NA>'), texts.join(' '));
    const rows = ['num,cat,code'];
    texts.forEach((t, i) => rows.push(`${i + 0.5},a,${i % 3}`, `${t},${t},${t}`, `${i},b,${(i + 1) % 3}`));
    const cur = file('na-texts.csv', rows.join('\n') + '\n');
    const clean = file('na-clean.csv', ['num,cat,code', ...texts.flatMap((_, i) => [`${i + 0.5},a,${i % 3}`, `${i},b,${(i + 1) % 3}`])].join('\n') + '\n');
    const pandas = python('import json,sys,pandas as pd; d=pd.read_csv(sys.argv[1]); print(json.dumps({c:{"missing":int(d[c].isna().sum()),"numeric":bool(pd.api.types.is_numeric_dtype(d[c]))} for c in d.columns}))', cur) as Record<string, { missing: number; numeric: boolean }>;
    // the file as a reference: the kinds are decided by it
    const r = lookout(['drift', '--reference', cur, '--current', cur, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as DriftJson;
    const got = Object.fromEntries(out.features.map((f) => [f.name, { missing: Math.round(f.stats.quality.missingReference * out.reference.rows), numeric: f.kind === 'numerical' }]));
    // before: num and code categorical with 7 missing each (nan, null, NA, n/a, N/A, NaN, NULL) of pandas' 17
    assert.deepEqual(got, pandas);
    // as the current file against one without them: no text of them is a new category
    const c = lookout(['drift', '--reference', clean, '--current', cur, '--json']);
    assert.equal(c.code, 0, c.stderr);
    const cat = (JSON.parse(c.stdout) as DriftJson).features.find((f) => f.name === 'cat');
    assert.deepEqual(cat?.stats['newCategories'], [], JSON.stringify(cat));
    // the same texts in the server's event summaries (isMissingText, which ingest uses for every categorical value)
    for (const t of texts) assert.ok(isMissingText(t) && isMissingText(` ${t.toLowerCase()} `), t);
    assert.ok(isMissingText('None'), 'None stays missing (pandas >= 2 reads it so too)');
  });
});

describe('audit 16 (offline): metrics --positive-label True against labels pandas wrote True/False', { skip: noPandas }, () => {
  // pandas writes a bool column True/False; Lookout reads it as the classes false/true (as a boolean column of any
  // format), so `--positive-label True`, the user's spelling of the file's own value, was refused.
  const made = (): Record<string, number[]> => python(`
import json, sys, numpy as np, pandas as pd
from sklearn.metrics import precision_score, recall_score, f1_score
r = np.random.default_rng(1); y = r.random(200) < 0.3; p = np.where(r.random(200) < 0.8, y, ~y)
pd.DataFrame({'label': y, 'pred': p}).to_csv(sys.argv[1], index=False)
print(json.dumps({str(pos): [precision_score(y, p, pos_label=pos), recall_score(y, p, pos_label=pos), f1_score(y, p, pos_label=pos)] for pos in (True, False)}))
`, join(dir, 'bool-labels.csv')) as Record<string, number[]>;
  let sklearn: Record<string, number[]> | null = null;
  const data = join(dir, 'bool-labels.csv');
  const run = (pos: string): ReturnType<typeof lookout> => lookout(['metrics', '--data', data, '--task', 'binary', '--label', 'label', '--prediction', 'pred', '--positive-label', pos, '--json']);

  test('True, TRUE and true are the class true; False the class false: precision, recall, f1 as sklearn\'s pos_label', () => {
    sklearn = made();
    for (const [pos, sk] of [['True', 'True'], ['TRUE', 'True'], ['true', 'True'], ['False', 'False']] as const) {
      const r = run(pos);
      // before: exit 2, positiveLabel "True" is not one of the classes "false", "true"
      assert.equal(r.code, 0, `${pos}: ${r.stderr}`);
      const m = JSON.parse(r.stdout) as { positiveLabel: string; metrics: Record<string, { value: number }> };
      assert.equal(m.positiveLabel, sk.toLowerCase(), pos);
      const got = ['precision', 'recall', 'f1'].map((k) => m.metrics[k]?.value as number);
      const want = sklearn[sk] as number[];
      want.forEach((x, i) => assert.ok(Math.abs((got[i] as number) - x) < 1e-12, `${pos}: ${got.join(', ')} vs ${want.join(', ')}`));
    }
  });

  test('a label that is no class is still refused, naming the classes', () => {
    sklearn ??= made();
    const r = run('yes');
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, /"yes" is not one of the classes "false", "true"/);
  });
});

describe('audit 16 (offline): metrics text output of a binary result where one class only occurs', () => {
  test('the 2 x 2 matrix names its rows and columns, the absent class among them (before: "classes yes" above it)', () => {
    const data = file('one-class.csv', 'y,p\nyes,yes\nyes,yes\nyes,yes\n');
    const r = lookout(['metrics', '--data', data, '--task', 'binary', '--label', 'y', '--prediction', 'p']);
    assert.equal(r.code, 0, r.stderr);
    const text = r.stdout.slice(r.stdout.indexOf('confusion matrix'));
    // before: "confusion matrix (rows: true, columns: predicted; classes yes):\n  0\t0\n  0\t3"
    assert.doesNotMatch(text, /classes yes\)/);
    const lines = text.split('\n');
    assert.match(lines[1] ?? '', /^true \\ predicted\s+\(not yes\)\s+yes$/);
    assert.match(lines[3] ?? '', /^\(not yes\)\s+0\s+0$/);
    assert.match(lines[4] ?? '', /^yes\s+0\s+3$/);
    assert.match(lines[5] ?? '', /only the class yes occurs/);
    // two classes: named as they are, in the matrix's order
    const two = lookout(['metrics', '--data', file('two-class.csv', 'y,p\n0,1\n1,1\n0,0\n'), '--task', 'binary', '--label', 'y', '--prediction', 'p']);
    const t2 = two.stdout.slice(two.stdout.indexOf('confusion matrix')).split('\n');
    assert.deepEqual([1, 3, 4].map((i) => (t2[i] ?? '').split(/\s{2,}/)), [['true \\ predicted', '0', '1'], ['0', '1', '1'], ['1', '0', '1']]);
  });
});

describe('audit 16 (offline): a file of a header and no rows', () => {
  // DuckDB reads a header-only CSV as VARCHAR columns of 0 rows: drift compared every column as categorical on nothing
  // ("no non-missing values in reference", dataset drift "no", exit 0), the report drew empty charts.
  const header = file('header-only.csv', 'a,b,c\n');
  const good = file('abc.csv', 'a,b,c\n1,x,2\n3,y,4\n5,x,6\n');
  const refused = (r: ReturnType<typeof lookout>, path: string): void => {
    assert.equal(r.code, 2, r.stdout);
    assert.equal(r.stderr, `lookout: error: file has no rows: ${path} (a header only)\n`);
    assert.deepEqual(JSON.parse(r.stdout), { error: { code: 'bad_input', message: `file has no rows: ${path} (a header only)`, details: {} } });
  };

  test('drift, report and metrics refuse it, reference or current, with exit 2 naming the file', () => {
    // before: exit 0 and a drift table of three "categorical" features with no score
    refused(lookout(['drift', '--reference', header, '--current', good, '--json']), header);
    refused(lookout(['drift', '--reference', good, '--current', header, '--json']), header);
    const out = join(dir, 'header-report.html');
    refused(lookout(['report', '--reference', header, '--current', good, '--out', out, '--json']), header);
    refused(lookout(['report', '--reference', good, '--current', header, '--out', out, '--json']), header);
    assert.throws(() => readFileSync(out), 'no report written');
    refused(lookout(['metrics', '--data', header, '--task', 'regression', '--label', 'a', '--prediction', 'c', '--json']), header);
  });

  describe('the server\'s reference upload of such a file', () => {
    const s = blockServer();
    test('refused 422 saying the uploaded file has no rows, without the server\'s path; no reference kept', async () => {
      await referenceModel(s.url, 'hdr', { x: 'number', c: 'string' });
      // before: "reference /tmp/lookout-server-.../references/hdr/1-1796...csv has no rows"
      await refusedReference(s.url, 'hdr', 'x,c,prediction,label\n', 'text/csv', 'file has no rows: the uploaded reference (a header only)');
    });
  });
});

describe('audit 16 (offline): naming a column whose name holds a comma', () => {
  // --columns a,b splits at commas: a column "income, USD" (pandas writes it quoted) could not be selected.
  const path = file('comma-names.csv', ['"income, USD",plan,"code, v2",x', ...Array.from({ length: 30 }, (_, i) => `${i * 10},${['a', 'b'][i % 2]},${i % 3},${i}`)].join('\n') + '\n');
  const names = (args: string[]): string[] => {
    const r = lookout(['drift', '--reference', path, '--current', path, '--json', ...args]);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return (JSON.parse(r.stdout) as DriftJson).features.map((f) => `${f.name}:${f.kind}`);
  };

  test('--column NAME (repeatable) selects it; --categorical-column NAME makes it categorical; --columns a,b still works', () => {
    // before: exit 2, "error: unknown option '--column'"
    assert.deepEqual(names(['--column', 'income, USD']), ['income, USD:numerical']);
    assert.deepEqual(names(['--column', 'income, USD', '--column', 'code, v2', '--categorical-column', 'code, v2']), ['income, USD:numerical', 'code, v2:categorical']);
    assert.deepEqual(names(['--columns', 'plan,x', '--column', 'income, USD']), ['plan:categorical', 'x:numerical', 'income, USD:numerical']);
    assert.deepEqual(names(['--columns', 'plan,x']), ['plan:categorical', 'x:numerical']);
    // --columns with the name splits it, and says so: the columns are "income" and "USD", which the file lacks
    const r = lookout(['drift', '--reference', path, '--current', path, '--columns', 'income, USD']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown column "income"/);
    // the report takes them too
    const out = join(dir, 'comma-report.html');
    const rep = lookout(['report', '--reference', path, '--current', path, '--out', out, '--column', 'income, USD', '--json']);
    assert.equal(rep.code, 0, rep.stderr);
    assert.deepEqual((JSON.parse(rep.stdout) as DriftJson).features.map((f) => f.name), ['income, USD']);
  });
});

describe('audit 16 (offline): a column named twice', () => {
  test('--columns x,x (or with --column x) is one feature, counted once in the dataset drift share', () => {
    const ref = file('dup-ref.csv', ['x,y', ...Array.from({ length: 50 }, (_, i) => `${i},${i % 5}`)].join('\n') + '\n');
    const cur = file('dup-cur.csv', ['x,y', ...Array.from({ length: 50 }, (_, i) => `${i + 40},${i % 5}`)].join('\n') + '\n');
    const r = lookout(['drift', '--reference', ref, '--current', cur, '--columns', 'x,y,x', '--column', 'x', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as DriftJson & { datasetDrift: { features: number; driftedFeatures: number; drifted: boolean } };
    // before: x three times, 3 of 4 features drifted: dataset drift (share 0.75) from one drifted column of two
    assert.deepEqual(out.features.map((f) => f.name), ['x', 'y']);
    assert.deepEqual([out.datasetDrift.features, out.datasetDrift.driftedFeatures], [2, 1]);
  });
});

describe('audit 16 (offline): metrics --scores for a class or column whose name holds a comma', () => {
  test('--class-score CLASS=COLUMN (repeatable) names it whole; the result is the one of the same data without commas', () => {
    const rows = Array.from({ length: 60 }, (_, i) => {
      const k = i % 3;
      const p = [0.2, 0.2, 0.2];
      p[(i * 7) % 3] = 0.6;
      return [['cat', 'dog, big', 'bird'][k], ['cat', 'dog, big', 'bird'][(i * 7) % 3], ...p];
    });
    const text = (names: string[]): string => ['y,p,"p cat","p dog, big","p bird"', ...rows.map((r) => r.map((v, j) => (j < 2 && names[['cat', 'dog, big', 'bird'].indexOf(v as string)]) || v).map((v) => (String(v).includes(',') ? `"${String(v)}"` : String(v))).join(','))].join('\n') + '\n';
    const data = file('comma-classes.csv', text(['cat', 'dog, big', 'bird']));
    const plain = file('plain-classes.csv', text(['cat', 'dog', 'bird']));
    const r = lookout(['metrics', '--data', data, '--task', 'multiclass', '--label', 'y', '--prediction', 'p', '--class-score', 'cat=p cat', '--class-score', 'dog, big=p dog, big', '--class-score', 'bird=p bird', '--json']);
    // before: exit 2, "error: unknown option '--class-score'" (and --scores "dog, big=..." splits at the comma)
    assert.equal(r.code, 0, r.stderr);
    const p = lookout(['metrics', '--data', plain, '--task', 'multiclass', '--label', 'y', '--prediction', 'p', '--scores', 'cat=p cat,dog=p dog\\, big,bird=p bird', '--json']);
    const q = lookout(['metrics', '--data', plain, '--task', 'multiclass', '--label', 'y', '--prediction', 'p', '--class-score', 'cat=p cat', '--class-score', 'dog=p dog, big', '--class-score', 'bird=p bird', '--json']);
    assert.equal(q.code, 0, q.stderr);
    assert.notEqual(p.code, 0, 'a backslash does not escape the comma of --scores');
    const a = JSON.parse(r.stdout) as { metrics: Record<string, { value: number | null }> };
    const b = JSON.parse(q.stdout) as { metrics: Record<string, { value: number | null }> };
    assert.equal(typeof a.metrics['rocAuc']?.value, 'number', JSON.stringify(a.metrics['rocAuc']));
    assert.deepEqual(a.metrics, b.metrics);
  });
});
