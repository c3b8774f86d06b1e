import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { lookout, tempDir } from './helpers/cli.js';

/**
 * Audit 15 (offline CLI): `lookout drift`, `metrics` and `report` on files as pandas, R and Python's csv module write
 * them, through the real binary (bin/lookout.js) and DuckDB's reader.
 */
interface DriftJson {
  features: Array<{ name: string; kind: string; score: number | null; drifted: boolean; stats: Record<string, unknown> }>;
}
interface MetricsJson { n: number; missing: number; metrics: Record<string, { value: number | null }>; classes?: string[] }

const dir = tempDir('lookout-audit15-');
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('audit 15 (offline): a CSV boolean column with missing values written NA', () => {
  // pandas' to_csv(na_rep='NA') and R's write.csv write a boolean column with gaps as True/False/NA (TRUE/FALSE/NA):
  // DuckDB types it VARCHAR (NA is no boolean), so its categories were "True"/"False" while the same column without
  // gaps (typed BOOLEAN) reads "true"/"false": every category new, total drift (Jensen-Shannon 1) on the same data.
  const flags = (n: number, na: boolean): string[] => Array.from({ length: n }, (_, i) => (na && i % 10 === 0 ? 'NA' : i % 3 === 0 ? 'True' : 'False'));
  const rows = (col: string[], other: (i: number) => string): string => ['flag,x', ...col.map((f, i) => `${f},${other(i)}`)].join('\n') + '\n';

  test('drift: the column with NA has the categories of the one without (no new category, no drift)', () => {
    const ref = file('bool-ref.csv', rows(flags(2000, false), (i) => String((i * 7) % 101)));
    const cur = file('bool-cur.csv', rows(flags(2000, true), (i) => String((i * 7) % 101)));
    const r = lookout(['drift', '--reference', ref, '--current', cur, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const f = (JSON.parse(r.stdout) as DriftJson).features.find((x) => x.name === 'flag');
    assert.ok(f);
    // before: newCategories ["False", "True"], score 0.9986, drifted
    assert.deepEqual([f.stats['newCategories'], f.drifted], [[], false], JSON.stringify(f));
    assert.ok((f.score as number) < 0.01, JSON.stringify(f));
  });

  test('a file of 600 such columns: read a column at a time (one CREATE TABLE of them all ran DuckDB out of memory)', () => {
    const cols = 600;
    const header = Array.from({ length: cols }, (_, c) => `b${c}`).join(',');
    const body = Array.from({ length: 20 }, (_, r) => Array.from({ length: cols }, (_, c) => ['yes', 'no', 'NA'][(r + c) % 3]).join(',')).join('\n');
    const wide = file('bool-wide.csv', `${header}\n${body}\n`);
    const r = lookout(['drift', '--reference', wide, '--current', wide, '--json']);
    // before: exit 3, "Out of Memory Error: failed to allocate data of size 32.0 KiB (18.8 GiB/18.8 GiB used)"
    assert.equal(r.code, 0, r.stderr.slice(0, 500) || r.stdout.slice(0, 500));
    const features = (JSON.parse(r.stdout) as DriftJson).features;
    assert.equal(features.length, cols);
    assert.ok(features.every((f) => f.kind === 'categorical' && f.drifted === false), JSON.stringify(features[0]));
  });

  test('metrics: labels True/False/NA against predictions True/False are two classes (NA is an unlabelled row)', () => {
    // R's TRUE/FALSE/NA: 12 rows, 3 without a label; of the 9 others 5 predicted right
    const labels = ['TRUE', 'FALSE', 'NA', 'TRUE', 'TRUE', 'NA', 'FALSE', 'FALSE', 'TRUE', 'NA', 'FALSE', 'TRUE'];
    const preds = ['TRUE', 'FALSE', 'TRUE', 'FALSE', 'TRUE', 'FALSE', 'TRUE', 'FALSE', 'TRUE', 'TRUE', 'TRUE', 'FALSE'];
    const data = file('bool-metrics.csv', ['label,pred', ...labels.map((l, i) => `${l},${preds[i]}`)].join('\r\n') + '\r\n');
    const r = lookout(['metrics', '--data', data, '--task', 'binary', '--label', 'label', '--prediction', 'pred', '--json']);
    // before: exit 2, "binary task but 4 classes found: "FALSE", "TRUE", "false", "true""
    assert.equal(r.code, 0, r.stderr);
    const m = JSON.parse(r.stdout) as MetricsJson;
    assert.deepEqual([m.n, m.missing, m.metrics['accuracy']?.value], [9, 3, 5 / 9]);
  });
});

describe('audit 15 (offline): a CSV file one of whose rows has another number of fields than the header', () => {
  // DuckDB's sniffer, finding no delimiter that gives every row the same number of fields, read such a file as one
  // column named "a,b" (a row with an extra field at line 502 of 1001), or took the lines before a longer last row for
  // a preamble and read 0 rows: drift compared the text "0,0", "1,2", ... as categories and said "ok", or said "no
  // columns to compare" of a current file with the reference's columns. pandas refuses such a file, naming the line.
  const good = ['a,b', ...Array.from({ length: 1000 }, (_, i) => `${i},${(i * 7) % 13}`)];
  const ref = file('ragged-ref.csv', good.join('\n') + '\n');

  test('a row with an extra field: exit 2 naming the line and the counts, nothing on stdout but the --json error', () => {
    const lines = [...good];
    lines[501] = '501,3,oops';
    const cur = file('ragged-cur.csv', lines.join('\n') + '\n');
    const r = lookout(['drift', '--reference', ref, '--current', cur, '--json']);
    // before: exit 2, "no columns to compare: the files share no column of a supported type"
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, /ragged-cur\.csv.*line 502 has 3 fields, the header \(line 1\) 2/);
    assert.equal((JSON.parse(r.stdout) as { error: { code: string } }).error.code, 'bad_input');
  });

  test('both files with a short row: not read as one text column (before: exit 0, a categorical "a,b" with no drift)', () => {
    const lines = [...good];
    lines[700] = '699';
    const bad = file('ragged-short.csv', lines.join('\r\n') + '\r\n');
    const r = lookout(['drift', '--reference', bad, '--current', bad]);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, /line 701 has 1 field, the header \(line 1\) 2/);
  });

  test('a longer last row (a totals line): not read as 0 rows under a header "total"', () => {
    const bad = file('ragged-total.csv', [...good.slice(0, 6), 'total,25,all'].join('\n') + '\n');
    const r = lookout(['metrics', '--data', bad, '--task', 'regression', '--label', 'a', '--prediction', 'b']);
    // before: unknown column "a" in ...; columns: total, 25, all
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stderr, /line 7 has 3 fields, the header \(line 1\) 2/);
  });

  test('quoted fields holding the delimiter and newlines are one field: such a file reads as before', () => {
    const ok = file('quoted.csv', 'a,"b, with comma"\r\n1,"x, y"\r\n2,"multi\r\nline, text"\r\n3,"say ""hi"", bye"\r\n');
    const r = lookout(['drift', '--reference', ok, '--current', ok, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as DriftJson).features.map((f) => f.name), ['a', 'b, with comma']);
    // a preamble or a comment line before the header, which DuckDB skips: read as before, not refused
    for (const [name, text] of [['preamble.csv', 'Exported by tool, v2\n\na,b,c\n1,2,3\n4,5,6\n7,8,9\n'], ['comment.csv', '# exported, v2\na,b,c\n1,2,3\n4,5,6\n']] as const) {
      const p = file(name, text);
      const d = lookout(['drift', '--reference', p, '--current', p, '--json']);
      assert.equal(d.code, 0, d.stderr);
      assert.deepEqual((JSON.parse(d.stdout) as DriftJson).features.map((f) => f.name), ['a', 'b', 'c'], name);
    }
  });
});

