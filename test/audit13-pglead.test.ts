import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from './helpers/cli.js';
import { spawnServe } from './helpers/process.js';
import { call } from './helpers/server.js';
import pg from 'pg';
import { pgProxy } from './helpers/pg-proxy.js';
import { testSchemas } from './helpers/pg-schemas.js';

const url = process.env['LOOKOUT_TEST_PG_URL'];
const skip = url ? false : 'LOOKOUT_TEST_PG_URL not set: the PostgreSQL tests are skipped';
const schemaName = testSchemas('lookout_a13pglead', url).name;

const model = { name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } };
const EVENTS = /INSERT INTO \S+\.events\b/;
const SUMMARIES_WRITE = /INSERT INTO \S+\.summaries\b/;
/** Checkpoints ended so far (the server's metric). */
const checkpoints = async (base: string): Promise<number> => {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^lookout_summary_checkpoint_seconds_count(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0);
};
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
      // The checkpoint of a's windows (the timer's, checkpointMs after a): PostgreSQL commits it, its answer held back.
      const checkpoint = proxy.holdCommit(SUMMARIES_WRITE);
      assert.equal((await call(srv.url, 'POST', '/v1/events', { events: batch('a') })).status, 200);
      await checkpoint.held;
      // Group g: prepared while the windows are in memory (dirty), committed while the checkpoint's answer is held.
      const group = proxy.holdCommit(EVENTS);
      const post = call(srv.url, 'POST', '/v1/events', { events: batch('g') });
      await group.held;
      // The checkpoint ends: its windows are clean and, ended, dropped from memory.
      const before = await checkpoints(srv.url);
      checkpoint.release();
      for (let i = 0; i < 200 && (await checkpoints(srv.url)) === before; i++) await new Promise((res) => setTimeout(res, 25));
      assert.equal(await checkpoints(srv.url), before + 1);
      // g's answer comes: merging it reloads its windows from the store, and that read's connection drops once.
      const killed = proxy.killOn(SUMMARIES_READ);
      group.release();
      const r = await post;
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const late = new Promise<string>((res) => setTimeout(() => res('late'), 10_000).unref());
      assert.notEqual(await Promise.race([killed.then(() => 'killed'), late]), 'late', 'the merge read its windows from the store');
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

describe('audit13: a COMMIT whose answer was lost while PostgreSQL had not taken it yet', { skip }, () => {
  test('its session still open when the committed mark is read: the outcome waits for that session to end (before: "failed", and its events, committed a moment later, were answered as duplicates of themselves and never counted)', async () => {
    const proxy = await pgProxy(url as string);
    const schema = schemaName('stall');
    const srv = await spawnServe(['--store', proxy.url(schema), '--data-dir', tempDir('lookout-a13pglead-')]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      assert.equal((await call(srv.url, 'POST', '/v1/models', model)).status, 201);
      assert.equal((await call(srv.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
      const t = Date.now() - 3_600_000;
      const events = Array.from({ length: 20 }, (_, i) => ({ id: `s${i}`, model: 'm', version: '1', timestamp: t + i, features: { x: i }, prediction: i }));
      const stall = proxy.stallCommit(EVENTS);
      let answered = false;
      const post = call(srv.url, 'POST', '/v1/events', { events }).finally(() => (answered = true));
      await stall.stalled;
      // PostgreSQL takes the COMMIT once a statement of the server waits for the stalled transaction's rows (the server
      // sending the group again), or once the server answered: whichever comes first.
      for (let i = 0; i < 300 && !answered; i++) {
        const waiting = await client.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1`, [`%"${schema}".events%`]);
        if ((waiting.rows[0] as { n: number }).n > 0) break;
        await new Promise((res) => setTimeout(res, 50));
      }
      stall.forward();
      const r = await post;
      const stored = (await client.query(`SELECT count(*)::int AS n FROM "${schema}".events`)).rows[0] as { n: number };
      const h = await call(srv.url, 'GET', `/v1/models/m/health?from=${t - 60_000}&to=${Date.now() + 60_000}`);
      assert.equal(h.status, 200, JSON.stringify(h.body));
      assert.equal(stored.n, 20);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body['accepted'], 20, `the group's events answered as already stored: ${JSON.stringify(r.body)}\n${srv.stderr().slice(-1500)}`);
      assert.equal(h.body['events'], 20, 'every stored event counted');
      assert.equal((await call(srv.url, 'GET', '/healthz')).status, 200);
    } finally {
      await client.end();
      await srv.stop();
      proxy.close();
    }
  });
});

describe('audit13: a registry write whose COMMIT answer was lost while PostgreSQL had not taken it yet', { skip }, () => {
  test('the server reads the model back once that session has ended: what the API shows is what PostgreSQL holds (before: read back first, then committed, the version stored and unknown to the server until a restart)', async () => {
    const proxy = await pgProxy(url as string);
    const schema = schemaName('regstall');
    const srv = await spawnServe(['--store', proxy.url(schema), '--data-dir', tempDir('lookout-a13pglead-')]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      assert.equal((await call(srv.url, 'POST', '/v1/models', model)).status, 201);
      assert.equal((await call(srv.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
      const stall = proxy.stallCommit(/INSERT INTO \S+\.versions\b/);
      const lost = await call(srv.url, 'POST', '/v1/models/m/versions', { version: '2' });
      await stall.stalled;
      assert.equal(lost.status, 503, JSON.stringify(lost.body));
      // The server reads the model back 1 s after the lost answer; PostgreSQL takes the COMMIT after that, if its
      // session is still there.
      await new Promise((res) => setTimeout(res, 2_500));
      stall.forward();
      await new Promise((res) => setTimeout(res, 1_000));
      const stored = (await client.query(`SELECT version FROM "${schema}".versions ORDER BY version`)).rows.map((r: { version: string }) => r.version);
      let shown: string[] = [];
      for (let i = 0; i < 40; i++) {
        const m = await call(srv.url, 'GET', '/v1/models/m');
        if (m.status === 200) shown = (m.body['versions'] as Array<{ version: string }>).map((v) => v.version).sort();
        if (shown.join() === stored.join()) break;
        await new Promise((res) => setTimeout(res, 250));
      }
      assert.deepEqual(shown, stored, 'the server shows the versions PostgreSQL holds');
    } finally {
      await client.end();
      await srv.stop();
      proxy.close();
    }
  });
});
