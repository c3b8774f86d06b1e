import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import pg from 'pg';
import { tempDir } from './helpers/cli.js';
import { spawnServe } from './helpers/process.js';
import { call } from './helpers/server.js';

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

/** A TCP proxy on loopback to the test PostgreSQL; cut() closes every connection through it and refuses new ones until restore(). */
async function pgProxy(): Promise<{ url: (schema: string) => string; cut: () => void; restore: () => void; close: () => void }> {
  const target = new URL(url as string);
  let refusing = false;
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  const server = net.createServer((c) => {
    track(c);
    if (refusing) {
      c.destroy();
      return;
    }
    const u = net.connect(Number(target.port || 5432), target.hostname);
    track(u);
    c.pipe(u);
    u.pipe(c);
    c.on('close', () => u.destroy());
    u.on('close', () => c.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: (schema) => {
      const u = new URL(url as string);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      u.searchParams.set('schema', schema);
      return u.toString();
    },
    cut: () => {
      refusing = true;
      for (const s of sockets) s.destroy();
    },
    restore: () => (refusing = false),
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

const model = { name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } };

describe('audit9: lookout serve on PostgreSQL', { skip }, () => {
  test('issue 3: PostgreSQL going away mid-ingest answers 503 unavailable and keeps the server running; every acknowledged event is stored and counted once it is back', async () => {
    const proxy = await pgProxy();
    const srv = await spawnServe(['--store', proxy.url(schemaName('outage')), '--data-dir', tempDir('lookout-a9pg-')]);
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
      const senders = [sendUntil(t0 + 6000), sendUntil(t0 + 6000)];
      // Cut PostgreSQL off several times while both senders' transactions are in flight.
      for (const at of [1000, 2500, 4000]) {
        setTimeout(() => proxy.cut(), at);
        setTimeout(() => proxy.restore(), at + 600);
      }
      await Promise.all(senders);
      assert.equal(exited, undefined, `the server exited (${String(exited)}) when PostgreSQL went away:\n${srv.stderr().slice(-2000)}`);
      assert.deepEqual([...codes.keys()].filter((k) => k !== '200 ' && k !== '503 unavailable'), [], JSON.stringify([...codes]));
      assert.ok((codes.get('503 unavailable') ?? 0) > 0, `no request was refused while PostgreSQL was away: ${JSON.stringify([...codes])}`);
      assert.ok(acked.length > 0);
      const range = `from=${t - 60_000}&to=${Date.now() + 60_000}`;
      const h = await call(srv.url, 'GET', `/v1/models/m/health?${range}`);
      assert.equal(h.status, 200, JSON.stringify(h.body));
      assert.ok(Number(h.body['events']) >= acked.length, `health counts ${String(h.body['events'])} events, ${acked.length} were acknowledged`);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const stored = await client.query<{ id: string }>(`SELECT id FROM "${schemas.at(-1) as string}".events WHERE id = ANY($1::text[])`, [acked]);
        assert.equal(stored.rowCount, acked.length, 'acknowledged events missing from the store');
      } finally {
        await client.end();
      }
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
  test('issue 3: lookout serve stops at start with exit code 2 and "did not answer" (it waited for ever, and a SIGTERM did not end it)', async () => {
    const sockets: net.Socket[] = [];
    const mute = net.createServer((c) => {
      sockets.push(c);
      c.on('error', () => undefined);
    });
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
    const port = (mute.address() as net.AddressInfo).port;
    try {
      const t0 = Date.now();
      await assert.rejects(spawnServe(['--store', `postgres://postgres@127.0.0.1:${port}/test`, '--data-dir', tempDir('lookout-a9pg-')], 40_000), (e: Error) => {
        assert.match(e.message, /exited with 2 before listening/);
        assert.match(e.message, /cannot open the store postgres:\/\/postgres@127\.0\.0\.1:\d+\/test: PostgreSQL did not answer within 10 s \(connection timeout\)/);
        return true;
      });
      assert.ok(Date.now() - t0 < 30_000);
    } finally {
      for (const s of sockets) s.destroy();
      mute.close();
    }
  });
});
