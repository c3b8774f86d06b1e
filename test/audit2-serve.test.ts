import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { buildApp } from '../src/http/app.js';
import { hashKey, type Scope } from '../src/http/auth.js';
import { DuckDbStore } from '../src/storage/duckdb/store.js';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { call, testServer } from './helpers/server.js';

/*
 * `lookout serve` as an operator meets it: configuration mistakes, API keys and the process's start and stop.
 * Everything runs the real binary (bin/lookout.js) or a real server over HTTP.
 */

/** Runs `lookout serve` on a config file and expects it to refuse to start: exit 2, one clear line, no stack trace. */
async function refused(yaml: string, extra: string[] = []): Promise<string> {
  const dir = tempDir('lookout-audit2-serve-');
  const file = join(dir, 'lookout.yaml');
  writeFileSync(file, yaml);
  const r = await lookoutAsync(['serve', '--quiet', '--port', '0', '--data-dir', join(dir, 'data'), '--config', file, ...extra], 20_000);
  assert.equal(r.code, 2, `exit 2 for ${JSON.stringify(yaml)}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /listening on|internal error|\n\s+at /, r.stderr);
  return r.stderr;
}

describe('lookout.yaml mistakes: exit 2 with the key path named, before anything starts', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['a typo at the top level', 'servr: { port: 1 }\n', /config key "servr" is unknown.*known keys: server, dataDir/],
    ['a typo in server', 'server: { prot: 1 }\n', /server\.prot is unknown.*known keys: host, port/],
    ['a typo in ingest', 'ingest: { sampleRatio: 0.1 }\n', /ingest\.sampleRatio is unknown/],
    ['a typo in a key entry', 'auth: { keys: [{ name: a, sha256: "' + '0'.repeat(64) + '", scopes: [read], scope: [admin] }] }\n', /auth\.keys\[0\]\.scope is unknown/],
    ['a typo in a model', 'models: [{ name: a, outputKind: binary, inputSchema: {}, classs: [x] }]\n', /models\[0\]\.classs is unknown/],
    ['a typo in a version', 'models: [{ name: a, outputKind: binary, inputSchema: {}, versions: [{ version: "1", referense: { file: x } }] }]\n', /models\[0\]\.versions\[0\]\.referense is unknown/],
    ['a wrong type', 'server: { port: "eighty" }\n', /server\.port must be integer \(got "eighty"\)/],
    ['a negative port', 'server: { port: -1 }\n', /server\.port must be >= 0 \(got -1\)/],
    ['a huge port', 'server: { port: 70000 }\n', /server\.port must be <= 65535 \(got 70000\)/],
    ['a wrong enum value', 'server: { requestLogs: some }\n', /server\.requestLogs must be one of all, errors, off \(got "some"\)/],
    ['a wrong scope', 'auth: { keys: [{ name: a, sha256: "' + '0'.repeat(64) + '", scopes: [raed] }] }\n', /auth\.keys\[0\]\.scopes\[0\] must be one of ingest, read, admin \(got "raed"; did you mean "read"\?\)/],
    ['a sample rate over 1', 'ingest: { sampleRate: 2 }\n', /ingest\.sampleRate must be <= 1/],
    ['an empty data dir', 'dataDir: ""\n', /dataDir must NOT have fewer than 1 characters/],
    ['a list instead of a mapping', '- server\n', /the config must be a mapping of keys \(got a list\)/],
    ['invalid YAML', 'server: { port: 1\n', /cannot read config .*lookout\.yaml/],
  ];
  for (const [what, yaml, expected] of cases) {
    test(what, async () => {
      const err = await refused(yaml);
      assert.match(err, expected);
    });
  }

  test('a missing config file', async () => {
    const r = await lookoutAsync(['serve', '--quiet', '--port', '0', '--config', '/nonexistent/lookout.yaml']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /cannot read config \/nonexistent\/lookout\.yaml: ENOENT/);
  });
});

/** Runs `lookout serve ARGS` expecting a refusal at start: exit 2, one clear line, no stack trace. */
async function startRefused(args: string[]): Promise<string> {
  const r = await lookoutAsync(['serve', '--quiet', ...args], 60_000);
  assert.equal(r.code, 2, `exit 2 for ${args.join(' ')}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /listening on|internal error|\n\s+at /, r.stderr);
  return r.stderr;
}

