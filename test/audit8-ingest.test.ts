import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import pg from 'pg';
import type { AddressInfo } from 'node:net';
import { LookoutClient, type LookoutClientError } from '../src/client/index.js';
import { defaultConfig, type LookoutConfig } from '../src/config.js';
import { startServer, type Server } from '../src/server.js';
import { tempDir } from './helpers/cli.js';
import { call, testServer } from './helpers/server.js';

/** A loopback port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('audit8: ingest through the client against a real server that is down, then started', () => {
  const servers: Server[] = [];
  after(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  test('a batch holding one id twice, retried because the server was down: the client counts 1 sent and 1 rejected, as the server stored 1', async () => {
    const port = await freePort();
    const config: LookoutConfig = defaultConfig();
    config.dataDir = tempDir('lookout-audit8-ingest-');
    config.server.port = port;
    config.server.host = '127.0.0.1';
    let s = await startServer({ config });
    servers.push(s);
    const base = s.url;
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
    await s.close();
    servers.pop();

    const errors: LookoutClientError[] = [];
    const client = new LookoutClient({ url: base, flushIntervalMs: 10, backoff: { initialMs: 20, maxMs: 100 }, maxRetries: 1000, onError: (e) => errors.push(e) });
    const row = { id: 'twice', model: 'm', version: '1', features: { x: 1 }, prediction: '1' };
    client.log({ ...row });
    client.log({ ...row });
    // The first attempts find nothing listening (connection refused): the batch is retried.
    for (let i = 0; i < 100 && client.stats().events.retries < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(client.stats().events.retries >= 2, JSON.stringify(client.stats()));
    s = await startServer({ config });
    servers.push(s);
    await client.close();

    const now = Date.now();
    const health = await call(base, 'GET', `/v1/models/m/health?from=${now - 3_600_000}&to=${now + 60_000}`);
    assert.equal(health.status, 200, JSON.stringify(health.body));
    assert.equal(health.body['events'], 1);
    const st = client.stats().events;
    // Before: the retry's answer (row 0 accepted, row 1 duplicate_id "appears twice in this batch") counted both as sent.
    assert.deepEqual({ sent: st.sent, rejected: st.rejected, failed: st.failed, dropped: st.dropped }, { sent: 1, rejected: 1, failed: 0, dropped: 0 });
    assert.deepEqual(errors.map((e) => [e.kind, e.count]), [['rejected', 1]]);
  });

  test('an id stored as another model\'s prediction, answered duplicate_id to a retry (the server was down): rejected, not sent', async () => {
    const port = await freePort();
    const config: LookoutConfig = defaultConfig();
    config.dataDir = tempDir('lookout-audit8-ingest-');
    config.server.port = port;
    config.server.host = '127.0.0.1';
    let s = await startServer({ config });
    servers.push(s);
    const base = s.url;
    const schema = { type: 'object', properties: { x: { type: 'number' } } };
    for (const name of ['a', 'b']) {
      assert.equal((await call(base, 'POST', '/v1/models', { name, outputKind: 'binary', classes: ['0', '1'], inputSchema: schema })).status, 201);
      assert.equal((await call(base, 'POST', `/v1/models/${name}/versions`, { version: '1' })).status, 201);
    }
    // One request id used as the prediction id of two models: model a's event is stored first.
    const stored = await call(base, 'POST', '/v1/events', [{ id: 'req-1', model: 'a', version: '1', features: { x: 1 }, prediction: '1' }]);
    assert.equal(stored.body['accepted'], 1);
    await s.close();
    servers.pop();

    const errors: LookoutClientError[] = [];
    const client = new LookoutClient({ url: base, flushIntervalMs: 10, backoff: { initialMs: 20, maxMs: 100 }, maxRetries: 1000, onError: (e) => errors.push(e) });
    client.log({ id: 'req-1', model: 'b', version: '1', features: { x: 1 }, prediction: '1' });
    for (let i = 0; i < 100 && client.stats().events.retries < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(client.stats().events.retries >= 2, JSON.stringify(client.stats()));
    s = await startServer({ config });
    servers.push(s);
    await client.close();

    const now = Date.now();
    const health = await call(base, 'GET', `/v1/models/b/health?from=${now - 3_600_000}&to=${now + 60_000}`);
    assert.equal(health.body['events'], 0);
    const st = client.stats().events;
    // Before: sent 1 and no onError call, though model b stored nothing.
    assert.deepEqual({ sent: st.sent, rejected: st.rejected }, { sent: 0, rejected: 1 });
    assert.deepEqual(errors.map((e) => [e.kind, e.rejections?.[0]?.code]), [['rejected', 'duplicate_id']]);
    // The answer names the owner in details too (what the client reads).
    const again = await call(base, 'POST', '/v1/events', [{ id: 'req-1', model: 'b', version: '1', features: { x: 1 }, prediction: '1' }]);
    assert.deepEqual((again.body['results'] as Array<{ details?: unknown }>)[0]?.details, { model: 'a' });
  });
});

const pgUrl = process.env['LOOKOUT_TEST_PG_URL'];

describe('audit8: POST /v1/events answered 503 (the store refused the commit) counts no rejected row in /metrics', { skip: pgUrl ? false : 'LOOKOUT_TEST_PG_URL not set' }, () => {
  const schema = `lookout_a8ingest_${process.pid}_${Date.now()}`;
  let s: Server | null = null;
  after(async () => {
    await s?.close();
    const client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  test('a batch with a bad row refused 503 three times, then stored: lookout_events_rejected_total counts the bad row once, as /quality does', async () => {
    s = await testServer({ configure: (c) => (c.storage = `${pgUrl as string}?schema=${schema}`) });
    const base = s.url;
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
    const rejectedTotal = async (): Promise<number> => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return Number(/^lookout_events_rejected_total\{model="m",code="invalid_score"\} (\S+)$/m.exec(text)?.[1] ?? 0);
    };
    const batch = { events: [{ id: 'ok-1', model: 'm', version: '1', features: { x: 1 }, prediction: 1 }, { id: 'bad-1', model: 'm', version: '1', features: { x: 1 }, prediction: 1, score: 2 }] };
    // The store refuses every commit that writes an event (an outage of the database, as seen by Lookout).
    const db = new pg.Client({ connectionString: pgUrl });
    await db.connect();
    try {
      await db.query(`CREATE FUNCTION "${schema}".refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected outage'; END $$`);
      await db.query(`CREATE TRIGGER refuse BEFORE INSERT ON "${schema}".events FOR EACH ROW EXECUTE FUNCTION "${schema}".refuse()`);
      for (let i = 0; i < 3; i++) {
        const r = await call(base, 'POST', '/v1/events', batch);
        assert.equal(r.status, 503, JSON.stringify(r.body));
      }
      // Before: 3 (each refused attempt counted its bad row, though no row was answered).
      assert.equal(await rejectedTotal(), 0);
      await db.query(`DROP TRIGGER refuse ON "${schema}".events`);
    } finally {
      await db.end();
    }
    const r = await call(base, 'POST', '/v1/events', batch);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([r.body['accepted'], r.body['rejected']], [1, 1]);
    assert.equal(await rejectedTotal(), 1);
    const now = Date.now();
    const q = await call(base, 'GET', `/v1/models/m/quality?from=${now - 3_600_000}&to=${now + 60_000}`);
    assert.deepEqual([q.body['rejected'], q.body['rejectedByCode']], [1, { invalid_score: 1 }]);
  });
});
