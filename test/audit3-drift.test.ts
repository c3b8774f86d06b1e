import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Server } from '../src/server.js';
import { lookout, tempDir, writeCsv } from './helpers/cli.js';
import { driftFeature as feature, FROM, NOW, RANGE, SameData, type DriftAnswer } from './helpers/drift.js';
import { call, testServer } from './helpers/server.js';

describe('drift over stored windows agrees with lookout drift on the same data (real server, DuckDB file, real CLI)', () => {
  let s: Server;
  let data: SameData;
  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    data = new SameData(s, tempDir('lookout-audit3-drift-'));
  });
  after(async () => {
    await s.close();
  });

  test('a small reference (35 rows): the KS p-value is the exact one the CLI gives, not the limiting formula at the rounded size', async () => {
    // Shifted by 10.5 of 35: D = 11/35, exact p = 0.0625 (no drift); kstwo.sf(D, round(17.5)) = 0.044 said drift.
    const { server, cli } = await data.both('small', { x: { type: 'number' } },
      { x: Array.from({ length: 35 }, (_, i) => i) }, { x: Array.from({ length: 35 }, (_, i) => i + 10.5) });
    const sv = feature(server, 'x');
    const cl = feature(cli, 'x');
    assert.equal(cl.method, 'ks');
    assert.equal(sv.method, 'ks');
    assert.deepEqual(sv.stats.ks, { ...cl.stats.ks, errorBound: 0 });
    assert.equal(sv.score, cl.score);
    assert.equal(sv.drifted, false);
    assert.equal(cl.drifted, false);
  });
  test('a feature the reference file lacks is skipped as by the CLI, not counted in the dataset drift share', async () => {
    // a drifts, b does not; "absent" is in the model's schema and the events but not in the reference file.
    const ref = { a: Array.from({ length: 40 }, (_, i) => i), b: Array.from({ length: 40 }, (_, i) => i % 7) };
    const cur = { ...{ a: Array.from({ length: 40 }, (_, i) => i + 30), b: Array.from({ length: 40 }, (_, i) => (i + 3) % 7) }, absent: Array.from({ length: 40 }, (_, i) => i) };
    const props = { a: { type: 'number' }, b: { type: 'number' }, absent: { type: 'number' } };
    const { server, cli } = await data.both('absent', props, ref, cur);
    assert.deepEqual(cli.skipped, [{ name: 'absent', reason: 'missing in reference' }]);
    assert.deepEqual(server.features.map((f) => f.name), cli.features.map((f) => f.name));
    assert.deepEqual(server.skipped, cli.skipped);
    assert.deepEqual(server.datasetDrift, cli.datasetDrift);
    assert.equal(server.datasetDrift.drifted, true); // 1 of 2 features: the default share 0.5 is reached
    // The drift-share series and a driftShare monitor's metric count the same features.
    const ts = await call(s.url, 'GET', `/v1/models/absent/timeseries?metric=driftShare&granularity=hour&${RANGE}`);
    assert.equal(ts.status, 200, JSON.stringify(ts.body));
    const points = ts.body['points'] as Array<{ value: number | null }>;
    assert.deepEqual(points.map((p) => p.value), [0.5]);
    const monitor = { id: 'absent-share', model: 'absent', metric: 'driftShare', method: 'ks', window: '1h', minSamples: 10, levels: [{ severity: 'page', threshold: 0.5 }] };
    assert.equal((await call(s.url, 'POST', '/v1/monitors', monitor)).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/monitors/run', {})).status, 200);
    const ev = (await call(s.url, 'GET', `/v1/monitors/absent-share/evaluations?from=${NOW}&to=${NOW + 1}`)).body['evaluations'] as Array<{ value: number | null }>;
    assert.deepEqual(ev.map((e) => e.value), [0.5]);
  });
  test('integer codes of a categorical feature in a reference written with decimals (1.0, as pandas writes a column with gaps) are the events\' categories', async () => {
    const base = s.url;
    const props = { code: { type: 'integer', 'x-lookout-kind': 'categorical' }, level: { type: 'number', enum: [0.5, 1, 2] } };
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'codes', outputKind: 'regression', inputSchema: { type: 'object', properties: props } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/codes/versions', { version: '1' })).status, 201);
    // DuckDB reads both columns as DOUBLE: their text would be "1.0", "2.0", "0.5"; the events send 1, 2, 0.5.
    const rows = Array.from({ length: 60 }, (_, i) => `${i === 0 ? '' : `${i % 3}.0`},${[0.5, 1, 2][i % 3]}`);
    const up = await call(base, 'PUT', '/v1/models/codes/versions/1/reference', `code,level\n${rows.join('\n')}\n`, { 'content-type': 'text/csv' });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    const events = Array.from({ length: 60 }, (_, i) => ({
      id: `codes-${i}`, model: 'codes', version: '1', timestamp: new Date(FROM + i * 60_000).toISOString(),
      features: { code: i % 3, level: [0.5, 1, 2][i % 3] }, prediction: 0,
    }));
    assert.equal((await call(base, 'POST', '/v1/events', { events })).body['accepted'], 60);
    const d = (await call(base, 'GET', `/v1/models/codes/drift?${RANGE}`)).body as unknown as DriftAnswer;
    for (const name of ['code', 'level']) {
      const f = feature(d, name);
      assert.deepEqual(f.stats['newCategories'], [], `${name}: ${JSON.stringify(f.stats)}`);
      assert.equal(f.drifted, false, name);
      assert.equal((f.stats['chiSquare'] as { dof: number }).dof, 2, name);
    }
    const dist = (await call(base, 'GET', `/v1/models/codes/features/code/distribution?${RANGE}`)).body;
    assert.deepEqual((dist['categories'] as Array<{ name: string }>).map((c) => c.name).sort(), ['0', '1', '2']);
  });
  test('values near 1e200 and 1e-200: the normalised Wasserstein score is the scale-free one, offline and from summaries', async () => {
    // 1 + i/n against 1.5 + i/n, times 1e200 and 1e-200: W = 0.5, std = sqrt((n^2 - 1) / 12) / n (about sqrt(3) for W / std).
    // Squared deviations overflow (std Infinity: score 0, no drift) or underflow (std 0: "reference is constant").
    const n = 1200;
    const expected = 0.5 / (Math.sqrt((n * n - 1) / 12) / n);
    const ref = (scale: number): number[] => Array.from({ length: n }, (_, i) => (1 + i / n) * scale);
    const cur = (scale: number): number[] => Array.from({ length: n }, (_, i) => (1.5 + i / n) * scale);
    const { server, cli } = await data.both('scales', { big: { type: 'number' }, tiny: { type: 'number' } },
      { big: ref(1e200), tiny: ref(1e-200) }, { big: cur(1e200), tiny: cur(1e-200) });
    for (const name of ['big', 'tiny']) {
      for (const [side, d, tol] of [['cli', cli, 1e-9], ['server', server, 0.02]] as const) {
        const f = feature(d, name);
        const what = `${side} ${name}: ${JSON.stringify({ score: f.score, note: f.note, wn: f.stats['wassersteinNormalized'] })}`;
        assert.equal(f.method, 'wasserstein', what);
        assert.ok(f.score !== null && Math.abs(f.score - expected) <= tol * expected, what);
        assert.equal(f.drifted, true, what);
        assert.equal(f.note, undefined, what);
      }
    }
  });
  test('a text feature of yes/no in a reference CSV (which DuckDB types as booleans) keeps the file\'s categories, as the events send them', async () => {
    const base = s.url;
    const props = { member: { type: 'string' }, flag: { type: 'boolean' }, plan: { enum: ['T', 'F'] } };
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'yesno', outputKind: 'regression', inputSchema: { type: 'object', properties: props } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/yesno/versions', { version: '1' })).status, 201);
    const rows = Array.from({ length: 40 }, (_, i) => `${i % 2 ? 'yes' : 'no'},${i % 3 ? 'true' : 'false'},${i % 2 ? 'T' : 'F'}`);
    const up = await call(base, 'PUT', '/v1/models/yesno/versions/1/reference', `member,flag,plan\n${rows.join('\n')}\n`, { 'content-type': 'text/csv' });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    const events = Array.from({ length: 40 }, (_, i) => ({
      id: `yesno-${i}`, model: 'yesno', version: '1', timestamp: new Date(FROM + i * 60_000).toISOString(),
      features: { member: i % 2 ? 'yes' : 'no', flag: i % 3 !== 0, plan: i % 2 ? 'T' : 'F' }, prediction: 0,
    }));
    assert.equal((await call(base, 'POST', '/v1/events', { events })).body['accepted'], 40);
    const d = (await call(base, 'GET', `/v1/models/yesno/drift?${RANGE}`)).body as unknown as DriftAnswer;
    for (const name of ['member', 'flag', 'plan']) {
      const f = feature(d, name);
      assert.deepEqual(f.stats['newCategories'], [], `${name}: ${JSON.stringify(f.stats)}`);
      assert.equal(f.score, 1, name);
      assert.equal(f.drifted, false, name);
    }
  });
});