describe('lookout serve start-up failures: a clear line and exit 2, not an internal error with a stack trace', () => {
  test('a data dir that is a file, or under a file', async () => {
    const dir = tempDir('lookout-audit2-serve-');
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'x');
    assert.match(await startRefused(['--port', '0', '--data-dir', file]), new RegExp(`cannot use data dir ${file}: not a directory`));
    assert.match(await startRefused(['--port', '0', '--data-dir', join(file, 'sub')]), /cannot use data dir .*plain-file\/sub: not a directory/);
  });

  test('a second server on the same data dir names the process holding the store', async () => {
    const dir = tempDir('lookout-audit2-serve-');
    const first = await spawnServe(['--data-dir', dir]);
    try {
      const err = await startRefused(['--port', '0', '--data-dir', dir]);
      assert.match(err, new RegExp(`cannot open the store .*lookout\\.duckdb: another process holds it \\(PID ${first.proc.pid}\\b`));
      assert.match(err, /one server per data dir/);
    } finally {
      assert.equal(await first.stop(), 0);
    }
  });

  test('a store URL of an unknown kind, and a PostgreSQL server that does not answer', async () => {
    const dir = tempDir('lookout-audit2-serve-');
    assert.match(await startRefused(['--port', '0', '--data-dir', dir, '--store', 'mysql://db/x']), /cannot open the store mysql:\/\/db\/x: unsupported store URL scheme: mysql/);
    const err = await startRefused(['--port', '0', '--data-dir', dir, '--store', 'postgres://lookout:s3cret@127.0.0.1:1/x']);
    assert.match(err, /cannot open the store postgres:\/\/lookout:\*\*\*@127\.0\.0\.1:1\/x: connect ECONNREFUSED/);
    assert.doesNotMatch(err, /s3cret/, 'the password is not printed');
  });
});

