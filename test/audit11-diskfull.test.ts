import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { call } from './helpers/server.js';
import { fill, mountTmpfs, unmount } from './helpers/tmpfs.js';

/*
 * Audit 11: the data dir's disk full (ENOSPC), with real `lookout serve` processes on a small tmpfs (DuckDB store, journal,
 * summary files, artifacts and references all on it). Needs root to mount: skipped with the reason elsewhere.
 */

const MODEL = { name: 'm', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' }, s: { type: 'string' } } } };

/** What a start of `lookout serve` that did not listen printed and exited with (null: it started, and was stopped). */
async function failedStart(data: string): Promise<{ code: number; stderr: string } | null> {
  try {
    const s = await spawnServe(['--data-dir', data]);
    await s.stop();
    return null;
  } catch (e) {
    const m = /server exited with (\S+) before listening:\n([\s\S]*)$/.exec((e as Error).message);
    assert.ok(m, (e as Error).message);
    return { code: Number(m[1]), stderr: m[2] as string };
  }
}

async function declare(srv: RunningServer, version: string, registry: boolean): Promise<void> {
  assert.equal((await call(srv.url, 'POST', '/v1/models', MODEL)).status, 201);
  const r = registry ? await call(srv.url, 'PUT', `/v1/models/m/versions/${version}`, {}) : await call(srv.url, 'POST', '/v1/models/m/versions', { version });
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

describe('audit11: the data dir\'s disk full', () => {
  test('sustained ingest into a full disk: structured 503s, never a 200 for what was not stored; a restart on the still-full disk says why (exit 2); once space is freed every acknowledged event is stored once', async (t: TestContext) => {
    const m = mountTmpfs('24m', 'lookout-audit11-diskfull-');
    if ('skip' in m) return void t.skip(m.skip);
    const data = join(m.dir, 'data');
    mkdirSync(data);
    let srv: RunningServer | null = await spawnServe(['--data-dir', data]);
    try {
      await declare(srv, '1', false);
      const base = Date.now() - 3_600_000;
      let acked = 0;
      let seq = 0;
      const refusals: string[] = [];
      for (let i = 0; i < 200 && refusals.length < 4; i++) {
        const events = Array.from({ length: 2000 }, (_, k) => ({ id: `e-${seq}-${k}-${'p'.repeat(40)}`, model: 'm', version: '1', timestamp: base + (seq * 2000 + k) * 10, features: { x: (k * 7919) % 1000, s: `c${k % 50}` }, prediction: '1', score: (k % 100) / 100 }));
        seq++;
        const r = await call(srv.url, 'POST', '/v1/events', { events });
        if (r.status === 200) {
          assert.equal(r.body['accepted'], 2000, JSON.stringify(r.body).slice(0, 300));
          acked += 2000;
          continue;
        }
        assert.equal(r.status, 503, JSON.stringify(r.body).slice(0, 300));
        const err = r.body['error'] as { code: string; message: string; details: object };
        assert.equal(err.code, 'unavailable');
        assert.deepEqual(Object.keys(err).sort(), ['code', 'details', 'message']);
        refusals.push(err.message);
      }
      assert.ok(refusals.length > 0 && acked > 0, `the disk filled (acked ${acked}, refused ${refusals.length})`);
      // Still up, and saying why on /healthz (DuckDB stops on a write it could not make: until a restart).
      const h = await call(srv.url, 'GET', '/healthz');
      assert.ok(h.status === 200 || (h.status === 503 && /No space left on device/.test(JSON.stringify(h.body))), JSON.stringify(h.body));
      if (h.status === 503) {
        // A refusal for as long as the store refuses writes says so (not "retry later", which never succeeds before a restart).
        const last = refusals.at(-1) as string;
        assert.match(last, /No space left on device/, last);
        assert.match(last, /restart/, last);
      }

      // kill -9 while full; a start on the still-full disk either starts or stops with one line saying why (exit 2).
      await srv.stop('SIGKILL');
      srv = null;
      fill(m.dir, 'filler');
      const failed = await failedStart(data);
      t.diagnostic(failed === null ? 'started on the full disk' : `start on the full disk: exit ${failed.code}: ${failed.stderr}`);
      if (failed !== null) {
        assert.equal(failed.code, 2, failed.stderr);
        assert.doesNotMatch(failed.stderr, /internal error|\n\s+at /, failed.stderr);
        assert.match(failed.stderr, /No space left on device/, failed.stderr);
        assert.match(failed.stderr, /nothing acknowledged is lost/, failed.stderr);
      }

      // Space freed (the file system grown): the store opens, and every acknowledged event is there once.
      rmSync(join(m.dir, 'filler'));
      assert.equal(spawnSync('mount', ['-o', 'remount,size=200m', m.dir]).status, 0);
      srv = await spawnServe(['--data-dir', data]);
      const health = await call(srv.url, 'GET', `/v1/models/m/health?from=${base - 86_400_000}&to=${Date.now() + 3_600_000}`);
      assert.equal(health.status, 200, JSON.stringify(health.body));
      assert.equal(health.body['events'], acked);
      const more = await call(srv.url, 'POST', '/v1/events', { events: [{ id: 'after', model: 'm', version: '1', timestamp: base, features: { x: 1, s: 'a' }, prediction: '1', score: 0.5 }] });
      assert.equal(more.status, 200, JSON.stringify(more.body));
      assert.equal(await srv.stop(), 0, srv.stderr());
      srv = null;
      const db = await DuckDBInstance.create(join(data, 'lookout.duckdb'));
      try {
        const conn = await db.connect();
        const rows = (await conn.runAndReadAll('SELECT count(*)::INTEGER, count(DISTINCT id)::INTEGER FROM events')).getRows();
        assert.deepEqual(rows, [[acked + 1, acked + 1]]);
        conn.closeSync();
      } finally {
        db.closeSync();
      }
    } finally {
      await srv?.stop('SIGKILL');
      unmount(m.dir);
    }
  });

  test('artifact and reference uploads into a full disk: a structured 503 naming the full disk, no partial file kept or trusted; the same bytes upload once space is freed', async (t: TestContext) => {
    const m = mountTmpfs('40m', 'lookout-audit11-diskfull-');
    if ('skip' in m) return void t.skip(m.skip);
    const data = join(m.dir, 'data');
    mkdirSync(data);
    let srv: RunningServer | null = await spawnServe(['--data-dir', data]);
    try {
      await declare(srv, '1.0.0', true);
      const csv = (n: number): string => `x,s,prediction\n${Array.from({ length: n }, (_, i) => `${i},c${i % 5},${i % 2}`).join('\n')}\n`;
      const putRef = (body: string): Promise<Response> => fetch(`${srv?.url ?? ''}/v1/models/m/versions/1.0.0/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body });
      assert.equal((await putRef(csv(1000))).status, 200);
      fill(m.dir, 'filler', 1024);
      const art = randomBytes(3 * 1024 * 1024);
      const sha = createHash('sha256').update(art).digest('hex');
      const putArt = (): Promise<Response> => fetch(`${srv?.url ?? ''}/v1/models/m/versions/1.0.0/artifact`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: art });
      const expectFull = async (res: Response, what: string): Promise<void> => {
        const body = await res.json() as { error: { code: string; message: string } };
        assert.equal(res.status, 503, `${what}: ${JSON.stringify(body)}`);
        assert.equal(body.error.code, 'unavailable');
        assert.match(body.error.message, /no space left/i, what);
      };
      await expectFull(await putArt(), 'artifact');
      assert.deepEqual(readdirSync(join(data, 'artifacts')), [], 'no partial artifact left');
      // The next request on the same kept-alive connection is answered (an upload refused part-way left the rest of its
      // body unread, and the connection stalled: this waited ~75 s, then failed).
      const v = await fetch(`${srv.url}/v1/models/m/versions/1.0.0`, { signal: AbortSignal.timeout(15_000) });
      assert.equal(((await v.json()) as { version: { artifact: unknown } }).version.artifact, null);
      await expectFull(await putRef(csv(200_000)), 'reference');
      assert.equal(readdirSync(join(data, 'references', 'm')).length, 1, 'only the first reference file');
      const model = await call(srv.url, 'GET', '/v1/models/m');
      assert.equal((model.body['versions'] as Array<{ reference: { rows: number } }>)[0]?.reference.rows, 1000, 'the reference kept');

      rmSync(join(m.dir, 'filler'));
      const again = await putArt();
      assert.equal(again.status, 201, await again.text());
      const got = await fetch(`${srv.url}/v1/artifacts/${sha}`);
      assert.equal(got.status, 200);
      assert.equal(createHash('sha256').update(Buffer.from(await got.arrayBuffer())).digest('hex'), sha);
      assert.equal((await putRef(csv(2000))).status, 200);
    } finally {
      await srv?.stop('SIGKILL');
      srv = null;
      unmount(m.dir);
    }
  });

  test('labels, silences, aliases and rollouts on a full disk: 503 with the reason (not "retry later"), nothing half-written; after a restart with space the state is as before and writes work', async (t: TestContext) => {
    const m = mountTmpfs('24m', 'lookout-audit11-diskfull-');
    if ('skip' in m) return void t.skip(m.skip);
    const data = join(m.dir, 'data');
    mkdirSync(data);
    let srv: RunningServer | null = await spawnServe(['--data-dir', data]);
    try {
      await declare(srv, '1.0.0', true);
      assert.equal((await call(srv.url, 'PUT', '/v1/models/m/versions/2.0.0', { upstream: 'http://127.0.0.1:9/b' })).status, 201);
      assert.equal((await call(srv.url, 'PUT', '/v1/models/m/aliases/production', { version: '1.0.0', reason: 'first' })).status, 200);
      const base = Date.now() - 600_000;
      const events = Array.from({ length: 2000 }, (_, k) => ({ id: `e-${k}`, model: 'm', version: '1.0.0', timestamp: base + k, features: { x: k, s: 'a' }, prediction: '1', score: 0.5 }));
      assert.equal((await call(srv.url, 'POST', '/v1/events', { events })).status, 200);
      const silence = { matchers: [{ name: 'model', value: 'm' }], endsAt: Date.now() + 3_600_000, comment: 'maintenance', createdBy: 'ops' };
      assert.equal((await call(srv.url, 'POST', '/v1/silences', silence)).status, 201);
      fill(m.dir, 'filler');
      // Labels first: their COMMIT is the write the full disk refuses (DuckDB then refuses writes until a restart).
      const labels = await call(srv.url, 'POST', '/v1/labels', { labels: events.map((e) => ({ id: e.id, label: '1', note: 'x'.repeat(200) })) });
      assert.equal(labels.status, 503, JSON.stringify(labels.body).slice(0, 300));
      const lm = (labels.body['error'] as { code: string; message: string });
      assert.equal(lm.code, 'unavailable');
      assert.match(lm.message, /No space left on device/, lm.message);
      assert.match(lm.message, /restart/, lm.message);
      for (const [method, path, body] of [
        ['POST', '/v1/silences', silence], ['PUT', '/v1/models/m/aliases/production', { version: '2.0.0', reason: 'second' }],
        ['POST', '/v1/models/m/rollout', { version: '2.0.0', reason: 'try', policy: 'canary', steps: [5, 100] }],
      ] as const) {
        const r = await call(srv.url, method, path, body);
        assert.equal(r.status, 503, `${path}: ${JSON.stringify(r.body).slice(0, 300)}`);
        assert.match((r.body['error'] as { message: string }).message, /No space left on device/);
      }
      await srv.stop('SIGKILL');
      srv = null;
      rmSync(join(m.dir, 'filler'));
      srv = await spawnServe(['--data-dir', data]);
      assert.deepEqual((await call(srv.url, 'GET', '/v1/models/m/aliases')).body, { aliases: { production: '1.0.0' } });
      assert.equal(((await call(srv.url, 'GET', '/v1/silences')).body['silences'] as unknown[]).length, 1);
      assert.deepEqual((await call(srv.url, 'GET', '/v1/models/m/rollout')).body, { rollout: null });
      const again = await call(srv.url, 'POST', '/v1/labels', { labels: events.map((e) => ({ id: e.id, label: '1' })) });
      assert.equal(again.status, 200, JSON.stringify(again.body).slice(0, 300));
      assert.equal((await call(srv.url, 'PUT', '/v1/models/m/aliases/production', { version: '2.0.0', reason: 'second' })).status, 200);
    } finally {
      await srv?.stop('SIGKILL');
      unmount(m.dir);
    }
  });
});
