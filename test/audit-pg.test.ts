import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { Server } from '../src/server.js';
import { call, testServer } from './helpers/server.js';

const url = process.env['LOOKOUT_TEST_PG_URL'];
const schemas: string[] = [];

/** The same server test on the embedded store and (when LOOKOUT_TEST_PG_URL is set) on PostgreSQL, in its own schema. */
function onBothStores(name: string, body: (s: Server) => Promise<void>): void {
  for (const store of ['duckdb', 'postgres'] as const) {
    const skip = store === 'postgres' && !url ? 'LOOKOUT_TEST_PG_URL not set' : false;
    test(`${name} (${store})`, { skip }, async () => {
      const schema = `lookout_auditpg_${process.pid}_${schemas.length}`;
      if (store === 'postgres') schemas.push(schema);
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

after(async () => {
  if (!url || schemas.length === 0) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

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
});
