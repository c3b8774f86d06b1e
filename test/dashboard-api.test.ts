import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import { seededRandom } from '../src/core/random/rng.js';
import { uiRoutes } from '../src/http/routes/ui.js';
import type { Server } from '../src/server.js';
import { tempDir } from './helpers/cli.js';
import { call, testServer } from './helpers/server.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

/** The query endpoints the dashboard added: batched series and feature distributions (real server, DuckDB file). */
describe('issue 6: dashboard query endpoints (/series, /features/:f/distribution)', () => {
  let s: Server;
  const r = seededRandom(6);
  before(async () => {
    s = await testServer({ clock: () => NOW });
    const model = { name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' }, c: { type: 'string' } } } };
    assert.equal((await call(s.url, 'POST', '/v1/models', model)).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
    const ref = ['x,c,prediction'];
    for (let i = 0; i < 1000; i++) ref.push(`${r.next() * 10},${i % 2 ? 'a' : 'b'},${r.next()}`);
    const up = await fetch(`${s.url}/v1/models/m/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: ref.join('\n') });
    assert.equal(up.status, 200, await up.text());
    // Hour 1: like the reference; hour 2: x shifted up by 5 and a new category "z".
    const events = [];
    for (let i = 0; i < 600; i++) {
      const late = i >= 300;
      events.push({ model: 'm', version: '1', timestamp: NOW - (late ? 2 : 3) * HOUR + (i % 300) * 1000, features: { x: r.next() * 10 + (late ? 5 : 0), c: late && i % 3 === 0 ? 'z' : i % 2 ? 'a' : 'b' }, prediction: r.next(), latencyMs: 10 + (i % 7), error: i % 100 === 0 ? 'boom' : null });
    }
    const res = await call(s.url, 'POST', '/v1/events', { events });
    assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
  });
  after(async () => {
    await s.close();
  });

  test('issue 6: /series answers every metric exactly as /timeseries does, on the same windows', async () => {
    const metrics = ['events', 'errorRate', 'latencyP95', 'driftShare', 'drift:x', 'missing:c'];
    const q = `from=${NOW - 4 * HOUR}&to=${NOW}&granularity=hour`;
    const batch = await call(s.url, 'GET', `/v1/models/m/series?${q}&metrics=${metrics.join(',')}`);
    assert.equal(batch.status, 200, JSON.stringify(batch.body));
    const series = batch.body['series'] as Record<string, Array<number | null>>;
    for (const metric of metrics) {
      const one = await call(s.url, 'GET', `/v1/models/m/timeseries?${q}&metric=${metric}`);
      const points = one.body['points'] as Array<{ t: number; value: number | null; events: number }>;
      assert.deepEqual(batch.body['t'], points.map((p) => p.t), metric);
      assert.deepEqual(series[metric], points.map((p) => p.value), metric);
      assert.deepEqual(batch.body['events'], points.map((p) => p.events));
    }
    // an empty window counts 0 events (null until audit 23); its other metrics have no value
    assert.deepEqual(series['events'], [0, 300, 300, 0], 'empty windows count 0');
    assert.deepEqual(series['errorRate']?.map((v) => v === null), [true, false, false, true], 'and have no error rate');
    const bad = await call(s.url, 'GET', `/v1/models/m/series?${q}&metrics=events,nope`);
    assert.equal(bad.status, 400);
    assert.deepEqual((bad.body['error'] as { details: { unknown: string[] } }).details.unknown, ['nope']);
    assert.equal((await call(s.url, 'GET', `/v1/models/m/series?${q}`)).status, 400);
    assert.equal((await call(s.url, 'GET', `/v1/models/nope/series?${q}&metrics=events`)).status, 404);
  });

  test('issue 6: a feature distribution shows the shift and the new category', async () => {
    const calm = await call(s.url, 'GET', `/v1/models/m/features/x/distribution?from=${NOW - 3 * HOUR}&to=${NOW - 2 * HOUR}`);
    const shifted = await call(s.url, 'GET', `/v1/models/m/features/x/distribution?from=${NOW - 2 * HOUR}&to=${NOW - HOUR}`);
    assert.equal(calm.status, 200, JSON.stringify(calm.body));
    type Num = { edges: number[]; reference: { shares: number[]; count: number }; current: { shares: number[]; count: number } };
    const c = calm.body as unknown as Num;
    const sh = shifted.body as unknown as Num;
    assert.equal(c.edges.length, c.reference.shares.length + 1);
    const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0);
    assert.ok(Math.abs(sum(c.reference.shares) - 0.99) < 0.02, `shares cover the central 99%: ${sum(c.reference.shares)}`);
    assert.equal(c.current.count, 300);
    // Mean of the binned current distribution: about 5 before, about 10 after the shift.
    const mean = (d: Num): number => sum(d.current.shares.map((p, i) => p * (((d.edges[i] as number) + (d.edges[i + 1] as number)) / 2))) / sum(d.current.shares);
    assert.ok(Math.abs(mean(c) - 5) < 0.6, `calm mean ${mean(c)}`);
    assert.ok(Math.abs(mean(sh) - 10) < 0.6, `shifted mean ${mean(sh)}`);

    const cat = await call(s.url, 'GET', `/v1/models/m/features/c/distribution?from=${NOW - 2 * HOUR}&to=${NOW - HOUR}`);
    const cats = cat.body['categories'] as Array<{ name: string; reference: number; current: number; isNew: boolean }>;
    const z = cats.find((x) => x.name === 'z');
    assert.ok(z?.isNew, JSON.stringify(cats));
    assert.equal(z.reference, 0);
    assert.ok(Math.abs(z.current - 100 / 300) < 1e-9);
    assert.equal(cats.find((x) => x.name === 'a')?.isNew, false);
    const unknown = await call(s.url, 'GET', '/v1/models/m/features/nope/distribution');
    assert.equal(unknown.status, 404);
    assert.match((unknown.body['error'] as { message: string }).message, /features: x, c/);
  });
});

describe('issue 6: the dashboard static handler', () => {
  const root = tempDir('lookout-ui-');
  const app = Fastify();
  before(async () => {
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>Lookout</title>');
    writeFileSync(join(root, 'assets', 'app-abc.js'), 'console.log(1)');
    writeFileSync(join(root, '..', 'secret.txt'), 'secret');
    app.register(uiRoutes(root));
    await app.ready();
  });
  after(async () => {
    await app.close();
  });

  test('issue 6: index, assets with long caching, client routes, no traversal, a clear message when not built', async () => {
    const root1 = await app.inject({ url: '/' });
    assert.equal(root1.statusCode, 302);
    assert.equal(root1.headers['location'], '/ui/');
    const index = await app.inject({ url: '/ui/' });
    assert.equal(index.statusCode, 200);
    assert.match(String(index.headers['content-type']), /text\/html/);
    assert.equal(index.headers['cache-control'], 'no-cache');
    const asset = await app.inject({ url: '/ui/assets/app-abc.js' });
    assert.equal(asset.body, 'console.log(1)');
    assert.match(String(asset.headers['content-type']), /javascript/);
    assert.match(String(asset.headers['cache-control']), /immutable/);
    assert.equal((await app.inject({ url: '/ui/model/churn' })).body, index.body, 'client routes get index.html');
    assert.equal((await app.inject({ url: '/ui/assets/missing.js' })).statusCode, 404);
    for (const url of ['/ui/../secret.txt', '/ui/%2e%2e/secret.txt', '/ui/assets/..%2f..%2fsecret.txt']) {
      const res = await app.inject({ url });
      assert.notEqual(res.body, 'secret', url);
    }
    const bare = Fastify();
    bare.register(uiRoutes(join(root, 'not-built')));
    const res = await bare.inject({ url: '/ui/' });
    assert.equal(res.statusCode, 503);
    const notBuilt = JSON.parse(res.body) as { error: { code: string; message: string; details: unknown } };
    assert.deepEqual([notBuilt.error.code, notBuilt.error.details], ['unavailable', {}], 'in the catalog shape, as every error');
    assert.match(notBuilt.error.message, /npm run build/);
    await bare.close();
  });
});
