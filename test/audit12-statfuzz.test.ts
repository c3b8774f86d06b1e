import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from '../src/server.js';
import { lookout, tempDir, writeCsv } from './helpers/cli.js';
import { driftFeature, FROM, HOUR, NOW, RANGE, SameData, type Columns, type DriftAnswer } from './helpers/drift.js';
import { call, testServer } from './helpers/server.js';

/** MINSTD: the same data on every run. */
function generator(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 48271) % 2147483647;
    return x / 2147483647;
  };
}

describe('audit 12 (statistics): /drift over stored summaries says where its bin statistics are not the CLI\'s exact ones', () => {
  let s: Server;
  const dir = tempDir('lookout-audit12-statfuzz-');
  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => { c.dataDir = tempDir('lookout-audit12-statfuzz-data-'); c.alerting = { evaluationInterval: 0 }; } });
  });
  after(async () => {
    await s.close();
  });

  test('windows summarised after the reference upload: PSI, Jensen-Shannon, Hellinger and chi-squared are the CLI\'s, nothing flagged', async () => {
    const rnd = generator(11);
    const ref: Columns = { x: Array.from({ length: 300 }, () => Math.round(rnd() * 1000) / 10), c: Array.from({ length: 300 }, () => `k${Math.floor(rnd() * 150)}`) };
    const cur: Columns = { x: Array.from({ length: 3000 }, () => Math.round(rnd() * 1000 + 50) / 10), c: Array.from({ length: 3000 }, () => `k${Math.floor(rnd() * 160)}`) };
    const { server, cli } = await new SameData(s, dir).both('after', { x: { type: 'number' }, c: { type: 'string' } }, ref, cur);
    for (const name of ['x', 'c']) {
      const a = driftFeature(server, name).stats, b = driftFeature(cli, name).stats;
      for (const k of ['psi', 'jensenShannon', 'hellinger']) assert.ok(Math.abs((a[k] as number) - (b[k] as number)) <= 1e-12 * (b[k] as number), `${name} ${k}: ${String(a[k])} vs ${String(b[k])}`);
      assert.equal(a['binShares'], undefined, name);
      assert.equal(a['other'], undefined, name);
    }
    assert.deepEqual(driftFeature(server, 'c').stats['chiSquare'], driftFeature(cli, 'c').stats['chiSquare']);
  });

  test('windows summarised before the reference upload: bin shares read from the sketch, flagged binShares: "sketch" (PSI 0.090 against the CLI\'s 0.097, near its 0.1 threshold)', async () => {
    const rnd = generator(7);
    const ref: Columns = { x: Array.from({ length: 300 }, () => Math.round(rnd() * 1000) / 10) };
    const cur: Columns = { x: Array.from({ length: 3000 }, () => Math.round(rnd() * 1000 + 50) / 10) };
    const model = 'before';
    assert.equal((await call(s.url, 'POST', '/v1/models', { name: model, outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
    assert.equal((await call(s.url, 'POST', `/v1/models/${model}/versions`, { version: '1' })).status, 201);
    const xs = cur['x'] as number[];
    const events = xs.map((x, i) => ({ id: `b${i}`, model, version: '1', timestamp: new Date(FROM + Math.floor((i * (HOUR - 1000)) / xs.length)).toISOString(), features: { x }, prediction: 0 }));
    assert.equal((await call(s.url, 'POST', '/v1/events', { events })).body['accepted'], xs.length);
    writeCsv(join(dir, 'before-ref.csv'), ref);
    writeCsv(join(dir, 'before-cur.csv'), cur);
    assert.equal((await call(s.url, 'PUT', `/v1/models/${model}/versions/1/reference`, readFileSync(join(dir, 'before-ref.csv'), 'utf8'), { 'content-type': 'text/csv' })).status, 200);
    const d = await call(s.url, 'GET', `/v1/models/${model}/drift?${RANGE}&method=psi`);
    assert.equal(d.status, 200);
    const r = lookout(['drift', '--reference', join(dir, 'before-ref.csv'), '--current', join(dir, 'before-cur.csv'), '--json', '--method', 'psi']);
    assert.equal(r.code, 0, r.stderr);
    const a = driftFeature(d.body as unknown as DriftAnswer, 'x').stats, b = driftFeature(JSON.parse(r.stdout) as DriftAnswer, 'x').stats;
    assert.equal(a['binShares'], 'sketch');
    assert.deepEqual(a['binEdges'], b['binEdges']);
    // not exact (each bin share within the sketch's rank error, ~1.3% of the values, of the exact one)
    assert.notEqual(a['psi'], b['psi']);
    assert.ok(Math.abs((a['psi'] as number) - (b['psi'] as number)) < 0.25 * (b['psi'] as number), `${String(a['psi'])} vs ${String(b['psi'])}`);
  });

  test('a categorical feature past the 200-category cap: PSI, Jensen-Shannon, Hellinger (as chi-squared) take the "other" bucket as one bin, flagged with its counts', async () => {
    const rnd = generator(5);
    const ref: Columns = { c: Array.from({ length: 400 }, () => `k${Math.floor(rnd() * 100)}`) };
    const cur: Columns = { c: Array.from({ length: 4000 }, () => `k${Math.floor(rnd() * 300)}`) };
    const { server, cli } = await new SameData(s, dir).both('cap', { c: { type: 'string' } }, ref, cur);
    const a = driftFeature(server, 'c').stats, b = driftFeature(cli, 'c').stats;
    const other = a['other'] as { reference: number; current: number } | undefined;
    assert.ok(other && other.reference === 0 && other.current > 0, JSON.stringify(other));
    assert.notEqual(a['psi'], b['psi']);
    assert.ok(Number.isFinite(a['psi']) && Number.isFinite(a['jensenShannon']) && Number.isFinite(a['hellinger']));
  });
});

describe('audit 12 (statistics): a drift score past float64\'s range', () => {
  test('lookout drift --json: a normalised Wasserstein of Infinity (scipy: inf) is score null, drifted, with a note saying why', () => {
    const dir = tempDir('lookout-audit12-statfuzz-inf-');
    // reference 0/1 (std 0.5), current near 1e308: W = 1.2e308 (finite), W / std overflows
    writeCsv(join(dir, 'ref.csv'), { x: Array.from({ length: 1200 }, (_, i) => i % 2) });
    writeCsv(join(dir, 'cur.csv'), { x: Array.from({ length: 50 }, (_, i) => (1 + i / 100) * 1e308) });
    const r = lookout(['drift', '--reference', join(dir, 'ref.csv'), '--current', join(dir, 'cur.csv'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const f = driftFeature(JSON.parse(r.stdout) as DriftAnswer, 'x');
    assert.equal(f.method, 'wasserstein');
    assert.ok(Number.isFinite(f.stats['wasserstein']), String(f.stats['wasserstein']));
    assert.equal(f.score, null);
    assert.equal(f.drifted, true);
    assert.match(f.note ?? '', /Infinity/);
  });
});
