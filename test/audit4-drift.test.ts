import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { tempDir } from './helpers/cli.js';
import { driftFeature, FROM, HOUR, NOW, RANGE, SameData, type DriftAnswer, type DriftFeature } from './helpers/drift.js';
import { call, testServer } from './helpers/server.js';

describe('drift over stored windows: audit 4 (real server, DuckDB file, real CLI)', () => {
  let s: Server;
  let data: SameData;
  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    data = new SameData(s, tempDir('lookout-audit4-drift-'));
  });
  after(async () => {
    await s.close();
  });

  test('driftShare=0.3 on GET /drift gives the dataset verdict of lookout drift --drift-share 0.3; out of (0, 1] is a 400', async () => {
    // a drifts (shifted by 30 of 40), b and c do not: 1 of 3 features, share 0.33: dataset drift at 0.3, not at 0.5.
    const ref = { a: Array.from({ length: 40 }, (_, i) => i), b: Array.from({ length: 40 }, (_, i) => i % 7), c: Array.from({ length: 40 }, (_, i) => i) };
    const cur = { a: Array.from({ length: 40 }, (_, i) => i + 30), b: Array.from({ length: 40 }, (_, i) => (i + 3) % 7), c: Array.from({ length: 40 }, (_, i) => i + 1) };
    const props = { a: { type: 'number' }, b: { type: 'number' }, c: { type: 'number' } };
    const { server, cli } = await data.both('share', props, ref, cur, '&driftShare=0.3', ['--drift-share', '0.3']);
    assert.deepEqual(server.features.map((f) => [f.name, f.drifted]), [['a', true], ['b', false], ['c', false]]);
    assert.deepEqual(server.datasetDrift, cli.datasetDrift);
    assert.equal(server.datasetDrift.drifted, true);
    assert.equal(server.datasetDrift.threshold, 0.3);
    // The default stays 0.5 (as the CLI's).
    const def = (await call(s.url, 'GET', `/v1/models/share/drift?${RANGE}`)).body as { datasetDrift: { drifted: boolean; threshold: number } };
    assert.deepEqual([def.datasetDrift.drifted, def.datasetDrift.threshold], [false, 0.5]);
    const one = (await call(s.url, 'GET', `/v1/models/share/drift?${RANGE}&driftShare=1`)).body as { datasetDrift: { drifted: boolean; threshold: number } };
    assert.deepEqual([one.datasetDrift.drifted, one.datasetDrift.threshold], [false, 1]);
    for (const bad of ['0', '-0.2', '1.5', 'abc', '', 'NaN', 'Infinity']) {
      const r = await call(s.url, 'GET', `/v1/models/share/drift?${RANGE}&driftShare=${bad}`);
      assert.equal(r.status, 400, `driftShare=${bad}: ${r.status} ${JSON.stringify(r.body)}`);
      const e = r.body['error'] as { code: string; message: string };
      assert.equal(e.code, 'bad_request');
      // an empty driftShare: refused as every empty query parameter is (audit 25)
      assert.match(e.message, bad === '' ? /query parameter "driftShare" is empty/ : /driftShare must be a number in \(0, 1\]/);
    }
  });

  test('a current range with 254 categories (over the cap of 200): newCategories lists only category values, never the "other" bucket', async () => {
    // Reference: a-d. Current: a-d and 250 new ones, over the cap, so the merged summary folds some into "other".
    const ref = { city: Array.from({ length: 40 }, (_, i) => 'abcd'[i % 4] as string) };
    const cur = { city: Array.from({ length: 300 }, (_, i) => (i < 50 ? ('abcd'[i % 4] as string) : `n${i - 50}`)) };
    const { server, cli } = await data.both('cities', { city: { type: 'string' } }, ref, cur);
    const sv = driftFeature(server, 'city').stats['newCategories'] as string[];
    const cl = driftFeature(cli, 'city').stats['newCategories'] as string[];
    assert.equal(cl.length, 250);
    assert.ok(sv.length > 0, 'the categories kept are listed');
    assert.deepEqual(sv.filter((c) => !cl.includes(c)), [], 'every category the server calls new is one the CLI calls new');
    const q = await call(s.url, 'GET', `/v1/models/cities/quality?${RANGE}`);
    assert.equal(q.status, 200);
    const qf = (q.body['features'] as Array<{ name: string; newCategories: string[]; newCategoryRate: number }>).find((f) => f.name === 'city');
    assert.deepEqual(qf?.newCategories, sv);
    assert.ok(qf && qf.newCategoryRate > 0 && qf.newCategoryRate <= 250 / 300, `newCategoryRate ${qf?.newCategoryRate}`);
  });
  test('a reference with 250 categories (over the cap of 200) and the same 250 in the range: no category is called new', async () => {
    const cats = (n: number): string[] => Array.from({ length: n }, (_, i) => `k${String((i * 7) % 250).padStart(3, '0')}`);
    const { server, cli } = await data.both('many', { city: { type: 'string' } }, { city: cats(500) }, { city: cats(500).reverse() });
    assert.deepEqual(driftFeature(cli, 'city').stats['newCategories'], []);
    assert.deepEqual(driftFeature(server, 'city').stats['newCategories'], []);
    const dist = await call(s.url, 'GET', `/v1/models/many/features/city/distribution?${RANGE}`);
    assert.equal(dist.status, 200);
    assert.deepEqual((dist.body['categories'] as Array<{ name: string; isNew: boolean }>).filter((c) => c.isNew).map((c) => c.name), []);
  });
});

