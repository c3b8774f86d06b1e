import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import type { Server } from '../src/server.js';
import { call, testServer } from './helpers/server.js';

const url = process.env['LOOKOUT_TEST_PG_URL'];
const skip = url ? false : 'LOOKOUT_TEST_PG_URL not set: the server-on-PostgreSQL tests are skipped';
const schema = `lookout_srv_${process.pid}_${Date.now()}`;

describe('lookout serve on PostgreSQL (--store postgres://...?schema=...)', { skip }, () => {
  let s: Server;
  before(async () => {
    s = await testServer({ configure: (c) => (c.storage = `${url as string}?schema=${schema}`) });
  });
  after(async () => {
    await s?.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  test('models, ingest and drift work the same as on the embedded store', async () => {
    assert.equal(s.deps.store.kind, 'postgres');
    assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'p', outputKind: 'regression', inputSchema: { type: 'object', properties: { a: { type: 'number' } } } })).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/models/p/versions', { version: '1' })).status, 201);
    const csv = 'a,prediction\n' + Array.from({ length: 500 }, (_, i) => `${i % 50},${i % 7}`).join('\n');
    const ref = await fetch(`${s.url}/v1/models/p/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: csv });
    assert.equal(ref.status, 200);
    const t = Date.now() - 3_600_000;
    const events = Array.from({ length: 400 }, (_, i) => ({ model: 'p', version: '1', timestamp: t + i, features: { a: (i % 50) + 30 }, prediction: i % 7 }));
    const r = await call(s.url, 'POST', '/v1/events', { events });
    assert.equal(r.body['accepted'], 400);
    const d = await call(s.url, 'GET', `/v1/models/p/drift?from=${t - 60_000}&to=${t + 60_000}`);
    assert.equal(d.status, 200, JSON.stringify(d.body));
    const f = (d.body['features'] as Array<{ name: string; method: string; drifted: boolean }>)[0];
    assert.deepEqual([f?.name, f?.method, f?.drifted], ['a', 'ks', true]);
    assert.equal(await s.deps.store.countEvents('p'), 400);
  });

  test('a second server on the same schema refuses to start (they would overwrite each other\'s summaries); it starts once the first has stopped', async () => {
    const other = `${schema}_w`;
    const storage = `${url as string}?schema=${other}`;
    const first = await testServer({ configure: (c) => (c.storage = storage) });
    try {
      await assert.rejects(testServer({ configure: (c) => (c.storage = storage) }), /another Lookout server is writing PostgreSQL schema "lookout_srv_\d+_\d+_w"/);
      // The first one is unaffected.
      assert.equal((await call(first.url, 'GET', '/healthz')).status, 200);
      // Another schema is another store.
      const elsewhere = await testServer({ configure: (c) => (c.storage = `${url as string}?schema=${other}2`) });
      await elsewhere.close();
    } finally {
      await first.close();
    }
    const again = await testServer({ configure: (c) => (c.storage = storage) });
    await again.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (const x of [other, `${other}2`]) await client.query(`DROP SCHEMA IF EXISTS "${x}" CASCADE`);
    await client.end();
  });
});
