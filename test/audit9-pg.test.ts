import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { tempDir } from './helpers/cli.js';
import { spawnServe } from './helpers/process.js';
import { call } from './helpers/server.js';
import { pgProxy } from './helpers/pg-proxy.js';

const url = process.env['LOOKOUT_TEST_PG_URL'];
const skip = url ? false : 'LOOKOUT_TEST_PG_URL not set: the PostgreSQL tests are skipped';
const schemas: string[] = [];
const schemaName = (tag: string): string => {
  const s = `lookout_a9pg_${tag}_${process.pid}`;
  schemas.push(s);
  return s;
};

after(async () => {
  if (!url || schemas.length === 0) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await client.end();
});

const model = { name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } };

describe('audit9: lookout serve on PostgreSQL', { skip }, () => {
  test('issue 3: PostgreSQL going away mid-ingest answers 503 unavailable and keeps the server running; every acknowledged event is stored and counted once it is back', async () => {
    const proxy = await pgProxy(url as string);
    // Storage threads and the delta worker at normal priority: at idle (the default) a test file beside this one that
    // keeps the CPU busy starved them, so the group commits waited out the cuts (CI: 59 requests in the 7 s, none refused,
    // and this test failed its premise that the cuts reached the server); the priority is not what this test is about.
    const dir = tempDir('lookout-a9pg-');
    const config = join(dir, 'lookout.yaml');
    writeFileSync(config, 'server: { backgroundPriority: normal }\n');
    const srv = await spawnServe(['--config', config, '--store', proxy.url(schemaName('outage')), '--data-dir', join(dir, 'data')]);
    try {
      assert.equal((await call(srv.url, 'POST', '/v1/models', model)).status, 201);
      assert.equal((await call(srv.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
      const t = Date.now() - 3_600_000;
      const acked: string[] = [];
      const codes = new Map<string, number>();
      let next = 0;
      let exited: number | null | undefined;
      srv.proc.once('exit', (code) => (exited = code));
      const sendUntil = async (end: number): Promise<void> => {
        while (Date.now() < end && exited === undefined) {
          const ids = Array.from({ length: 50 }, () => `e${next++}`);
          const events = ids.map((id, i) => ({ id, model: 'm', version: '1', timestamp: t + next + i, features: { x: i }, prediction: i }));
          let r;
          try {
            r = await call(srv.url, 'POST', '/v1/events', { events });
          } catch {
            codes.set('no answer', (codes.get('no answer') ?? 0) + 1);
            await new Promise((res) => setTimeout(res, 50));
            continue;
          }
          const key = `${r.status} ${(r.body['error'] as { code?: string } | undefined)?.code ?? ''}`;
          codes.set(key, (codes.get(key) ?? 0) + 1);
          if (r.status === 200) acked.push(...ids);
        }
      };
      const t0 = Date.now();
      const senders = [sendUntil(t0 + 7000), sendUntil(t0 + 7000)];
      // Cut PostgreSQL off several times while both senders' transactions are in flight.
      for (const at of [1000, 3000, 5000]) {
        setTimeout(() => proxy.cut(), at);
        setTimeout(() => proxy.restore(), at + 1500);
      }
      await Promise.all(senders);
      assert.equal(exited, undefined, `the server exited (${String(exited)}) when PostgreSQL went away:\n${srv.stderr().slice(-2000)}`);
      assert.deepEqual([...codes.keys()].filter((k) => k !== '200 ' && k !== '503 unavailable'), [], JSON.stringify([...codes]));
      // The cuts reached the server: a request refused, or a COMMIT whose answer was lost and read back from the mark
      // (acknowledged then). A cut between two transactions touches nothing, hence three of them.
      assert.ok((codes.get('503 unavailable') ?? 0) > 0 || /answer to COMMIT was lost/.test(srv.stderr()), `no request was refused while PostgreSQL was away: ${JSON.stringify([...codes])}\n${srv.stderr().slice(-1500)}`);
      assert.ok(acked.length > 0);
      const range = `from=${t - 60_000}&to=${Date.now() + 60_000}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const stored = await client.query<{ id: string }>(`SELECT id FROM "${schemas.at(-1) as string}".events WHERE id = ANY($1::text[])`, [acked]);
        assert.equal(stored.rowCount, acked.length, 'acknowledged events missing from the store');
        // Every stored event summarised once, and counted by the read right after the last acknowledgement (reads read
        // their writes): a group whose COMMIT's answer was lost is not stored-but-uncounted. This read came 100 events
        // short once in CI (audit 12, under load), and was then repeated for up to 5 s; audit 13 (test/audit13-pglead)
        // found two ways: one group's merge failing on a store read during a cut (ingest stopped, the group never
        // counted), and a lost COMMIT PostgreSQL took after its mark was read (its events answered as duplicates).
        const all = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${schemas.at(-1) as string}".events`)).rows[0]?.n;
        const h = await call(srv.url, 'GET', `/v1/models/m/health?${range}`);
        const hz = await call(srv.url, 'GET', '/healthz');
        assert.equal(hz.status, 200, `ingest stopped: ${JSON.stringify(hz.body)}`);
        assert.equal(h.status, 200, JSON.stringify(h.body));
        assert.equal(h.body['events'], all, `health counts ${String(h.body['events'])} events, ${acked.length} were acknowledged, ${String(all)} stored:\n${srv.stderr().slice(-1500)}`);
      } finally {
        await client.end();
      }
    } finally {
      await srv.stop();
      proxy.close();
    }
  });
});

