import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from '../src/server.js';
import { lookout, lookoutAsync, tempDir, writeCsv } from './helpers/cli.js';
import { declareChurn } from './helpers/registry.js';
import { call, testServer } from './helpers/server.js';

interface DriftJson {
  features: Array<{ name: string; kind: string; score: number | null; stats: Record<string, unknown> & { quality: Record<string, number | boolean> } }>;
  reference: { rows: number };
  current: { rows: number };
}

const dir = tempDir('lookout-audit-cli-');

function drift(ref: string, cur: string): DriftJson {
  const r = lookout(['drift', '--reference', ref, '--current', cur, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as DriftJson;
}

function feature(out: DriftJson, name: string): DriftJson['features'][number] {
  const f = out.features.find((x) => x.name === name);
  assert.ok(f, `feature ${name} in ${JSON.stringify(out.features.map((x) => x.name))}`);
  return f;
}

describe('lookout drift reads columns whose types only show after the first 100000 rows', () => {
  test('a decimal and a text value after row 100000 do not make the file unreadable', () => {
    const n = 100_500;
    // z: integers, then one decimal at the very end; c: integer codes, then one text value at the very end.
    const z = Array.from({ length: n }, (_, i) => (i === n - 1 ? '2.5' : String(i % 7)));
    const c = Array.from({ length: n }, (_, i) => (i === n - 1 ? 'abc' : String(i % 3)));
    const ref = join(dir, 'late-ref.csv');
    writeCsv(ref, { z, c });
    const out = drift(ref, ref);
    assert.equal(out.reference.rows, n);
    const fz = feature(out, 'z');
    assert.equal(fz.kind, 'numerical');
    assert.equal(fz.stats.quality['missingReference'], 0);
    const fc = feature(out, 'c');
    assert.equal(fc.kind, 'categorical');
    assert.equal(fc.stats.quality['missingReference'], 0);
  });
});

describe('lookout drift: numbers with missing-value texts are a numerical feature', () => {
  test('"n/a", "NA", "none", "null" in a column of numbers are missing values, not categories', () => {
    const n = 300;
    const tokens = ['n/a', 'NA', 'none', 'null', 'N/A', 'None'];
    // Deterministic values, the reference centred at 0 and the current at 0.3.
    const value = (i: number, shift: number): string => String(Math.round((Math.sin(i * 12.9898) * 43758.5453 % 1) * 1000) / 100 + shift);
    const withTokens = (shift: number, every: number): string[] => Array.from({ length: n }, (_, i) => (i % every === 0 ? (tokens[i % tokens.length] as string) : value(i, shift)));
    const asEmpty = (xs: string[]): string[] => xs.map((x) => (tokens.includes(x) ? '' : x));
    const refY = withTokens(0, 10);
    const curY = withTokens(0.3, 7);
    const label = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 'abc' : String(i % 4)));
    writeCsv(join(dir, 'tokens-ref.csv'), { y: refY, mixed: label });
    writeCsv(join(dir, 'tokens-cur.csv'), { y: curY, mixed: label });
    // The same numbers with the missing values written as empty fields (which DuckDB reads as a numeric column).
    writeCsv(join(dir, 'empty-ref.csv'), { y: asEmpty(refY) });
    writeCsv(join(dir, 'empty-cur.csv'), { y: asEmpty(curY) });
    const out = drift(join(dir, 'tokens-ref.csv'), join(dir, 'tokens-cur.csv'));
    const expected = feature(drift(join(dir, 'empty-ref.csv'), join(dir, 'empty-cur.csv')), 'y');
    assert.equal(expected.kind, 'numerical');
    const y = feature(out, 'y');
    assert.equal(y.kind, 'numerical');
    assert.equal(y.stats.quality['missingReference'], refY.filter((x) => tokens.includes(x)).length / n);
    assert.equal(y.stats.quality['missingCurrent'], curY.filter((x) => tokens.includes(x)).length / n);
    assert.equal(y.stats.quality['typeMismatch'], 0);
    assert.deepEqual(y.stats['ks'], expected.stats['ks']);
    assert.equal(y.stats['wasserstein'], expected.stats['wasserstein']);
    assert.equal(y.stats['psi'], expected.stats['psi']);
    assert.equal(y.score, expected.score);
    // A column with a value that is not a number ("abc") stays categorical.
    assert.equal(feature(out, 'mixed').kind, 'categorical');
  });
});

describe('lookout versions register --artifact with a file that cannot be read', { timeout: 90_000 }, () => {
  let server: Server;
  before(async () => {
    server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
    await declareChurn(server.url, []);
  });
  after(async () => {
    await server.close();
  });

  test('exits 2 with a one-line message and does not register the version without its artifact', async () => {
    const missing = join(dir, 'no-such-model.bin');
    const r = await lookoutAsync(['versions', 'register', 'churn', '1.0.0', '--url', server.url, '--artifact', missing]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, `lookout: error: cannot read the artifact ${missing}: ENOENT: no such file or directory, open '${missing}'\n`);
    const v = await call(server.url, 'GET', '/v1/models/churn/versions/1.0.0');
    assert.equal(v.status, 404, JSON.stringify(v.body));
  });
});

describe('lookout report', () => {
  test('the size it prints is the size of the file written, in bytes', () => {
    const ref = join(dir, 'size-ref.csv');
    const cur = join(dir, 'size-cur.csv');
    writeCsv(ref, { x: [1, 2, 3, 4], café: ['a', 'b', 'a', 'b'] });
    writeCsv(cur, { x: [2, 3, 4, 5], café: ['a', 'a', 'b', 'b'] });
    const out = join(dir, 'size.html');
    const r = lookout(['report', '--reference', ref, '--current', cur, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const printed = /\((\d+) bytes\)/.exec(r.stdout);
    assert.ok(printed, r.stdout);
    assert.equal(Number(printed[1]), statSync(out).size);
  });
});
