import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../src/core/random/rng.js';
import { DuckDbStore } from '../src/storage/duckdb/store.js';
import { tempDir } from './helpers/cli.js';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { call } from './helpers/server.js';

/*
 * "An event is acknowledged only after it is durably stored": the real server process ingests from several
 * concurrent senders and is killed with SIGKILL at a random moment, three times on the same data dir. After
 * each kill the store (a copy of the files as the kill left them, opened directly) must hold every event the
 * server acknowledged, possibly more (events whose answer was lost in the kill), never less, and never half a
 * request. The server restarted on the killed data dir must start, answer, and report from its window
 * summaries exactly the number of events stored.
 */

const MODEL = 'm';
const SENDERS = 4;
const BATCH = 500;
const HOUR = 3_600_000;
const SEED = 9091;
/** Kill this long (ms) after the second acknowledged batch of a round: early, mid-flight, late. */
const KILL_AFTER = [(r: number): number => r, (r: number): number => 800 + r, (r: number): number => 2000 + r];

interface Batch {
  ids: string[];
  /** The server answered 200 (then `accepted` lists the ids acknowledged as stored). */
  answered: boolean;
  accepted: string[];
}

interface Round {
  batches: Batch[];
  acknowledged: number;
  killedAfterMs: number;
  answers: Map<string, number>;
}

const REFERENCE = ((): string => {
  const r = seededRandom(SEED);
  const lines = ['x,c,score,prediction,label'];
  for (let i = 0; i < 1000; i++) {
    const x = Math.round((r.next() * 2 - 1) * 1000) / 1000;
    const score = Math.round(r.next() * 1000) / 1000;
    lines.push([x, ['a', 'b', 'c'][r.int(3)], score, score >= 0.5 ? 1 : 0, r.next() < score ? 1 : 0].join(','));
  }
  return `${lines.join('\n')}\n`;
})();

function batchOf(round: number, sender: number, n: number, now: number, r: ReturnType<typeof seededRandom>): Record<string, unknown>[] {
  return Array.from({ length: BATCH }, (_, i) => {
    const score = Math.round(r.next() * 1000) / 1000;
    return {
      id: `k${round}-s${sender}-b${n}-${i}`, model: MODEL, version: '1', timestamp: now,
      features: { x: Math.round((r.next() * 2 - 1) * 1000) / 1000, c: ['a', 'b', 'c'][r.int(3)] },
      prediction: score >= 0.5 ? '1' : '0', score, latencyMs: Math.round(r.next() * 500) / 10,
      segment: { region: r.next() < 0.5 ? 'eu' : 'us' }, error: i % 97 === 0 ? 'timeout' : null,
    };
  });
}

