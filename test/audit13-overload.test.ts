import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { LookoutClient } from '../src/client/index.js';
import { tempDir } from './helpers/cli.js';
import { testSchemas } from './helpers/pg-schemas.js';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { call } from './helpers/server.js';

// Regression (audit 13, overload): POST /v1/events queued every request with no bound, so senders faster than the store
// (here PostgreSQL with its events table locked by another session: every insert waits) grew the server's memory without
// limit; 429 was never answered. Now the rows submitted and not yet committed are bounded by ingest.maxQueuedEvents:
// beyond it a request is answered 429 rate_limited with Retry-After and nothing of it is kept.
const url = process.env['LOOKOUT_TEST_PG_URL'];
const skip = url ? false : 'LOOKOUT_TEST_PG_URL not set: the PostgreSQL tests are skipped';
const schemas = testSchemas('lookout_a13ovl', url);
const MAX = 3000;
const model = { name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } };
const t0 = Date.now() - 3_600_000;
const events = (ids: readonly string[]): unknown[] => ids.map((id, i) => ({ id, model: 'm', version: '1', timestamp: t0 + i, features: { x: i }, prediction: i }));

/** A server on a fresh schema with ingest.maxQueuedEvents MAX, its model declared, and a session able to lock its events table. */
async function stalledServer(tag: string): Promise<{ srv: RunningServer; db: pg.Client; schema: string; lock: () => Promise<void>; unlock: () => Promise<void> }> {
  const dir = tempDir('lookout-a13ovl-');
  writeFileSync(join(dir, 'lookout.yaml'), `ingest: { sampleRate: 0, maxQueuedEvents: ${MAX} }\n`);
  const store = schemas.url(tag);
  const schema = new URL(store).searchParams.get('schema') as string;
  const srv = await spawnServe(['--config', join(dir, 'lookout.yaml'), '--store', store, '--data-dir', join(dir, 'data')]);
  assert.equal((await call(srv.url, 'POST', '/v1/models', model)).status, 201);
  assert.equal((await call(srv.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  return {
    srv, db, schema,
    // Reads go on (EXCLUSIVE allows them); every INSERT into the events table waits for the COMMIT below.
    lock: async () => {
      await db.query('BEGIN');
      await db.query(`LOCK TABLE "${schema}".events IN EXCLUSIVE MODE`);
    },
    unlock: async () => void (await db.query('COMMIT')),
  };
}

/** POST /v1/events, with the answer's Retry-After. */
async function post(base: string, body: unknown): Promise<{ status: number; body: Record<string, unknown>; retryAfter: string | null }> {
  const res = await fetch(`${base}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, retryAfter: res.headers.get('retry-after') };
}

async function metric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

async function until(what: string, ok: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('audit13: ingest overload (a store slower than the senders)', { skip }, () => {
  test('beyond ingest.maxQueuedEvents POST /v1/events answers 429 with Retry-After; the queue stays bounded; once the store is back every acknowledged event is stored and counted once, nothing refused is', async () => {
    const s = await stalledServer('bound');
    try {
      await s.lock();
      // Senders in an open loop: 40 requests of 250 events (10,000, over three times the bound), none waiting for another.
      let next = 0;
      const sent = Array.from({ length: 40 }, () => Array.from({ length: 250 }, () => `e${next++}`));
      const answers = sent.map((ids) => post(s.srv.url, { events: events(ids) }));
      // The refused answer at once, while the admitted wait for the store.
      const refused: string[] = [];
      const settled = new Map<number, Awaited<(typeof answers)[number]>>();
      answers.forEach((p, i) => void p.then((r) => settled.set(i, r)));
      await until('the queue to fill and the rest to be refused', async () => settled.size > 0 && settled.size + (await metric(s.srv.url, 'lookout_ingest_queue_events')) / 250 >= 40);
      const queued = await metric(s.srv.url, 'lookout_ingest_queue_events');
      assert.ok(queued > 0 && queued <= MAX, `queued events ${queued}, bound ${MAX}`);
      for (const [i, r] of settled) {
        assert.equal(r.status, 429, `while the store is stalled a request is refused, not answered ${r.status} ${JSON.stringify(r.body)}`);
        const err = r.body['error'] as { code: string; message: string; details: Record<string, unknown> };
        assert.equal(err.code, 'rate_limited');
        assert.match(err.message, /ingest\.maxQueuedEvents.*send it again/);
        assert.equal(err.details['maxQueuedEvents'], MAX);
        assert.equal(r.retryAfter, '1');
        refused.push(...(sent[i] as string[]));
      }
      assert.equal(await metric(s.srv.url, 'lookout_ingest_refused_total'), settled.size);
      // Still bounded while senders go on.
      const more = await post(s.srv.url, { events: events(['late-1']) });
      assert.equal(more.status, 429);
      assert.equal(more.retryAfter, '1');
      refused.push('late-1');
      assert.ok((await metric(s.srv.url, 'lookout_ingest_queue_events')) <= MAX);

      await s.unlock();
      const all = await Promise.all(answers);
      const acked = sent.filter((_, i) => all[i]?.status === 200).flat();
      for (const [i, r] of all.entries()) assert.ok(r.status === 200 || r.status === 429, `request ${i}: ${r.status} ${JSON.stringify(r.body)}`);
      assert.equal(acked.length + refused.length - 1, 10_000);
      assert.ok(acked.length >= MAX - 250 && acked.length <= MAX, `acknowledged ${acked.length}`);
      const stored = await s.db.query(`SELECT id FROM "${s.schema}".events`);
      const ids = stored.rows.map((r: { id: string }) => r.id).sort();
      assert.deepEqual(ids, [...acked].sort(), 'every acknowledged event stored once, nothing refused stored');
      assert.equal(await metric(s.srv.url, 'lookout_events_accepted_total'), acked.length, 'counted once, refused rows not counted');
      assert.equal(await metric(s.srv.url, 'lookout_ingest_queue_events'), 0);
      const health = await call(s.srv.url, 'GET', `/v1/models/m/health?from=${t0 - 60_000}&to=${t0 + 3_600_000}`);
      assert.equal(health.body['events'], acked.length, 'the summaries count every acknowledged event once');
      // A refused request sent again once the store is back is stored.
      const again = await post(s.srv.url, { events: events(refused.slice(0, 250)) });
      assert.equal(again.status, 200);
      assert.equal(again.body['accepted'], 250);
    } finally {
      await s.db.end().catch(() => undefined);
      await s.srv.stop();
    }
  });

  test('the client library retries a 429 (after its Retry-After) and delivers every event once the store is back', async () => {
    const s = await stalledServer('client');
    try {
      await s.lock();
      // The queue filled by requests that wait for the store.
      const filling = Array.from({ length: MAX / 500 }, (_, k) => call(s.srv.url, 'POST', '/v1/events', { events: events(Array.from({ length: 500 }, (_, i) => `fill-${k}-${i}`)) }));
      await until('the queue to fill', async () => (await metric(s.srv.url, 'lookout_ingest_queue_events')) >= MAX);
      const client = new LookoutClient({ url: s.srv.url, flushIntervalMs: 50, maxRetries: 20, backoff: { initialMs: 100, maxMs: 2000 } });
      for (let i = 0; i < 600; i++) client.log({ id: `c${i}`, model: 'm', version: '1', timestamp: t0 + i, features: { x: i }, prediction: i });
      await until('the client to be refused and retry', async () => client.stats().retries >= 2 && (await metric(s.srv.url, 'lookout_ingest_refused_total')) >= 2);
      assert.equal(client.stats().sent, 0, 'nothing delivered while the store is stalled');
      await s.unlock();
      await client.close();
      await Promise.all(filling);
      const st = client.stats();
      assert.equal(st.sent, 600, JSON.stringify(st));
      assert.equal(st.failed, 0, JSON.stringify(st));
      const n = await s.db.query(`SELECT count(*)::int AS n FROM "${s.schema}".events WHERE id LIKE 'c%'`);
      assert.equal(n.rows[0].n, 600);
    } finally {
      await s.db.end().catch(() => undefined);
      await s.srv.stop();
    }
  });
});