describe('lookout serve: the port and host it listens on', () => {
  test('a port already in use: a clear line and exit 2, and the store is left closed', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const dir = tempDir('lookout-audit2-serve-');
    try {
      const err = await startRefused(['--port', String(port), '--data-dir', dir]);
      assert.match(err, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`));
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    // The refused start released the store: the next start on the same data dir works.
    const srv = await spawnServe(['--data-dir', dir]);
    assert.equal(await srv.stop(), 0);
  });

  test('--port out of range, or not a number', async () => {
    for (const p of ['70000', '-1', '65536']) {
      assert.match(await startRefused(['--port', p, '--data-dir', tempDir('lookout-audit2-serve-')]), /--port.*"(70000|-1|65536)" is not a port: a decimal integer from 0 to 65535 is expected/);
    }
    assert.match(await startRefused(['--port', 'http', '--data-dir', tempDir('lookout-audit2-serve-')]), /--port.*"http" is not a port: a decimal integer from 0 to 65535 is expected/);
  });

  test('a host that is not an address of this machine', async () => {
    const err = await startRefused(['--port', '0', '--host', 'no-such-host.invalid', '--data-dir', tempDir('lookout-audit2-serve-')]);
    assert.match(err, /cannot listen on no-such-host\.invalid:0: cannot resolve host no-such-host\.invalid/);
  });
});

describe('lookout serve (real process) stopped by a signal during ingest', () => {
  const BATCH = 200;
  const model = { name: 'm', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } };

  /** Four senders post batches until the server is gone; `signal` is sent once two batches were acknowledged. */
  async function ingestAndStop(srv: RunningServer, signal: NodeJS.Signals): Promise<{ acked: string[]; sent: string[][]; answers: Map<string, number>; code: number | null }> {
    const acked: string[] = [];
    const sent: string[][] = [];
    const answers = new Map<string, number>();
    let ackedBatches = 0;
    let signalled: Promise<number | null> | null = null;
    const senders = Array.from({ length: 4 }, async (_, s) => {
      for (let n = 0; n < 10_000; n++) {
        const ids = Array.from({ length: BATCH }, (_x, i) => `${signal}-${s}-${n}-${i}`);
        sent.push(ids);
        let status: number;
        let body: { results?: Array<{ id?: string; status: string }>; error?: { code?: string } };
        try {
          const res = await fetch(`${srv.url}/v1/events`, {
            method: 'POST', headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ events: ids.map((id, i) => ({ id, model: 'm', version: '1', features: { x: i }, prediction: '1', score: 0.7 })) }),
          });
          status = res.status;
          body = (await res.json()) as typeof body;
        } catch {
          return; // refused or reset: the server is gone, or going
        }
        const key = status === 200 ? '200' : `${status} ${body.error?.code ?? JSON.stringify(body).slice(0, 100)}`;
        answers.set(key, (answers.get(key) ?? 0) + 1);
        if (status !== 200) continue;
        const accepted = (body.results ?? []).filter((r) => r.status === 'accepted').map((r) => r.id as string);
        assert.equal(accepted.length, BATCH);
        acked.push(...accepted);
        if (++ackedBatches === 2) signalled = srv.stop(signal);
      }
    });
    await Promise.all(senders);
    const code = await (signalled ?? srv.stop(signal));
    return { acked, sent, answers, code };
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    test(`${signal}: exit 0, every acknowledged event stored, every answer structured`, async () => {
      const dir = tempDir('lookout-audit2-serve-');
      let srv = await spawnServe(['--data-dir', dir]);
      assert.equal((await call(srv.url, 'POST', '/v1/models', model)).status, 201);
      assert.equal((await call(srv.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
      const run = await ingestAndStop(srv, signal);
      console.log(`${signal}: answers ${JSON.stringify(Object.fromEntries(run.answers))}, ${run.acked.length} events acknowledged`);
      assert.equal(run.code, 0, `exit code after ${signal}: ${srv.stderr()}`);
      assert.match(srv.stderr(), /shutting down/);
      for (const key of run.answers.keys()) assert.match(key, /^(200|503 unavailable)$/, `answers while stopping: ${JSON.stringify([...run.answers])}`);
      const store = await DuckDbStore.open(join(dir, 'lookout.duckdb'));
      let stored: number;
      try {
        const got = new Set((await store.getEvents(run.acked)).map((e) => e.id));
        assert.deepEqual(run.acked.filter((id) => !got.has(id)).slice(0, 3), [], 'no acknowledged event lost');
        const all = new Set((await store.getEvents(run.sent.flat())).map((e) => e.id));
        for (const ids of run.sent) {
          const n = ids.filter((id) => all.has(id)).length;
          assert.ok(n === 0 || n === BATCH, `a request stored whole or not at all (${n})`);
        }
        stored = await store.countEvents('m');
      } finally {
        await store.close();
      }
      // The next start agrees: its summaries count what is stored (a clean stop left nothing to replay).
      srv = await spawnServe(['--data-dir', dir]);
      try {
        assert.doesNotMatch(srv.stderr(), /recovered/);
        const h = await call(srv.url, 'GET', `/v1/models/m/health?from=${Date.now() - 3_600_000}&to=${Date.now() + 60_000}`);
        assert.equal(h.body['events'], stored);
      } finally {
        assert.equal(await srv.stop(), 0);
      }
    });
  }

  test('a signal right after "listening on" still stops the server cleanly', async () => {
    for (let i = 0; i < 8; i++) {
      const srv = await spawnServe(['--data-dir', tempDir('lookout-audit2-serve-')]);
      assert.equal(await srv.stop(), 0, `exit code of run ${i}: ${srv.stderr()}`);
    }
  });

});

test('a request arriving on a kept-alive connection while the server stops: 503 in the catalog shape, the one in flight answered', async () => {
  const srv = await testServer();
  const { port } = new URL(srv.url);
  const body = JSON.stringify({ name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
  const socket = connect(Number(port), '127.0.0.1');
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString()));
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  // The first request is in flight (half its body sent) when the server starts stopping.
  socket.write(`POST /v1/models HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`);
  await new Promise((r) => setTimeout(r, 100));
  const closed = srv.close();
  await new Promise((r) => setTimeout(r, 300));
  socket.write(`${body.slice(10)}GET /v1/models HTTP/1.1\r\nhost: x\r\n\r\n`);
  await Promise.race([ended, new Promise((r) => setTimeout(r, 5000))]);
  socket.destroy();
  await closed;
  const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]);
  assert.deepEqual(statuses, ['201', '503'], text);
  const last = JSON.parse(text.slice(text.lastIndexOf('\r\n\r\n') + 4)) as { error: { code: string; message: string } };
  assert.equal(last.error.code, 'unavailable');
  assert.match(last.error.message, /shutting down/);
});

describe('API keys: every route checks its scope', () => {
  /** Routes open without a key: liveness and the dashboard's static files (they hold no data: docs/dashboard.md). */
  const OPEN = new Set(['GET /healthz', 'GET /', 'GET /ui', 'GET /ui/*']);
  /** The scope of every other route: reads "read", sending events, labels and predictions "ingest", the rest "admin". */
  const INGEST = new Set(['POST /v1/events', 'POST /v1/labels', 'POST /v1/models/:name/predict']);
  /** Reads that are an operator's: the data dir's backups (their paths on the server's machine). */
  const ADMIN_READS = new Set(['GET /v1/admin/snapshots']);
  const scopeOf = (route: string): Scope => (INGEST.has(route) ? 'ingest' : route.startsWith('GET ') && !ADMIN_READS.has(route) ? 'read' : 'admin');
  const KEYS: Record<Scope, string> = { ingest: 'lk_test_ingest_key_0123456789', read: 'lk_test_read_key_0123456789', admin: 'lk_test_admin_key_0123456789' };

  test('no key: 401, a key without the scope: 403, the right key: neither (over every registered route)', async () => {
    const srv = await testServer({
      configure: (c) => {
        c.auth.keys = (Object.entries(KEYS) as Array<[Scope, string]>).map(([scope, key]) => ({ name: `k-${scope}`, sha256: hashKey(key), scopes: [scope] }));
      },
    });
    // The app the server runs, built again with a hook that lists its routes as Fastify registers them.
    const app = buildApp(srv.deps);
    const routes: string[] = [];
    app.addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) if (m !== 'HEAD') routes.push(`${m} ${r.url}`);
    });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      assert.ok(routes.length > 60, `${routes.length} routes`);
      const wrong: string[] = [];
      for (const route of routes) {
        const [method, url] = route.split(' ') as [string, string];
        const path = url.replace(/:[a-zA-Z0-9]+/g, 'nope').replace('*', 'index.html');
        const send = async (key?: string): Promise<{ status: number; code: unknown }> => {
          const r = await call(base, method, path, method === 'GET' || method === 'DELETE' ? undefined : {}, key ? { authorization: `Bearer ${key}` } : {});
          return { status: r.status, code: (r.body['error'] as { code?: unknown } | undefined)?.code };
        };
        const none = await send();
        if (OPEN.has(route)) {
          if (none.status === 401 || none.status === 403) wrong.push(`${route}: open, answered ${none.status} without a key`);
          continue;
        }
        if (none.status !== 401 || none.code !== 'unauthorized') wrong.push(`${route}: without a key ${none.status} ${String(none.code)}, not 401 unauthorized`);
        const bad = await send('lk_not_a_key');
        if (bad.status !== 401 || bad.code !== 'unauthorized') wrong.push(`${route}: with an unknown key ${bad.status} ${String(bad.code)}, not 401 unauthorized`);
        const scope = scopeOf(route);
        for (const other of (['ingest', 'read'] as const).filter((s) => s !== scope)) {
          const r = await send(KEYS[other]);
          if (r.status !== 403 || r.code !== 'forbidden') wrong.push(`${route}: needs "${scope}", a "${other}" key got ${r.status} ${String(r.code)}, not 403 forbidden`);
        }
        const right = await send(KEYS[scope]);
        if (right.status === 401 || right.status === 403) wrong.push(`${route}: a "${scope}" key got ${right.status}`);
        if (scope !== 'admin') {
          const admin = await send(KEYS.admin);
          if (admin.status === 401 || admin.status === 403) wrong.push(`${route}: an admin key got ${admin.status}`);
        }
      }
      assert.deepEqual(wrong, []);
    } finally {
      await app.close();
      await srv.close();
    }
  });

  test('the "Bearer" scheme is read in any case (RFC 9110), and X-API-Key alike', async () => {
    const srv = await testServer({ configure: (c) => void (c.auth.keys = [{ name: 'r', sha256: hashKey(KEYS.read), scopes: ['read'] }]) });
    try {
      for (const h of [{ authorization: `bearer ${KEYS.read}` }, { authorization: `BEARER  ${KEYS.read}` }, { 'x-api-key': KEYS.read }] as Array<Record<string, string>>) {
        const r = await call(srv.url, 'GET', '/v1/models', undefined, h);
        assert.equal(r.status, 200, `${JSON.stringify(h)}: ${JSON.stringify(r.body)}`);
      }
    } finally {
      await srv.close();
    }
  });
});