/** Posts batches from SENDERS concurrent loops until the server stops answering; SIGKILLs it `killAfter` ms after the 2nd acknowledged batch. */
async function ingestAndKill(srv: RunningServer, round: number, killAfter: number): Promise<Round> {
  const out: Round = { batches: [], acknowledged: 0, killedAfterMs: 0, answers: new Map() };
  const pid = srv.proc.pid as number;
  const exited = new Promise<void>((resolve) => srv.proc.once('exit', () => resolve()));
  let ackedBatches = 0;
  let onSecond: () => void = () => undefined;
  const second = new Promise<void>((resolve) => (onSecond = resolve));
  const t0 = Date.now();
  const deadline = t0 + 20_000; // safety net only: the kill ends the senders
  const failures: unknown[] = [];
  const senders = Array.from({ length: SENDERS }, async (_, s) => {
    const r = seededRandom(SEED * 31 + round * 7 + s);
    for (let n = 0; Date.now() < deadline; n++) {
      const events = batchOf(round, s, n, Date.now(), r);
      const b: Batch = { ids: events.map((e) => e['id'] as string), answered: false, accepted: [] };
      out.batches.push(b);
      let status: number;
      let body: { results?: Array<{ id?: string; status: string }> };
      try {
        const res = await fetch(`${srv.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) });
        status = res.status;
        body = (await res.json()) as typeof body;
      } catch {
        return; // the server is gone (reset or refused): this batch's fate is unknown
      }
      const key = String(status);
      out.answers.set(key, (out.answers.get(key) ?? 0) + 1);
      assert.equal(status, 200, `round ${round}: a live server answers 200: ${JSON.stringify(body).slice(0, 300)}`);
      b.answered = true;
      for (const x of body.results ?? []) if (x.status === 'accepted' && typeof x.id === 'string') b.accepted.push(x.id);
      assert.equal(b.accepted.length, BATCH, `round ${round}: valid events are all accepted`);
      out.acknowledged += b.accepted.length;
      if (++ackedBatches === 2) onSecond();
    }
  }).map((p) => p.catch((e: unknown) => {
    failures.push(e);
    onSecond();
  }));
  await second;
  await new Promise((r) => setTimeout(r, killAfter));
  out.killedAfterMs = Date.now() - t0;
  process.kill(pid, 'SIGKILL');
  await exited;
  await Promise.all(senders);
  if (failures.length > 0) throw failures[0];
  return out;
}

/** Opens a copy of the data dir as the kill left it (the server's own dir is kept for its restart). */
async function openSnapshot(dataDir: string): Promise<{ store: DuckDbStore; files: string[] }> {
  const snap = tempDir('lookout-kill9-snap-');
  const files = readdirSync(dataDir).filter((f) => f.startsWith('lookout.duckdb'));
  for (const f of files) cpSync(join(dataDir, f), join(snap, f), { recursive: true }); // the store, its WAL, its summary files
  return { store: await DuckDbStore.open(join(snap, 'lookout.duckdb')), files };
}

describe('lookout serve (real process) killed with SIGKILL during sustained ingest', () => {
  const dir = tempDir('lookout-kill9-');
  const started = Date.now();
  let srv: RunningServer | undefined;
  const allSent: string[] = [];
  const allAcked: string[] = [];
  let stored = 0;

  after(async () => {
    if (srv && srv.proc.exitCode === null && srv.proc.signalCode === null) await srv.stop('SIGKILL');
  });

  async function expectHealthy(s: RunningServer, events: number): Promise<void> {
    const hz = await call(s.url, 'GET', '/healthz');
    assert.equal(hz.status, 200);
    assert.equal(hz.body['status'], 'ok');
    const range = `from=${started - HOUR}&to=${Date.now() + HOUR}`;
    const h = await call(s.url, 'GET', `/v1/models/${MODEL}/health?${range}`);
    assert.equal(h.status, 200, JSON.stringify(h.body));
    assert.equal(h.body['events'], events, 'the window summaries count exactly the events stored');
    const q = await call(s.url, 'GET', `/v1/models/${MODEL}/quality?${range}`);
    assert.equal(q.status, 200, JSON.stringify(q.body));
    assert.equal(q.body['events'], events);
    const d = await call(s.url, 'GET', `/v1/models/${MODEL}/drift?${range}`);
    assert.equal(d.status, 200, JSON.stringify(d.body));
    const features = d.body['features'] as Array<{ name: string; drifted: boolean }>;
    assert.deepEqual(features.map((f) => f.name), ['x', 'c']);
    if (events > 0) assert.deepEqual(features.map((f) => f.drifted), [false, false], 'same distribution as the reference');
  }

  for (let round = 0; round < 3; round++) {
    test(`kill -9 #${round + 1}: every acknowledged event is stored, no request half-stored, restart reports the stored count`, async () => {
      srv = await spawnServe(['--data-dir', dir]);
      if (round === 0) {
        const m = await call(srv.url, 'POST', '/v1/models', { name: MODEL, outputKind: 'binary', classes: ['0', '1'], segmentKeys: ['region'], inputSchema: { type: 'object', required: ['c'], properties: { x: { type: 'number' }, c: { type: 'string' } } } });
        assert.equal(m.status, 201, JSON.stringify(m.body));
        const v = await call(srv.url, 'POST', `/v1/models/${MODEL}/versions`, { version: '1' });
        assert.equal(v.status, 201, JSON.stringify(v.body));
        const ref = await call(srv.url, 'PUT', `/v1/models/${MODEL}/versions/1/reference`, REFERENCE, { 'content-type': 'text/csv' });
        assert.equal(ref.status, 200, JSON.stringify(ref.body));
      }
      // The restarted server starts on the data dir the previous kill left, and agrees with what is stored.
      await expectHealthy(srv, stored);

      const r = seededRandom(SEED + round);
      const run = await ingestAndKill(srv, round, (KILL_AFTER[round] as (x: number) => number)(r.int(400)));
      const acked = run.batches.flatMap((b) => b.accepted);
      const sent = run.batches.flatMap((b) => b.ids);
      for (const id of sent) allSent.push(id);
      for (const id of acked) allAcked.push(id);
      assert.ok(run.acknowledged >= 2 * BATCH, 'the kill came during sustained ingest');

      const { store, files } = await openSnapshot(dir);
      try {
        const got = await store.getEvents(acked);
        const gotIds = new Set(got.map((e) => e.id));
        const lost = acked.filter((id) => !gotIds.has(id));
        assert.deepEqual(lost.slice(0, 5), [], `${lost.length} acknowledged events lost by kill -9 #${round + 1}`);
        const total = await store.countEvents(MODEL);
        assert.ok(total >= allAcked.length, `stored ${total} >= acknowledged ${allAcked.length}`);
        // Nothing but what was sent, and every request all-or-nothing (one transaction per group commit).
        const storedOfRound = await store.getEvents(sent);
        const storedIds = new Set(storedOfRound.map((e) => e.id));
        assert.equal(total, stored + storedOfRound.length, 'no event stored that was not sent');
        for (const b of run.batches) {
          const n = b.ids.filter((id) => storedIds.has(id)).length;
          assert.ok(n === 0 || n === BATCH, `a request is stored whole or not at all (${n} of ${BATCH})`);
          if (b.answered) assert.equal(n, BATCH);
        }
        const unanswered = run.batches.filter((b) => !b.answered);
        const unansweredStored = unanswered.filter((b) => storedIds.has(b.ids[0] as string)).length;
        console.log(`kill -9 #${round + 1} after ${run.killedAfterMs} ms: ${run.batches.length} requests (answers ${JSON.stringify(Object.fromEntries(run.answers))}), `
          + `${acked.length} events acknowledged, ${storedOfRound.length} stored (${unansweredStored} of ${unanswered.length} unanswered requests stored); files at the kill: ${files.join(', ')}`);
        stored = total;
      } finally {
        await store.close();
      }
    });
  }

  test('restart after the last kill: starts, answers, reports the stored count; clean shutdown', async () => {
    srv = await spawnServe(['--data-dir', dir]);
    await expectHealthy(srv, stored);
    const models = await call(srv.url, 'GET', `/v1/models/${MODEL}`);
    assert.equal((models.body['versions'] as Array<{ reference: { rows: number } | null }>)[0]?.reference?.rows, 1000, 'the reference survived the kills');
    // Still ingesting: a new batch and a re-sent acknowledged one (refused as duplicates).
    const fresh = batchOf(9, 0, 0, Date.now(), seededRandom(SEED));
    const a = await call(srv.url, 'POST', '/v1/events', { events: fresh });
    assert.equal(a.body['accepted'], BATCH);
    const resent = await call(srv.url, 'POST', '/v1/events', { events: fresh.slice(0, 10).map((e, i) => ({ ...e, id: allAcked[i] })) });
    assert.equal(resent.body['accepted'], 0);
    await expectHealthy(srv, stored + BATCH);
    assert.equal(await srv.stop('SIGTERM'), 0, 'clean shutdown');
    assert.ok(existsSync(join(dir, 'lookout.duckdb')));
    const store = await DuckDbStore.open(join(dir, 'lookout.duckdb'));
    try {
      assert.equal(await store.countEvents(MODEL), stored + BATCH);
      assert.equal((await store.getEvents(allAcked)).length, allAcked.length);
    } finally {
      await store.close();
    }
    console.log(`kill -9 x3: ${allSent.length} events sent, ${allAcked.length} acknowledged, ${stored} stored after the kills`);
  });
});
