import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { tempDir } from './helpers/cli.js';
import { pgProxy } from './helpers/pg-proxy.js';
import { spawnServe } from './helpers/process.js';
import { call, type Json } from './helpers/server.js';

// Regression (audit 10, issues 3-5): with PostgreSQL unreachable, registry and alert writes and store reads answered
// 500 "internal error" (ingest alone answered 503), and a registry write whose COMMIT answer was lost said nothing of
// whether it had been stored.
const url = process.env['LOOKOUT_TEST_PG_URL'];
const skip = url ? false : 'LOOKOUT_TEST_PG_URL not set: the PostgreSQL tests are skipped';
const schema = `lookout_a10pg_${process.pid}`;

after(async () => {
  if (!url) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.query(`DROP SCHEMA IF EXISTS "${schema}_mute" CASCADE`);
  await client.end();
});

const model = { name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } };
const code = (r: Json): unknown => (r.body['error'] as { code?: unknown } | undefined)?.code;
const message = (r: Json): string => String((r.body['error'] as { message?: unknown } | undefined)?.message);

describe('audit10: lookout serve on a PostgreSQL that cannot be reached', { skip }, () => {
  test('registry writes, alert and store reads answer 503 unavailable naming the store (not 500); a registry write whose COMMIT answer was lost says it may have been stored, and it was', async () => {
    const proxy = await pgProxy(url as string);
    const srv = await spawnServe(['--store', proxy.url(schema), '--data-dir', tempDir('lookout-a10pg-')]);
    let exited: number | null | undefined;
    srv.proc.once('exit', (c) => (exited = c));
    try {
      assert.equal((await call(srv.url, 'POST', '/v1/models', model)).status, 201);
      assert.equal((await call(srv.url, 'POST', '/v1/models/m/versions', { version: '1.0.0' })).status, 201);

      proxy.cut();
      const answers = {
        'POST version': await call(srv.url, 'POST', '/v1/models/m/versions', { version: '2.0.0' }),
        'PUT alias': await call(srv.url, 'PUT', '/v1/models/m/aliases/staging', { version: '1.0.0', reason: 'test' }),
        'GET registry versions': await call(srv.url, 'GET', '/v1/models/m/versions'),
        'GET alerts': await call(srv.url, 'GET', '/v1/alerts'),
        'GET health': await call(srv.url, 'GET', `/v1/models/m/health?from=${Date.now() - 3_600_000}&to=${Date.now()}`),
      };
      for (const [what, r] of Object.entries(answers)) {
        assert.equal(r.status, 503, `${what}: ${r.status} ${JSON.stringify(r.body)}`);
        assert.equal(code(r), 'unavailable', what);
        assert.match(message(r), /PostgreSQL store cannot be reached .*retry later/, what);
      }
      proxy.restore();

      // a version write whose COMMIT reaches PostgreSQL and whose answer does not
      const cutDone = proxy.cutAfterCommit(500, /INSERT INTO \S+\.versions\b/);
      const lost = await call(srv.url, 'POST', '/v1/models/m/versions', { version: '3.0.0' });
      await cutDone;
      assert.equal(lost.status, 503, JSON.stringify(lost.body));
      assert.equal(code(lost), 'unavailable');
      assert.match(message(lost), /answer to COMMIT was lost .*may have been stored; read it back/);

      // back: the server kept running; reading back shows the lost write stored (the server reads the model again once
      // PostgreSQL answers), and the 503s kept nothing
      let names: string[] = [];
      for (let i = 0; i < 50 && !names.includes('3.0.0'); i++) {
        await new Promise((r) => setTimeout(r, 200));
        const versions = await call(srv.url, 'GET', '/v1/models/m');
        if (versions.status === 200) names = (versions.body['versions'] as Array<{ version: string }>).map((v) => v.version).sort();
      }
      assert.deepEqual(names, ['1.0.0', '3.0.0']);
      assert.equal(exited, undefined, 'the server exited');
      assert.equal((await call(srv.url, 'POST', '/v1/models/m/versions', { version: '3.0.0' })).status, 200, 'sent again: an update');
      assert.equal((await call(srv.url, 'POST', '/v1/models/m/versions', { version: '2.0.0' })).status, 201);
    } finally {
      await srv.stop();
      proxy.close();
    }
  });

  test('a PostgreSQL that stops answering on open connections: requests fail after ?query_timeout (503), not hang for ever; answers resume once it answers again', async () => {
    const proxy = await pgProxy(url as string);
    const store = new URL(proxy.url(`${schema}_mute`));
    store.searchParams.set('query_timeout', '1500');
    const srv = await spawnServe(['--store', store.toString(), '--data-dir', tempDir('lookout-a10pg-')]);
    try {
      assert.equal((await call(srv.url, 'POST', '/v1/models', model)).status, 201);
      proxy.mute(true);
      const t = Date.now();
      const r = await call(srv.url, 'GET', '/v1/models/m/versions');
      assert.equal(r.status, 503, JSON.stringify(r.body));
      assert.match(message(r), /PostgreSQL store cannot be reached \(Query read timeout\)/);
      assert.ok(Date.now() - t < 10_000, `answered after ${Date.now() - t} ms`);
      proxy.mute(false);
      let status = 0;
      for (let i = 0; i < 20 && status !== 200; i++) {
        status = (await call(srv.url, 'GET', '/v1/models/m/versions')).status;
        if (status !== 200) await new Promise((res) => setTimeout(res, 250));
      }
      assert.equal(status, 200);
      assert.equal((await call(srv.url, 'POST', '/v1/models/m/versions', { version: '1.0.0' })).status, 201);
    } finally {
      await srv.stop();
      proxy.close();
    }
  });
});
