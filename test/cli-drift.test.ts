import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { assertClose, loadGolden } from './helpers/golden.js';
import { lookout, tempDir, writeCsv } from './helpers/cli.js';

interface NumCase {
  name: string;
  a: (number | null)[];
  b: (number | null)[];
  expected: null | { ks: { statistic: number; pValue: number }; wasserstein: number; wassersteinNormalized: number | null; psi: number; jensenShannon: number; hellinger: number };
}
interface CatCase {
  name: string;
  a: (string | null)[];
  b: (string | null)[];
  expected: null | { chiSquare: { statistic: number; pValue: number; dof: number }; jensenShannon: number; newCategories: string[] };
}
interface DriftJson {
  features: Array<{ name: string; kind: string; method: string; threshold: number; autoSelected: boolean; score: number | null; drifted: boolean; note?: string; stats: Record<string, unknown> & { quality: Record<string, number | boolean> } }>;
  datasetDrift: { share: number; drifted: boolean };
}

const golden = loadGolden<{ numerical: NumCase[]; categorical: CatCase[] }>('drift');
const dir = tempDir();

describe('lookout drift end to end (real binary, DuckDB reading) matches scipy', () => {
  for (const c of golden.numerical.filter((x) => x.expected !== null)) {
    test(`numerical golden case through CSV: ${c.name}`, () => {
      const ref = join(dir, `${c.name}-ref.csv`);
      const cur = join(dir, `${c.name}-cur.csv`);
      writeCsv(ref, { x: c.a });
      writeCsv(cur, { x: c.b });
      const r = lookout(['drift', '--reference', ref, '--current', cur, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as DriftJson;
      const f = out.features[0];
      assert.ok(f);
      assert.equal(f.kind, 'numerical');
      const e = c.expected as NonNullable<NumCase['expected']>;
      const ks = f.stats['ks'] as { statistic: number; pValue: number };
      assertClose(ks.statistic, e.ks.statistic, 'ks statistic');
      assertClose(ks.pValue, e.ks.pValue, 'ks p-value', { pValue: true });
      assertClose(f.stats['wasserstein'] as number, e.wasserstein, 'wasserstein');
      assertClose(f.stats['wassersteinNormalized'] as number | null, e.wassersteinNormalized, 'wasserstein normalised');
      assertClose(f.stats['psi'] as number, e.psi, 'psi');
      assertClose(f.stats['jensenShannon'] as number, e.jensenShannon, 'jensen-shannon');
      assertClose(f.stats['hellinger'] as number, e.hellinger, 'hellinger');
      assert.equal(f.stats.quality['missingCurrent'], c.b.filter((v) => v === null).length / c.b.length);
      // The automatic choice follows the reference size.
      assert.equal(f.method, c.a.length <= 1000 ? 'ks' : 'wasserstein');
      assert.equal(f.autoSelected, true);
    });
  }

  for (const c of golden.categorical.filter((x) => x.expected !== null)) {
    test(`categorical golden case through CSV: ${c.name}`, () => {
      const ref = join(dir, `cat-${c.name}-ref.csv`);
      const cur = join(dir, `cat-${c.name}-cur.csv`);
      // Prefix values so DuckDB never sniffs them as numbers or booleans.
      writeCsv(ref, { k: c.a.map((v) => (v === null ? null : `v_${v}`)) });
      writeCsv(cur, { k: c.b.map((v) => (v === null ? null : `v_${v}`)) });
      const r = lookout(['drift', '--reference', ref, '--current', cur, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const f = (JSON.parse(r.stdout) as DriftJson).features[0];
      assert.ok(f);
      assert.equal(f.kind, 'categorical');
      const e = c.expected as NonNullable<CatCase['expected']>;
      const chi = f.stats['chiSquare'] as { statistic: number; pValue: number; dof: number };
      assertClose(chi.statistic, e.chiSquare.statistic, 'chi2 statistic');
      assertClose(chi.pValue, e.chiSquare.pValue, 'chi2 p-value', { pValue: true });
      assert.equal(chi.dof, e.chiSquare.dof);
      assertClose(f.stats['jensenShannon'] as number, e.jensenShannon, 'jensen-shannon');
      assert.deepEqual(f.stats['newCategories'], e.newCategories.map((v) => `v_${v}`));
    });
  }
});

describe('lookout drift formats, options and JSON shape', () => {
  const ref = join(dir, 'mixed-ref.csv');
  const cur = join(dir, 'mixed-cur.csv');
  before(() => {
    const n = 1500;
    const x = Array.from({ length: n }, (_, i) => Math.sin(i) * 10);
    const y = Array.from({ length: n }, (_, i) => (i % 7) + 0.5);
    const g = Array.from({ length: n }, (_, i) => ['red', 'green', 'blue'][i % 3] ?? null);
    writeCsv(ref, { x, y, g });
    writeCsv(cur, { x: x.map((v) => v + 3), y: y.map((v, i) => (i % 10 === 0 ? null : v)), g: g.map((v, i) => (i % 5 === 0 ? 'purple' : v)) });
  });

  test('CSV, Parquet and JSON lines inputs give identical results', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    for (const [src, base] of [[ref, 'mixed-ref'], [cur, 'mixed-cur']] as const) {
      await conn.run(`COPY (SELECT * FROM read_csv('${src}')) TO '${join(dir, base + '.parquet')}' (FORMAT parquet)`);
      await conn.run(`COPY (SELECT * FROM read_csv('${src}')) TO '${join(dir, base + '.jsonl')}' (FORMAT json)`);
    }
    conn.closeSync();
    db.closeSync();
    const strip = (s: string): unknown => {
      const o = JSON.parse(s) as { reference: unknown; current: unknown };
      delete (o as Record<string, unknown>)['reference'];
      delete (o as Record<string, unknown>)['current'];
      return o;
    };
    const csv = lookout(['drift', '--reference', ref, '--current', cur, '--json']);
    const pq = lookout(['drift', '--reference', join(dir, 'mixed-ref.parquet'), '--current', join(dir, 'mixed-cur.parquet'), '--json']);
    const jl = lookout(['drift', '--reference', join(dir, 'mixed-ref.jsonl'), '--current', join(dir, 'mixed-cur.jsonl'), '--json']);
    for (const r of [csv, pq, jl]) assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(strip(pq.stdout), strip(csv.stdout));
    assert.deepEqual(strip(jl.stdout), strip(csv.stdout));
  });

  test('--json prints exactly one JSON object with the documented fields', () => {
    const r = lookout(['drift', '--reference', ref, '--current', cur, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 1);
    const out = JSON.parse(r.stdout) as DriftJson;
    assert.deepEqual(out.features.map((f) => [f.name, f.kind]), [['x', 'numerical'], ['y', 'numerical'], ['g', 'categorical']]);
    for (const f of out.features) {
      for (const k of ['name', 'kind', 'method', 'threshold', 'autoSelected', 'score', 'drifted', 'stats']) assert.ok(k in f, `feature has ${k}`);
      for (const k of ['missingReference', 'missingCurrent', 'outOfRange']) assert.equal(typeof f.stats.quality[k], 'number');
    }
    const [x, y, g] = out.features;
    for (const k of ['ks', 'wasserstein', 'wassersteinNormalized', 'psi', 'jensenShannon', 'hellinger']) assert.ok(k in (x?.stats ?? {}), k);
    for (const k of ['chiSquare', 'psi', 'jensenShannon', 'hellinger', 'newCategories']) assert.ok(k in (g?.stats ?? {}), k);
    assert.equal(x?.method, 'wasserstein'); // 1500 reference rows > 1000
    assert.equal(x?.drifted, true);
    assert.equal(y?.stats.quality['missingCurrent'], 0.1);
    assert.deepEqual(g?.stats['newCategories'], ['purple']);
    assert.equal(g?.method, 'jensenshannon');
    assert.equal(out.datasetDrift.drifted, true);
    assert.ok(Math.abs(out.datasetDrift.share - 2 / 3) < 1e-12 || out.datasetDrift.share === 1);
  });

  test('--method, --threshold and --columns are applied and recorded', () => {
    const r = lookout(['drift', '--reference', ref, '--current', cur, '--json', '--method', 'psi', '--threshold', '0.2', '--columns', 'x,g']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as DriftJson;
    assert.deepEqual(out.features.map((f) => [f.name, f.method, f.threshold, f.autoSelected]), [['x', 'psi', 0.2, false], ['g', 'psi', 0.2, false]]);
    for (const f of out.features) assert.equal(f.score, f.stats['psi']);
    const ks = JSON.parse(lookout(['drift', '--reference', ref, '--current', cur, '--json', '--method', 'ks']).stdout) as DriftJson;
    // ks does not apply to categorical features: they keep the automatic choice.
    assert.deepEqual(ks.features.map((f) => [f.method, f.autoSelected]), [['ks', false], ['ks', false], ['jensenshannon', true]]);
  });

  test('--fail-on-drift exits 1 on dataset drift, 0 otherwise', () => {
    assert.equal(lookout(['drift', '--reference', ref, '--current', cur, '--fail-on-drift']).code, 1);
    assert.equal(lookout(['drift', '--reference', ref, '--current', cur]).code, 0);
    assert.equal(lookout(['drift', '--reference', ref, '--current', ref, '--fail-on-drift']).code, 0);
  });

  test('human-readable output names every feature and the verdict', () => {
    const r = lookout(['drift', '--reference', ref, '--current', cur]);
    assert.match(r.stdout, /^x\s+numerical\s+wasserstein/m);
    assert.match(r.stdout, /dataset drift: YES/);
  });
});

describe('lookout drift bad input: exit 2 with a one-line message', () => {
  const ok = join(dir, 'ok.csv');
  before(() => writeCsv(ok, { a: [1, 2, 3], b: ['x', 'y', 'z'] }));
  const cases: Array<[string, () => string[], RegExp]> = [
    ['missing file', () => ['drift', '--reference', join(dir, 'nope.csv'), '--current', ok], /file not found: .*nope\.csv/],
    ['unknown column', () => ['drift', '--reference', ok, '--current', ok, '--columns', 'a,zzz'], /unknown column "zzz"/],
    ['unknown format', () => {
      writeFileSync(join(dir, 'data.xyz'), 'a\n1\n');
      return ['drift', '--reference', join(dir, 'data.xyz'), '--current', ok];
    }, /cannot tell the format/],
    ['unreadable parquet', () => {
      writeFileSync(join(dir, 'bad.parquet'), 'this is not parquet');
      return ['drift', '--reference', join(dir, 'bad.parquet'), '--current', ok];
    }, /cannot read .*bad\.parquet as parquet/],
    ['unknown method lists the known ones', () => ['drift', '--reference', ok, '--current', ok, '--method', 'magic'], /unknown drift method "magic"; known methods: chisquare, hellinger, jensenshannon, ks, psi, wasserstein/],
    ['bad threshold', () => ['drift', '--reference', ok, '--current', ok, '--threshold', 'abc'], /"abc" is not a number/],
    ['missing required option', () => ['drift', '--reference', ok], /required option '--current <file>' not specified/],
  ];
  for (const [name, args, re] of cases) {
    test(name, () => {
      const r = lookout(args());
      assert.equal(r.code, 2, `exit code (stderr: ${r.stderr})`);
      assert.match(r.stderr, re);
      assert.equal(r.stdout, '');
      assert.doesNotMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace for bad input');
    });
  }
});

describe('lookout drift data quality', () => {
  test('type mismatches, out-of-range values and constant columns are reported', () => {
    const ref = join(dir, 'q-ref.csv');
    const cur = join(dir, 'q-cur.csv');
    writeCsv(ref, { x: [1, 2, 3, 4, 5, 6, 7, 8], k: [7, 7, 7, 7, 7, 7, 7, 7] });
    writeCsv(cur, { x: ['1', 'abc', '3', 'NaN', '', '99', 'null', '-5'], k: [7, 7, 7, 7, 7, 7, 7, 7] });
    const r = lookout(['drift', '--reference', ref, '--current', cur, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const [x, k] = (JSON.parse(r.stdout) as DriftJson).features;
    assert.equal(x?.kind, 'numerical');
    assert.equal(x?.stats.quality['typeMismatch'], 1, '"abc" is a type mismatch');
    assert.equal(x?.stats.quality['missingCurrent'], 4 / 8, 'abc, NaN, empty and null are missing');
    assert.equal(x?.stats.quality['outOfRange'], 2 / 4, '99 and -5 are outside [1, 8]');
    assert.equal(k?.stats.quality['constantReference'], true);
    assert.equal(k?.stats.quality['constantCurrent'], true);
    assert.equal(k?.score, 1);
    assert.equal(k?.drifted, false);
  });

  test('columns present in only one file are skipped and listed', () => {
    const ref = join(dir, 's-ref.csv');
    const cur = join(dir, 's-cur.csv');
    writeCsv(ref, { a: [1, 2, 3], gone: [1, 2, 3] });
    writeCsv(cur, { a: [1, 2, 4], added: ['x', 'y', 'z'] });
    const out = JSON.parse(lookout(['drift', '--reference', ref, '--current', cur, '--json']).stdout) as DriftJson & { skipped: unknown };
    assert.deepEqual(out.features.map((f) => f.name), ['a']);
    assert.deepEqual(out.skipped, [{ name: 'gone', reason: 'missing in current' }, { name: 'added', reason: 'missing in reference' }]);
  });
});