describe('drift over stored windows: ranges a user hits with nothing to compare (audit 4)', () => {
  let s: Server;
  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    const base = s.url;
    const props = { x: { type: 'number' }, c: { type: 'string' }, z: { type: 'number' } };
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'edges', outputKind: 'regression', segmentKeys: ['region'], inputSchema: { type: 'object', properties: props } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/edges/versions', { version: '1' })).status, 201);
    const rows = Array.from({ length: 50 }, (_, i) => `${i},${'pq'[i % 2]},,${i / 10}`);
    const up = await call(base, 'PUT', '/v1/models/edges/versions/1/reference', `x,c,z,prediction\n${rows.join('\n')}\n`, { 'content-type': 'text/csv' });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    // x never sent in the range: all missing; c as in the reference; z empty in every reference row, sent in every event.
    const events = Array.from({ length: 30 }, (_, i) => ({
      id: `e${i}`, model: 'edges', version: '1', timestamp: new Date(FROM + i * 60_000).toISOString(), features: { c: 'pq'[i % 2], z: i }, prediction: i / 10, segment: { region: 'eu' },
    }));
    assert.equal((await call(base, 'POST', '/v1/events', { events })).body['accepted'], 30);
  });
  after(async () => {
    await s.close();
  });

  /** GET path: a 200 or a 4xx with a structured error, and never NaN/Infinity (as text or as null where a number is due). */
  const get = async (path: string): Promise<{ status: number; text: string; body: Record<string, unknown> }> => {
    const res = await fetch(s.url + path);
    const text = await res.text();
    assert.ok(res.status === 200 || (res.status >= 400 && res.status < 500), `${path}: ${res.status} ${text.slice(0, 300)}`);
    assert.doesNotMatch(text, /NaN|Infinity/, path);
    const body = JSON.parse(text) as Record<string, unknown>;
    if (res.status !== 200) assert.equal(typeof (body['error'] as { message?: unknown }).message, 'string', text);
    return { status: res.status, text, body };
  };

  test('a feature all missing in the range (or in every reference row): no score, no drift, and a note saying why', async () => {
    const { status, body } = await get(`/v1/models/edges/drift?${RANGE}`);
    assert.equal(status, 200);
    const d = body as unknown as DriftAnswer;
    const x = driftFeature(d, 'x');
    assert.equal(x.score, null);
    assert.equal(x.drifted, false);
    assert.match(x.note ?? '', /current/);
    assert.equal(driftFeature(d, 'c').score, 1);
    const z = driftFeature(d, 'z');
    assert.deepEqual([z.score, z.drifted], [null, false]);
    assert.match(z.note ?? '', /reference/);
    await get(`/v1/models/edges/quality?${RANGE}`);
    await get(`/v1/models/edges/features/x/distribution?${RANGE}`);
    await get(`/v1/models/edges/timeseries?metric=drift:x&granularity=hour&${RANGE}`);
    await get(`/v1/models/edges/features/z/distribution?${RANGE}`);
    await get(`/v1/models/edges/timeseries?metric=drift:z&granularity=hour&${RANGE}`);
    for (const m of ['psi', 'wasserstein', 'jensenshannon', 'hellinger']) await get(`/v1/models/edges/drift?${RANGE}&method=${m}`);
  });

  for (const [what, query] of [['a range with zero events', `from=${FROM - 3 * HOUR}&to=${FROM - HOUR}`], ['a segment with no data', `${RANGE}&segment=region=us`]] as const) {
    test(`${what}: every feature listed with no score and no drift, and the dataset not drifted`, async () => {
      const { status, body } = await get(`/v1/models/edges/drift?${query}`);
      assert.equal(status, 200);
      const d = body as unknown as DriftAnswer & { currentEvents: number; prediction: DriftFeature | null };
      assert.equal(d.currentEvents, 0);
      assert.deepEqual(d.features.map((f) => [f.name, f.score, f.drifted]), [['x', null, false], ['c', null, false], ['z', null, false]]);
      for (const f of d.features) assert.match(f.note ?? '', f.name === 'z' ? /in reference/ : /in current/, f.name);
      assert.equal(d.prediction?.score, null);
      assert.equal(d.datasetDrift.drifted, false);
      await get(`/v1/models/edges/quality?${query}`);
      await get(`/v1/models/edges/features/x/distribution?${query}`);
      await get(`/v1/models/edges/features/c/distribution?${query}`);
      await get(`/v1/models/edges/segments?details=true&${query}`);
      await get(`/v1/models/edges/timeseries?metric=driftShare&granularity=hour&${query}`);
      await get(`/v1/models/edges/timeseries?metric=drift:x&granularity=hour&${query}`);
      await get(`/v1/models/edges/features/z/distribution?${query}`);
      for (const m of ['psi', 'wasserstein', 'chisquare']) await get(`/v1/models/edges/drift?${query}&method=${m}&driftShare=0.1`);
    });
  }
});