describe('audit 15 (offline): a file whose column name holds a NUL byte (binary data under a .csv name)', () => {
  test('exit 2 with a message, not an internal error with a stack trace', () => {
    const bin = file('binary.csv', '\u0000\u0001\u0002PK binary\n1\n');
    const r = lookout(['drift', '--reference', bin, '--current', bin, '--json']);
    // before: exit 3, {"error":{"code":"internal","message":"Parser Error: unterminated quoted identifier ..."}}
    assert.equal(r.code, 2, r.stderr);
    assert.doesNotMatch(r.stderr, /internal|Parser Error|\n\s+at /);
    assert.match(r.stderr, /binary\.csv as csv: column 1's name holds a NUL byte/);
  });
});

describe('audit 15 (offline): a CSV file in UTF-16 (pandas to_csv(encoding="utf-16"), Excel\'s "Unicode Text")', () => {
  const utf16 = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    return p;
  };
  test('drift and metrics read it as its UTF-8 twin (before: exit 2, "CSV Error on Line: 1")', () => {
    const rows = ['plan,x,label,pred', ...Array.from({ length: 60 }, (_, i) => `${['basic', 'plus', 'pro'][i % 3]},${(i * 7) % 11},${i % 4 === 0 ? 'yes' : 'no'},${i % 5 === 0 ? 'yes' : 'no'}`)];
    const u16 = utf16('u16.csv', rows.join('\r\n') + '\r\n');
    const u8 = file('u8.csv', rows.join('\r\n') + '\r\n');
    const a = lookout(['drift', '--reference', u16, '--current', u8, '--json']);
    assert.equal(a.code, 0, a.stderr);
    const features = (JSON.parse(a.stdout) as DriftJson).features;
    assert.deepEqual(features.map((f) => [f.name, f.kind, f.score]), [['plan', 'categorical', 1], ['x', 'numerical', 1], ['label', 'categorical', 1], ['pred', 'categorical', 1]]);
    const m16 = lookout(['metrics', '--data', u16, '--task', 'binary', '--label', 'label', '--prediction', 'pred', '--json']);
    const m8 = lookout(['metrics', '--data', u8, '--task', 'binary', '--label', 'label', '--prediction', 'pred', '--json']);
    assert.equal(m16.code, 0, m16.stderr);
    assert.deepEqual(JSON.parse(m16.stdout), JSON.parse(m8.stdout));
  });
});

