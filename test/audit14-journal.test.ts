import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseRecords, RecordKind } from '../src/ingest/journal.js';
import { DuckDbStore } from '../src/storage/duckdb/store.js';
import { tempDir } from './helpers/cli.js';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { call } from './helpers/server.js';

/*
 * Audit 14: crash consistency of the summary journal, with real server processes killed with SIGKILL and real journal
 * files cut afterwards. The invariant: after a restart the window summaries never count an event the store does not
 * hold; where they count fewer (journal records lost), the start says so.
 */

const MODEL = 'm';
const HOUR = 3_600_000;
const T0 = Date.now();

const events = (prefix: string, n: number, from = 0): Record<string, unknown>[] => Array.from({ length: n }, (_, i) => ({
  id: `${prefix}-${from + i}`, model: MODEL, version: '1', timestamp: T0, features: { x: i % 7 }, prediction: i % 2 === 0 ? '1' : '0', score: 0.5,
}));

async function createModel(url: string): Promise<void> {
  const m = await call(url, 'POST', '/v1/models', { name: MODEL, outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
  assert.equal(m.status, 201, JSON.stringify(m.body));
  const v = await call(url, 'POST', `/v1/models/${MODEL}/versions`, { version: '1' });
  assert.equal(v.status, 201, JSON.stringify(v.body));
}

async function ingest(url: string, evs: Record<string, unknown>[]): Promise<number> {
  const r = await call(url, 'POST', '/v1/events', { events: evs });
  assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
  return r.body['accepted'] as number;
}

async function kill9(srv: RunningServer): Promise<void> {
  await srv.stop('SIGKILL');
}

/** The store's journal directory under DATA_DIR/journal (one store: one directory). */
function journalDir(data: string): string {
  const ids = readdirSync(join(data, 'journal')).filter((f) => /^[0-9a-f-]{36}$/.test(f));
  assert.equal(ids.length, 1, `one journal directory: ${ids.join(', ')}`);
  return join(data, 'journal', ids[0] as string);
}

const logFiles = (dir: string): string[] => readdirSync(dir).filter((f) => /^journal-\d{16}\.log$/.test(f)).sort();

/** Starts a server on `data`, reads what /health counts, stops it (SIGTERM), then counts the events in the DuckDB file. */
async function countedAndStored(data: string): Promise<{ counted: number; stored: number; stderr: string }> {
  const srv = await spawnServe(['--data-dir', data]);
  let counted: number;
  try {
    const h = await call(srv.url, 'GET', `/v1/models/${MODEL}/health?from=${T0 - HOUR}&to=${T0 + HOUR}`);
    assert.equal(h.status, 200, JSON.stringify(h.body));
    counted = h.body['events'] as number;
  } finally {
    assert.equal(await srv.stop('SIGTERM'), 0, srv.stderr());
  }
  const store = await DuckDbStore.open(join(data, 'lookout.duckdb'));
  try {
    return { counted, stored: await store.countEvents(MODEL), stderr: srv.stderr() };
  } finally {
    await store.close();
  }
}

/** The invariant, and that a shortfall is said at the start. */
function assertConsistent(r: { counted: number; stored: number; stderr: string }, what: string): void {
  assert.ok(r.counted <= r.stored, `${what}: the summaries count ${r.counted} events, the store holds ${r.stored}\n${r.stderr}`);
  if (r.counted < r.stored) assert.match(r.stderr, /warning: the summary journal lacks the records/, `${what}: ${r.stored - r.counted} events not counted, and the start said nothing\n${r.stderr}`);
}

describe('audit 14: summary journal crash consistency (real servers, kill -9, cut journal files)', () => {
  test('a journal cut between a failed group\'s record and its abort record: the failed group is not replayed', async () => {
    // A failed group: a client's retry of 10 acknowledged events with 5 new ones fails the group commit (duplicate ids),
    // an abort record follows its record; the careful path tries the group once more (fails: aborted too), then commits
    // the 5 new ones as the next group. A read first checkpoints what came before, so the journal's last file holds
    // just these: [group, abort, group, abort, group].
    let data = '';
    let records: ReturnType<typeof parseRecords> = [];
    let file = '';
    const pattern = [RecordKind.Group, RecordKind.Abort, RecordKind.Group, RecordKind.Abort, RecordKind.Group];
    for (let attempt = 0; attempt < 3; attempt++) {
      data = tempDir('lookout-a14j-');
      const srv = await spawnServe(['--data-dir', data]);
      await createModel(srv.url);
      assert.equal(await ingest(srv.url, events('a', 20)), 20);
      assert.equal((await call(srv.url, 'GET', `/v1/models/${MODEL}/health?from=${T0 - HOUR}&to=${T0 + HOUR}`)).body['events'], 20);
      assert.equal(await ingest(srv.url, [...events('a', 10), ...events('n', 5)]), 5);
      await kill9(srv);
      const dir = journalDir(data);
      file = join(dir, logFiles(dir).at(-1) as string);
      records = parseRecords(readFileSync(file));
      // A checkpoint in between (every 2 s, on a slow machine) would have rotated the journal: then try again.
      if (records.map((r) => r.kind).join() === pattern.join()) break;
    }
    assert.deepEqual(records.map((r) => r.kind), pattern, 'failed group, its abort, the same again, the 5 new events');
    const pristine = tempDir('lookout-a14j-pristine-');
    cpSync(data, pristine, { recursive: true });
    const ends: number[] = [];
    for (const r of records) ends.push((ends.at(-1) ?? 0) + 8 + 9 + r.payload.length);
    // Exactly between the failed group and its abort, and between the second try and its abort.
    for (const cut of [ends[0] as number, ends[2] as number]) {
      const d = tempDir('lookout-a14j-cut-');
      cpSync(pristine, d, { recursive: true });
      truncateSync(join(journalDir(d), file.split('/').at(-1) as string), cut);
      const r = await countedAndStored(d);
      assert.equal(r.stored, 25);
      assertConsistent(r, `journal cut at byte ${cut} of ${ends.at(-1)}`);
      assert.equal(r.counted, 20, `cut at ${cut}: the failed group is not replayed, the record of the 5 new events is gone`);
      rmSync(d, { recursive: true, force: true });
    }
    // The journal directory deleted after the crash: the 5 events of its last group are stored, not counted, and said.
    rmSync(journalDir(pristine), { recursive: true, force: true });
    const r = await countedAndStored(pristine);
    assertConsistent(r, 'journal directory deleted');
    assert.equal(r.counted, 20);
    assert.match(r.stderr, /lacks the records of 1 ingest group /, 'the failed groups the store lists as aborted are not counted as lost');
    rmSync(pristine, { recursive: true, force: true });
  });

  test('the journal directory deleted while the server runs: nothing is acknowledged into a deleted file, checkpoints go on, a kill -9 then loses nothing', async () => {
    const data = tempDir('lookout-a14j-live-');
    const srv = await spawnServe(['--data-dir', data]);
    let killed = false;
    try {
      await createModel(srv.url);
      assert.equal(await ingest(srv.url, events('a', 20)), 20);
      rmSync(journalDir(data), { recursive: true, force: true });
      // Its group's record went to the deleted file: the group fails and the careful path stores it again in a new one.
      assert.equal(await ingest(srv.url, events('b', 30)), 30);
      assert.equal(await ingest(srv.url, events('c', 7)), 7);
      const h = await call(srv.url, 'GET', `/v1/models/${MODEL}/health?from=${T0 - HOUR}&to=${T0 + HOUR}`);
      assert.equal(h.status, 200, JSON.stringify(h.body));
      assert.equal(h.body['events'], 57);
      assert.equal(await ingest(srv.url, events('d', 3)), 3);
      await kill9(srv);
      killed = true;
      assert.match(srv.stderr(), /directory .* was deleted while the server ran: made again/);
      const r = await countedAndStored(data);
      assert.deepEqual([r.counted, r.stored], [60, 60], r.stderr);
      assert.doesNotMatch(r.stderr, /lacks the records/);
    } finally {
      if (!killed) await srv.stop('SIGKILL');
    }
  });
});
