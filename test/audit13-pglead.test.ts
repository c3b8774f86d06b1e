import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from './helpers/cli.js';
import { spawnServe } from './helpers/process.js';
import { call } from './helpers/server.js';
import { pgProxy } from './helpers/pg-proxy.js';
import { testSchemas } from './helpers/pg-schemas.js';

const url = process.env['LOOKOUT_TEST_PG_URL'];
const skip = url ? false : 'LOOKOUT_TEST_PG_URL not set: the PostgreSQL tests are skipped';
const schemaName = testSchemas('lookout_a13pglead', url).name;

const model = { name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } };
const EVENTS = /INSERT INTO \S+\.events\b/;
const SUMMARIES_WRITE = /INSERT INTO \S+\.summaries\b/;
const SUMMARIES_READ = /SELECT [^\0]* FROM \S+\.summaries\b/;

describe('audit13: reads read their writes on PostgreSQL when a store read fails while a committed group is merged', { skip }, () => {
  test('a group committed while a checkpoint wrote its windows, merged after that checkpoint ended with the store read of its (evicted) windows failing once: acknowledged and counted by the next /health read, ingest goes on', async () => {
    const proxy = await pgProxy(url as string);
    const srv = await spawnServe(['--store', proxy.url(schemaName('merge')), '--data-dir', tempDir('lookout-a13pglead-')]);
    try {
      assert.equal((await call(srv.url, 'POST', '/v1/models', model)).status, 201);
      assert.equal((await call(srv.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
      // An hour ago: its minute window has ended, so a checkpoint that wrote it clean drops it from memory.
      const t = Date.now() - 3_600_000;
      const batch = (prefix: string): unknown[] => Array.from({ length: 50 }, (_, i) => ({ id: `${prefix}${i}`, model: 'm', version: '1', timestamp: t + i, features: { x: i }, prediction: i }));
      const range = `from=${t - 60_000}&to=${Date.now() + 60_000}`;
      assert.equal((await call(srv.url, 'POST', '/v1/events', { events: batch('a') })).status, 200);
      // A reader's checkpoint writes the windows; PostgreSQL commits it, its answer held back.
      const checkpoint = proxy.holdCommit(SUMMARIES_WRITE);
      const read1 = call(srv.url, 'GET', `/v1/models/m/health?${range}`);
      await checkpoint.held;
      // Group g: prepared while the windows are in memory (dirty), committed while the checkpoint's answer is held.
      const group = proxy.holdCommit(EVENTS);
      const post = call(srv.url, 'POST', '/v1/events', { events: batch('g') });
      await group.held;
      // The checkpoint ends: its windows are clean and, ended, dropped from memory.
      checkpoint.release();
      const h1 = await read1;
      assert.equal(h1.status, 200, JSON.stringify(h1.body));
      assert.equal(h1.body['events'], 50);
      // g's answer comes: merging it reloads its windows from the store, and that read's connection drops once.
      const killed = proxy.killOn(SUMMARIES_READ);
      group.release();
      const r = await post;
      assert.equal(r.status, 200, JSON.stringify(r.body));
      await killed;
      const h2 = await call(srv.url, 'GET', `/v1/models/m/health?${range}`);
      assert.equal(h2.status, 200, JSON.stringify(h2.body));
      assert.equal(h2.body['events'], 100, `acknowledged events not counted by the next read:\n${srv.stderr().slice(-1500)}`);
      const hz = await call(srv.url, 'GET', '/healthz');
      assert.equal(hz.status, 200, JSON.stringify(hz.body));
      assert.equal((await call(srv.url, 'POST', '/v1/events', { events: batch('b') })).status, 200, 'ingest goes on');
      const h3 = await call(srv.url, 'GET', `/v1/models/m/health?${range}`);
      assert.equal(h3.body['events'], 150);
    } finally {
      await srv.stop();
      proxy.close();
    }
  });
});
