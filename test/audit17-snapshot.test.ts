import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { testSchemas } from './helpers/pg-schemas.js';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { call } from './helpers/server.js';

const pgUrl = process.env['LOOKOUT_TEST_PG_URL'];
const schemas = testSchemas('lookout_a17snap', pgUrl);
const BATCH = 200;

/** Rows of a DuckDB file, read directly (the copy, once no server has it open). */
async function sql(file: string, q: string): Promise<Array<Record<string, unknown>>> {
  const inst = await DuckDBInstance.create(file);
  try {
    const c = await inst.connect();
    return (await c.runAndReadAll(q)).getRowObjects() as Array<Record<string, unknown>>;
  } finally {
    inst.closeSync();
  }
}

describe('audit 17: snapshots of a running server\'s embedded store (POST /v1/admin/snapshots, lookout snapshot)', { timeout: 300_000 }, () => {
  let data: string;
  let srv: RunningServer;
  const artifact = Buffer.from('model bytes of churn 2.0.0');
  before(async () => {
    data = join(tempDir('lookout-audit17-snap-'), 'data');
    srv = await spawnServe(['--data-dir', data]);
    const decl = await call(srv.url, 'POST', '/v1/models', {
      name: 'churn', outputKind: 'binary', classes: ['0', '1'],
      inputSchema: { type: 'object', properties: { x: { type: 'number' }, plan: { type: 'string' } } },
    });
    assert.ok(decl.status < 300, JSON.stringify(decl.body));
    const v = await call(srv.url, 'PUT', '/v1/models/churn/versions/2.0.0', {});
    assert.ok(v.status < 300, JSON.stringify(v.body));
    const put = await fetch(`${srv.url}/v1/models/churn/versions/2.0.0/artifact`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: artifact });
    assert.ok(put.status < 300, await put.text());
  });
  after(async () => {
    await srv?.stop();
  });

  test('taken under steady ingest: a server on the copy has every batch acknowledged before it, whole batches only, summaries equal to the events stored', async () => {
    const t0 = Date.now() - 600_000;
    const acked: Array<{ batch: number; at: number }> = [];
    let stop = false;
    let batch = 0;
    const ingest = (async () => {
      while (!stop) {
        const b = batch++;
        const events = Array.from({ length: BATCH }, (_, i) => ({
          id: `ev-${b}-${i}`, model: 'churn', version: '2.0.0', timestamp: t0 + b * 1_000 + i, features: { x: (b * 7 + i) % 100, plan: ['a', 'b', 'c'][i % 3] },
          prediction: String(i % 2), score: (i % 10) / 10, latencyMs: 5 + (i % 9),
        }));
        const r = await call(srv.url, 'POST', '/v1/events', { events });
        assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
        acked.push({ batch: b, at: Date.now() });
      }
    })();
    await new Promise((r) => setTimeout(r, 2_500)); // several groups, some past the last checkpoint (every 2 s)
    const asked = Date.now();
    const ackedBefore = new Set(acked.filter((a) => a.at <= asked).map((a) => a.batch));
    const snap = await lookoutAsync(['snapshot', '--url', srv.url, '--json'], 120_000);
    await new Promise((r) => setTimeout(r, 1_000));
    stop = true;
    await ingest;
    assert.equal(snap.code, 0, snap.stderr);
    const r = JSON.parse(snap.stdout) as { name: string; dir: string; bytes: number; ms: number };
    assert.match(r.name, /^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    assert.equal(r.dir, join(data, 'snapshots', r.name));
    assert.ok(r.bytes > 0 && r.ms >= 0, JSON.stringify(r));
    assert.deepEqual(readdirSync(join(data, 'snapshots')), [r.name], 'no partial directory left');
    assert.ok(ackedBefore.size >= 3, `batches acknowledged before the snapshot: ${ackedBefore.size}`);

    // Restored as the docs say: the snapshot copied elsewhere, a server started on it.
    const restored = join(tempDir('lookout-audit17-restored-'), 'data');
    cpSync(r.dir, restored, { recursive: true });
    const two = await spawnServe(['--data-dir', restored]);
    let summarised: number;
    try {
      const h = await call(two.url, 'GET', `/v1/models/churn/health?from=${t0 - 60_000}&to=${t0 + 3_600_000}`);
      assert.equal(h.status, 200, JSON.stringify(h.body));
      summarised = h.body['events'] as number;
      const label = await call(two.url, 'POST', '/v1/labels', { labels: [{ id: 'ev-0-1', label: '1' }] });
      assert.equal((label.body['results'] as Array<{ status: string }>)[0]?.status, 'accepted', JSON.stringify(label.body));
      const got = await fetch(`${two.url}/v1/artifacts/${createHash('sha256').update(artifact).digest('hex')}`);
      assert.equal(got.status, 200);
      assert.deepEqual(Buffer.from(await got.arrayBuffer()), artifact);
      assert.doesNotMatch(two.stderr(), /missing|cannot/i, two.stderr());
    } finally {
      await two.stop();
    }
    const rows = await sql(join(restored, 'lookout.duckdb'), "SELECT split_part(id, '-', 2)::INTEGER AS b, count(*)::INTEGER AS n FROM events GROUP BY 1 ORDER BY 1");
    const stored = new Map(rows.map((x) => [x['b'] as number, x['n'] as number]));
    for (const b of ackedBefore) assert.equal(stored.get(b), BATCH, `batch ${b}, acknowledged before the snapshot, is in it`);
    for (const [b, n] of stored) assert.equal(n, BATCH, `batch ${b} is whole`);
    const total = [...stored.values()].reduce((a, n) => a + n, 0);
    assert.ok(total < batch * BATCH, `the snapshot holds less than everything sent afterwards (${total} of ${batch * BATCH})`);
    assert.equal(summarised, total, 'the window summaries (the journal replayed) count exactly the events stored');

    // The running server went on: everything sent is there.
    const h = await call(srv.url, 'GET', `/v1/models/churn/health?from=${t0 - 60_000}&to=${t0 + 3_600_000}`);
    assert.equal(h.body['events'], batch * BATCH);
  });

  test('one at a time (409 while one is made)', async () => {
    const [a, b] = await Promise.all([call(srv.url, 'POST', '/v1/admin/snapshots'), call(srv.url, 'POST', '/v1/admin/snapshots')]);
    assert.deepEqual([a.status, b.status].sort(), [201, 409], JSON.stringify([a.body, b.body]));
    assert.match(JSON.stringify(a.status === 409 ? a.body : b.body), /a snapshot is being made/);
    assert.ok(existsSync(String((a.status === 201 ? a.body : b.body)['dir'])));
  });

  test('on PostgreSQL: 409 saying to use pg_dump', { skip: pgUrl ? false : 'LOOKOUT_TEST_PG_URL not set: skipped' }, async () => {
    const pg = await spawnServe(['--data-dir', join(tempDir('lookout-audit17-snap-pg-'), 'data'), '--store', schemas.url('pg')]);
    try {
      const r = await call(pg.url, 'POST', '/v1/admin/snapshots');
      assert.equal(r.status, 409);
      assert.match((r.body['error'] as { message: string }).message, /embedded DuckDB store; this server's store is postgres: back it up with pg_dump/);
    } finally {
      await pg.stop();
    }
  });
});