describe('audit 15 (offline): lookout report --out naming a directory', () => {
  test('refused before the files are read, saying it is a directory (before: EISDIR of a temporary file in its parent)', () => {
    const ref = file('out-ref.csv', 'x\n1\n2\n3\n');
    const r = lookout(['report', '--reference', ref, '--current', ref, '--out', dir, '--json']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, `lookout: error: cannot write ${dir}: it is a directory (--out names the report's file)\n`);
    assert.equal((JSON.parse(r.stdout) as { error: { code: string } }).error.code, 'bad_input');
  });
});

describe('audit 15 (offline): a CSV file whose first line is Excel\'s "sep=;"', () => {
  test('the line names the delimiter and the header is the next line (before: columns "sep=" and "column1")', () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i % 7};${['eu', 'us'][i % 2]}`);
    const excel = file('excel.csv', ['sep=;', 'x;region', ...rows].join('\r\n') + '\r\n');
    const plain = file('plain.csv', ['x;region', ...rows].join('\n') + '\n');
    const r = lookout(['drift', '--reference', excel, '--current', plain, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as DriftJson).features.map((f) => [f.name, f.kind, f.score]), [['x', 'numerical', 1], ['region', 'categorical', 1]]);
    // with a row of another number of fields, the message names the header's line (2)
    const bad = file('excel-bad.csv', ['sep=;', 'x;region', ...rows.slice(0, 5), '9;eu;extra', ...rows.slice(5)].join('\r\n') + '\r\n');
    const b = lookout(['drift', '--reference', bad, '--current', plain]);
    assert.equal(b.code, 2, b.stdout);
    assert.match(b.stderr, /line 8 has 3 fields, the header \(line 2\) 2/);
  });
});

describe('audit 15 (offline): a yes/no column gaining a new answer', () => {
  test('the reference\'s yes/no (typed BOOLEAN) and the current\'s yes/no/maybe (text) share their categories', () => {
    // before: the reference's categories were "true"/"false", the current's "yes"/"no"/"maybe": every category new and
    // Jensen-Shannon 0.998 for 1% of "maybe" (the server's reference reads such a column as written: yes/no)
    const answers = (n: number, maybe: boolean): string[] => Array.from({ length: n }, (_, i) => (maybe && i % 100 === 0 ? 'maybe' : i % 3 === 0 ? 'yes' : 'no'));
    const ref = file('yn-ref.csv', ['ans', ...answers(2000, false)].join('\n') + '\n');
    const cur = file('yn-cur.csv', ['ans', ...answers(2000, true)].join('\n') + '\n');
    const r = lookout(['drift', '--reference', ref, '--current', cur, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const f = (JSON.parse(r.stdout) as DriftJson).features[0];
    assert.ok(f);
    assert.deepEqual(f.stats['newCategories'], ['maybe'], JSON.stringify(f));
    assert.ok((f.score as number) < 0.1, JSON.stringify(f));
    // pandas' True/False against a current True/False/unknown: true/false in any case are one category each
    const tf = (n: number, extra: boolean): string[] => Array.from({ length: n }, (_, i) => (extra && i % 100 === 0 ? 'unknown' : i % 3 === 0 ? 'True' : 'False'));
    const ref2 = file('tf-ref.csv', ['flag', ...tf(2000, false)].join('\n') + '\n');
    const cur2 = file('tf-cur.csv', ['flag', ...tf(2000, true)].join('\n') + '\n');
    const r2 = lookout(['drift', '--reference', ref2, '--current', cur2, '--json']);
    const f2 = (JSON.parse(r2.stdout) as DriftJson).features[0];
    assert.deepEqual(f2?.stats['newCategories'], ['unknown'], JSON.stringify(f2));
  });
});

describe('audit 15 (offline): a CSV yes/no column against a Parquet boolean column', () => {
  test('booleans on both sides stay one pair of categories true/false', async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const ref = file('yn-bool-ref.csv', ['ans', ...Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? 'yes' : 'no'))].join('\n') + '\n');
    const cur = join(dir, 'yn-bool-cur.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    await conn.run(`COPY (SELECT (i % 3 = 0) AS ans FROM range(300) t(i)) TO '${cur}' (FORMAT parquet)`);
    conn.closeSync();
    db.closeSync();
    const r = lookout(['drift', '--reference', ref, '--current', cur, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const f = (JSON.parse(r.stdout) as DriftJson).features[0];
    assert.deepEqual([f?.stats['newCategories'], f?.score], [[], 1], JSON.stringify(f));
  });
});

describe('audit 15 (offline): names holding terminal escape sequences', () => {
  // A column named "\u001b[2J..." (or a value, a label) was printed raw: the terminal cleared, recoloured or reordered
  // (U+202E) what the user read. Now shown escaped (src/cli/printable.ts); --json is unchanged (JSON escapes them).
  const esc = '\u001b[2J\u001b[31m';
  test('drift and metrics text output, and an error naming such a column, print them escaped', () => {
    const csv = file('escapes.csv', [`"${esc}city",label,pred`, ...Array.from({ length: 40 }, (_, i) => `${i % 2 ? `${esc}Paris` : 'Lyon'},${i % 2},${i % 3 ? 1 : 0}`)].join('\n') + '\n');
    const drift = lookout(['drift', '--reference', csv, '--current', csv]);
    assert.equal(drift.code, 0, drift.stderr);
    assert.ok(!drift.stdout.includes('\u001b'), drift.stdout);
    assert.ok(drift.stdout.includes('\\u001b[2J\\u001b[31mcity'), drift.stdout);
    const asJson = lookout(['drift', '--reference', csv, '--current', csv, '--json']);
    assert.ok((JSON.parse(asJson.stdout) as DriftJson).features.some((f) => f.name === `${esc}city`));
    const metrics = lookout(['metrics', '--data', csv, '--task', 'binary', '--label', 'label', '--prediction', 'pred', '--positive-label', '1']);
    assert.equal(metrics.code, 0, metrics.stderr);
    assert.ok(!metrics.stdout.includes('\u001b'), metrics.stdout);
    const unknown = lookout(['drift', '--reference', csv, '--current', csv, '--columns', `${esc}nope`]);
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.ok(!unknown.stderr.includes('\u001b') && unknown.stderr.includes('\\u001b[2J'), unknown.stderr);
  });
});