describe('lookout drift: integer codes written with decimals in one file and without in the other', () => {
  test('--categorical codes 1.0 (a DOUBLE column, as pandas writes one with gaps) and 1 (integers) are one category', () => {
    const dir = tempDir('lookout-audit3-codes-');
    const ref = join(dir, 'ref.csv');
    const cur = join(dir, 'cur.csv');
    writeCsv(ref, { code: [...Array.from({ length: 60 }, (_, i) => `${(i % 3) + 1}.0`), null], level: [...Array.from({ length: 60 }, (_, i) => [0.5, 1, 2][i % 3] as number), 1.25] });
    writeCsv(cur, { code: Array.from({ length: 60 }, (_, i) => (i % 3) + 1), level: Array.from({ length: 60 }, (_, i) => ['0.50', '1.00', '2.00'][i % 3] as string) });
    const r = lookout(['drift', '--reference', ref, '--current', cur, '--categorical', 'code,level', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as DriftAnswer;
    const code = feature(out, 'code');
    assert.deepEqual(code.stats['newCategories'], [], JSON.stringify(code.stats));
    assert.equal(code.score, 1);
    assert.equal(code.drifted, false);
    // DOUBLE 0.5 against DECIMAL 0.50: one category too.
    assert.deepEqual(feature(out, 'level').stats['newCategories'], []);
  });
});