describe('issue 3: a COMMIT whose answer was lost (PostgreSQL committed, the connection dropped before its answer)', { skip }, () => {
  const events = (prefix: string, t: number): unknown[] => Array.from({ length: 20 }, (_, i) => ({ id: `${prefix}${i}`, model: 'm', version: '1', timestamp: t + i, features: { x: i }, prediction: i }));
  const storedRows = async (schema: string, prefix: string): Promise<number> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(`SELECT count(*)::int AS n FROM "${schema}".events WHERE id LIKE $1`, [`${prefix}%`])).rows[0].n as number;
    } finally {
      await client.end();
    }
  };

  test('the committed mark says it committed: the request is acknowledged and its events summarised (before: 503 "nothing was kept", stored, never counted)', async () => {
    const proxy = await pgProxy(url as string);
    const schema = schemaName('lostcommit');
    const srv = await spawnServe(['--store', proxy.url(schema), '--data-dir', tempDir('lookout-a9pg-')]);
    try {
      assert.equal((await call(srv.url, 'POST', '/v1/models', model)).status, 201);
      assert.equal((await call(srv.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
      const t = Date.now() - 3_600_000;
      const cutDone = proxy.cutAfterCommit(200);
      const r = await call(srv.url, 'POST', '/v1/events', { events: events('lost-', t) });
      await cutDone;
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body['accepted'], 20, JSON.stringify(r.body));
      assert.match(srv.stderr(), /answer to COMMIT was lost .*it did \(the store's committed mark\)/);
      assert.equal(await storedRows(schema, 'lost-'), 20);
      const h = await call(srv.url, 'GET', `/v1/models/m/health?from=${t - 60_000}&to=${Date.now() + 60_000}`);
      assert.equal(h.status, 200, JSON.stringify(h.body));
      assert.equal(h.body['events'], 20, 'the stored events are summarised, once');
      assert.equal((await call(srv.url, 'GET', '/healthz')).status, 200);
    } finally {
      await srv.stop();
      proxy.close();
    }
  });

  test('the store stays away: ingest stops (503, /healthz 503 with the reason), and after a restart the journal counts the group the mark says committed', async () => {
    const proxy = await pgProxy(url as string);
    const schema = schemaName('lostcommit2');
    const dataDir = tempDir('lookout-a9pg-');
    let srv = await spawnServe(['--store', proxy.url(schema), '--data-dir', dataDir]);
    const t = Date.now() - 3_600_000;
    try {
      assert.equal((await call(srv.url, 'POST', '/v1/models', model)).status, 201);
      assert.equal((await call(srv.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
      // Refused for longer than the mark's reads after the lost answer (~7.5 s).
      const cutDone = proxy.cutAfterCommit(12_000);
      const r = await call(srv.url, 'POST', '/v1/events', { events: events('doubt-', t) });
      await cutDone;
      assert.equal(r.status, 503, JSON.stringify(r.body));
      assert.match(String((r.body['error'] as { message: string }).message), /cannot say whether it did; restart the server.*send this request again after the restart/);
      const hz = await call(srv.url, 'GET', '/healthz');
      assert.equal(hz.status, 503, 'an orchestrator\'s probe sees ingest stopped');
      assert.match(String((hz.body['error'] as { message: string }).message), /answer to COMMIT was lost/);
      await new Promise((res) => setTimeout(res, 5_000)); // PostgreSQL answers again
      const later = await call(srv.url, 'POST', '/v1/events', { events: events('later-', t) });
      assert.equal(later.status, 503, 'nothing more is stored until the restart');
    } finally {
      await srv.stop();
    }
    assert.equal(await storedRows(schema, 'doubt-'), 20, 'PostgreSQL did commit the group');
    assert.equal(await storedRows(schema, 'later-'), 0);
    srv = await spawnServe(['--store', proxy.url(schema), '--data-dir', dataDir]);
    try {
      const h = await call(srv.url, 'GET', `/v1/models/m/health?from=${t - 60_000}&to=${Date.now() + 60_000}`);
      assert.equal(h.body['events'], 20, `the restart replays the committed group from the journal: ${srv.stderr()}`);
      const again = await call(srv.url, 'POST', '/v1/events', { events: events('doubt-', t) });
      assert.equal(again.status, 200);
      assert.equal(again.body['accepted'], 0, 'sent again: every event already stored');
      assert.equal((await call(srv.url, 'GET', '/healthz')).status, 200);
    } finally {
      await srv.stop();
      proxy.close();
    }
  });
});

describe('audit9: lookout serve start-up on PostgreSQL', { skip }, () => {
  test('issue 3: a store whose tables cannot be created (a schema name PostgreSQL reserves) stops the start with one line and exit code 2, not an internal error with a stack', async () => {
    const store = `${url as string}?schema=pg_toast`;
    await assert.rejects(spawnServe(['--store', store, '--data-dir', tempDir('lookout-a9pg-')], 30_000), (e: Error) => {
      assert.match(e.message, /exited with 2 before listening/);
      assert.match(e.message, /lookout: error: cannot open the store postgres:\/\/\S+schema=pg_toast: unacceptable schema name "pg_toast"/);
      assert.doesNotMatch(e.message, /internal error|\n\s+at /);
      return true;
    });
  });
});

describe('audit9: store URL', { skip }, () => {
  test('issue 3: an empty ?schema= is refused at start (invalid schema name), not taken as the default schema "lookout"', async () => {
    await assert.rejects(spawnServe(['--store', `${url as string}?schema=`, '--data-dir', tempDir('lookout-a9pg-')], 30_000), (e: Error) => {
      assert.match(e.message, /exited with 2 before listening/);
      assert.match(e.message, /cannot open the store postgres:\/\/\S+: invalid PostgreSQL schema name: ""/);
      return true;
    });
  });
});

describe('audit9: a PostgreSQL that accepts connections and never answers', { skip }, () => {
  test('issue 3: lookout serve stops at start with exit code 2 and "did not answer" (it waited for ever, and a SIGTERM did not end it); ?connect_timeout=S sets how long it waits', async () => {
    const sockets: net.Socket[] = [];
    const mute = net.createServer((c) => {
      sockets.push(c);
      c.on('error', () => undefined);
    });
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
    const port = (mute.address() as net.AddressInfo).port;
    try {
      // audit 26: libpq's connect_timeout (seconds) was passed to pg, which ignores it: the wait was always 10 s
      const t0 = Date.now();
      await assert.rejects(spawnServe(['--store', `postgres://postgres@127.0.0.1:${port}/test?connect_timeout=1`, '--data-dir', tempDir('lookout-a9pg-')], 40_000), (e: Error) => {
        assert.match(e.message, /exited with 2 before listening/);
        assert.match(e.message, /cannot open the store postgres:\/\/postgres@127\.0\.0\.1:\d+\/test\S*: PostgreSQL did not answer within 1 s \(connection timeout; the store URL's \?connect_timeout=S sets it\)/);
        return true;
      });
      assert.ok(Date.now() - t0 < 8_000, `${Date.now() - t0} ms`);
    } finally {
      for (const s of sockets) s.destroy();
      mute.close();
    }
  });

  test('audit 26: a connect_timeout that is not a whole number of seconds is refused at start, naming it', async () => {
    for (const bad of ['0', '1.5', '5s', '']) {
      await assert.rejects(spawnServe(['--store', `postgres://postgres@127.0.0.1:1/test?connect_timeout=${bad}`, '--data-dir', tempDir('lookout-a9pg-')], 40_000), (e: Error) => {
        assert.match(e.message, /exited with 2 before listening/);
        assert.match(e.message, new RegExp(`connect_timeout in the store URL must be a whole number of seconds from 1 to 999999 \\(got "${bad.replace('.', '\\.')}"\\)`));
        return true;
      });
    }
  });
});
