import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { testSchemas } from './helpers/pg-schemas.js';
import { call, testServer } from './helpers/server.js';

const url = process.env['LOOKOUT_TEST_PG_URL'];
const schemaName = testSchemas('lookout_auditpg', url).name;
let stores = 0;

/** The same server test on the embedded store and (when LOOKOUT_TEST_PG_URL is set) on PostgreSQL, in its own schema. */
function onBothStores(name: string, body: (s: Server) => Promise<void>): void {
  for (const store of ['duckdb', 'postgres'] as const) {
    const skip = store === 'postgres' && !url ? 'LOOKOUT_TEST_PG_URL not set' : false;
    test(`${name} (${store})`, { skip }, async () => {
      const schema = store === 'postgres' ? schemaName(String(stores++)) : '';
      const s = await testServer({ configure: (c) => {
        c.ingest.sampleRate = 1;
        if (store === 'postgres') c.storage = `${url as string}?schema=${schema}`;
      } });
      try {
        assert.equal(s.deps.store.kind, store);
        await body(s);
      } finally {
        await s.close();
      }
    });
  }
}

async function model(s: Server, name = 'm'): Promise<void> {
  const m = await call(s.url, 'POST', '/v1/models', {
    name, outputKind: 'regression', segmentKeys: ['region'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } },
  });
  assert.equal(m.status, 201, JSON.stringify(m.body));
  assert.equal((await call(s.url, 'POST', `/v1/models/${name}/versions`, { version: '1' })).status, 201);
}

describe('audit: PostgreSQL and DuckDB stores answer the same', () => {
  onBothStores('a segment value with a lone UTF-16 surrogate is accepted (as U+FFFD), not a 503 for the whole batch', async (s) => {
    await model(s);
    const t = Date.now() - 3_600_000;
    const r = await call(s.url, 'POST', '/v1/events', { events: [
      { id: 'a', model: 'm', version: '1', timestamp: t, features: { x: 1 }, prediction: 1, segment: { region: 'eu\ud800' } },
      { id: 'b', model: 'm', version: '1', timestamp: t, features: { x: 2 }, prediction: 2, segment: { region: 'us' } },
    ] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body['accepted'], 2);
    const range = `from=${t - 60_000}&to=${t + 60_000}`;
    const seg = await call(s.url, 'GET', `/v1/models/m/events?${range}&segment=${encodeURIComponent('region=eu\ufffd')}`);
    assert.equal(seg.status, 200, JSON.stringify(seg.body));
    assert.deepEqual((seg.body['events'] as Array<{ id: string }>).map((e) => e.id), ['a']);
    const h = await call(s.url, 'GET', `/v1/models/m/health?${range}&segment=${encodeURIComponent('region=eu\ufffd')}`);
    assert.equal(h.status, 200, JSON.stringify(h.body));
    assert.equal(h.body['events'], 1, JSON.stringify(h.body));
  });

  onBothStores('registry text with U+0000 (notes, upstream, by, reason) is a 400 validation_failed on both stores, not a 500 on PostgreSQL', async (s) => {
    await model(s);
    const nul = 'a\u0000b';
    assert.equal((await call(s.url, 'PUT', '/v1/models/m/versions/1.0.0', { notes: 'n' })).status, 201);
    assert.equal((await call(s.url, 'PUT', '/v1/models/m/versions/1.1.0', {})).status, 201);
    assert.equal((await call(s.url, 'PUT', '/v1/models/m/aliases/production', { version: '1.0.0', reason: 'first' })).status, 200);
    assert.equal((await call(s.url, 'PUT', '/v1/models/m/aliases/production', { version: '1.1.0', reason: 'second' })).status, 200);
    const calls: Array<[string, string, unknown]> = [
      ['PUT', '/v1/models/m/versions/1.2.0', { notes: nul }],
      ['PUT', '/v1/models/m/versions/1.2.0', { upstream: `http://127.0.0.1:1/${nul}` }],
      ['PUT', '/v1/models/m/versions/1.2.0', { by: nul }],
      ['PATCH', '/v1/models/m/versions/1.0.0', { notes: nul }],
      ['PUT', '/v1/models/m/aliases/production', { version: '1.0.0', reason: nul }],
      ['PUT', '/v1/models/m/aliases/production', { version: '1.0.0', reason: 'r', by: nul }],
      ['POST', '/v1/models/m/rollback', { alias: 'production', reason: nul }],
      ['POST', '/v1/models/m/pause', { reason: nul }],
      ['POST', '/v1/models/m/versions/1.0.0/pause', { reason: 'r', by: nul }],
    ];
    for (const [method, path, body] of calls) {
      const r = await call(s.url, method, path, body);
      assert.equal(r.status, 400, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.equal((r.body['error'] as { code: string }).code, 'validation_failed');
    }
    const versions = (await call(s.url, 'GET', '/v1/models/m/versions')).body['versions'] as Array<{ version: string; notes: string | null; paused: boolean }>;
    assert.deepEqual(versions.filter((v) => v.version !== '1').map((v) => [v.version, v.notes ?? null, v.paused]), [['1.0.0', 'n', false], ['1.1.0', null, false]]);
    assert.deepEqual((await call(s.url, 'GET', '/v1/models/m/aliases')).body['aliases'], { production: '1.1.0' });
    const deployments = (await call(s.url, 'GET', '/v1/models/m/deployments')).body['deployments'] as Array<{ reason: string }>;
    assert.deepEqual(deployments.map((d) => d.reason), ['first', 'second']);
  });

  onBothStores('a monitor whose segment or version holds U+0000 is refused (400), so it cannot fail every monitor tick on PostgreSQL', async (s) => {
    await model(s);
    const t = Date.now() - 3 * 3_600_000;
    const events = Array.from({ length: 100 }, (_, i) => ({ id: `e${i}`, model: 'm', version: '1', timestamp: t + i * 1000, features: { x: i }, prediction: i, segment: { region: 'a' } }));
    assert.equal((await call(s.url, 'POST', '/v1/events', { events })).body['accepted'], 100);
    const monitor = { model: 'm', metric: 'errorRate', window: '1h', levels: [{ severity: 'warning', threshold: 0.1 }], minSamples: 1 };
    for (const bad of [{ segment: 'region=a\u0000b' }, { version: '1\u0000' }]) {
      const r = await call(s.url, 'POST', '/v1/monitors', { ...monitor, id: 'bad', ...bad });
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal((r.body['error'] as { code: string }).code, 'validation_failed');
    }
    assert.equal((await call(s.url, 'POST', '/v1/monitors', { ...monitor, id: 'good', segment: 'region=a' })).status, 201);
    const run = await call(s.url, 'POST', '/v1/monitors/run', {});
    assert.equal(run.status, 200, JSON.stringify(run.body));
    const ev = await call(s.url, 'GET', `/v1/monitors/good/evaluations?from=${t - 3_600_000}&to=${Date.now()}`);
    assert.ok((ev.body['evaluations'] as unknown[]).length > 0, JSON.stringify(ev.body));
    assert.deepEqual(((await call(s.url, 'GET', '/v1/monitors')).body['monitors'] as Array<{ id: string }>).map((m) => m.id), ['good']);
  });
});

