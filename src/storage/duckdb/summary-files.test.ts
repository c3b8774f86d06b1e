import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createHash } from 'node:crypto';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbStore } from './store.js';
import { runAndKill } from './crash-run.js';
import { decode, encode, SummaryFiles } from './summary-files.js';
import { windowRowKey } from './window-row-key.js';
import type { SummaryQuery, SummaryRecord } from '../types.js';

const dir = mkdtempSync(join(tmpdir(), 'lookout-summary-files-'));
after(() => rm(dir, { recursive: true, force: true }));

const H = 3_600_000;
const T0 = Date.UTC(2026, 0, 5);
const win = (i: number, fill: number, events?: number): SummaryRecord => ({
  model: 'm', version: '1', segment: '', granularity: 'hour', windowStart: T0 + i * H,
  data: new Uint8Array(5_000 + i).fill(fill), ...(events === undefined ? {} : { events }),
});
const range = (from: number, to: number): SummaryQuery => ({ model: 'm', version: '1', segment: '', granularity: 'hour', from: T0 + from * H, to: T0 + to * H });
const fileOf = (store: DuckDbStore, i: number): string => {
  const files = store.summaryFiles;
  assert.ok(files, 'the store keeps summary files');
  const id = SummaryFiles.id('hour', windowRowKey({ model: 'm', version: '1', segment: '', windowStart: T0 + i * H }));
  return join(files.dir, createHash('sha256').update(id).digest('hex'));
};
const windowFiles = async (store: DuckDbStore): Promise<string[]> => (await readdir(store.summaryFiles?.dir ?? '')).filter((f) => f !== 'VALID');
/** The first byte of each window's data and its event count, in order. */
const brief = (rows: readonly SummaryRecord[]): Array<[number, number, number | undefined]> => rows.map((r) => [(r.windowStart - T0) / H, r.data[0] ?? -1, r.events]);

async function opened(name: string, opts: { summaryFilesBytes?: number } = {}): Promise<DuckDbStore> {
  const store = await DuckDbStore.open(join(dir, name), opts);
  await store.init();
  return store;
}

/** A store with windows 0 and 1 (filled with 1 and 2, 3 events each), read once (so kept as files), closed cleanly. */
async function keptAndClosed(name: string): Promise<void> {
  const store = await opened(name);
  await store.putSummaries([win(0, 1, 3), win(1, 2, 3)]);
  await store.querySummaries(range(0, 2));
  await store.close();
}

describe('summary files (issue 3: cold range reads from files instead of DuckDB blobs)', () => {
  test('pruneWindows removes the files of the windows it deletes: a pruned window is not read back from its file', async () => {
    const store = await opened('prune.duckdb');
    try {
      await store.putSummaries([win(0, 1, 3), win(1, 2, 3), win(2, 3, 3)]);
      assert.deepEqual(brief(await store.querySummaries(range(0, 3))), [[0, 1, 3], [1, 2, 3], [2, 3, 3]]);
      await store.summaryFiles?.settled();
      assert.equal((await windowFiles(store)).length, 3);
      assert.equal(await store.pruneWindows('m', ['hour'], T0 + 2 * H), 2);
      assert.deepEqual(brief(await store.querySummaries(range(0, 3))), [[2, 3, 3]]);
      await store.summaryFiles?.settled();
      assert.deepEqual(brief(await store.querySummaries(range(0, 3))), [[2, 3, 3]]);
    } finally {
      await store.close();
    }
  });

  test('keyed reads are written back as files and then read from them; a commit of a window removes its file', async () => {
    const store = await opened('basic.duckdb');
    const plain = await opened('basic-plain.duckdb', { summaryFilesBytes: 0 });
    try {
      assert.equal(plain.summaryFiles, undefined);
      const rows = [win(0, 1, 10), win(1, 2), win(3, 4, 0), win(4, 5, 7)];
      await store.putSummaries(rows);
      await plain.putSummaries(rows);
      // Window 2 has no row: its file says so (an absent mark), and a read of it gives nothing.
      const first = await store.querySummaries(range(0, 5));
      assert.deepEqual(first, await plain.querySummaries(range(0, 5)));
      await store.summaryFiles?.settled();
      assert.equal((await windowFiles(store)).length, 5);
      assert.equal(store.summaryFiles?.size, 4 * 8_192 + 4_096, 'counted in whole 4 KiB blocks, the absent mark too');
      for (const i of [0, 1, 3, 4]) {
        const hit = decode(await readFile(fileOf(store, i)), SummaryFiles.id('hour', windowRowKey(win(i, 0))));
        assert.ok(hit !== null && hit !== undefined && hit !== 'busy');
        assert.deepEqual(Buffer.from(hit.data), Buffer.from(rows.find((r) => r.windowStart === T0 + i * H)?.data ?? []));
      }
      assert.equal(decode(await readFile(fileOf(store, 2)), SummaryFiles.id('hour', windowRowKey(win(2, 0)))), null);
      // Read again, now from the files: the same rows (model, version, segment, window, data, events; order).
      const again = await store.querySummaries(range(0, 5));
      assert.deepEqual(again, first);
      again[0]?.data.fill(99); // the caller's to change
      assert.deepEqual(brief(await store.querySummaries(range(0, 2))), [[0, 1, 10], [1, 2, undefined]]);
      // A new window where the absent mark was, and a replaced one: read from the store, not from the old files.
      await store.putSummaries([win(2, 3, 4), win(1, 9, 2)]);
      assert.deepEqual(brief(await store.querySummaries(range(0, 5))), [[0, 1, 10], [1, 9, 2], [2, 3, 4], [3, 4, 0], [4, 5, 7]]);
      await store.summaryFiles?.settled();
      assert.deepEqual(brief(await store.querySummaries(range(1, 3))), [[1, 9, 2], [2, 3, 4]]);
      // Head-only reads and scans (no version or segment named) do not go through the files.
      await unlink(fileOf(store, 4));
      assert.equal((await store.querySummaries({ ...range(0, 5), headOnly: true })).length, 5);
      assert.equal((await store.querySummaries({ model: 'm', granularity: 'hour', from: T0, to: T0 + 5 * H })).length, 5);
      await assert.rejects(readFile(fileOf(store, 4)), { code: 'ENOENT' });
    } finally {
      await store.close();
      await plain.close();
    }
  });

  test('files are kept over a clean close and used after it; a directory of a store that was killed is emptied', async () => {
    await keptAndClosed('reopen.duckdb');
    // A file changed behind the store's back (but whole, with its CRC) is what a reopened store reads: the files are used.
    const forged = encode(SummaryFiles.id('hour', windowRowKey(win(1, 0))), { events: 3, data: new Uint8Array([42]) });
    const store = await DuckDbStore.open(join(dir, 'reopen.duckdb'));
    const path = (i: number): string => {
      const id = SummaryFiles.id('hour', windowRowKey(win(i, 0)));
      return join(dir, 'reopen.duckdb.windows', createHash('sha256').update(id).digest('hex'));
    };
    await writeFile(path(1), forged);
    await store.init();
    try {
      assert.deepEqual(brief(await store.querySummaries(range(0, 2))), [[0, 1, 3], [1, 42, 3]]);
      await assert.rejects(readFile(join(dir, 'reopen.duckdb.windows', 'VALID')), { code: 'ENOENT' }, 'an open store has no VALID mark');
    } finally {
      await store.close();
    }

    // The writer killed (kill -9) after reading its windows: the next open empties the directory, so even a forged file
    // put there afterwards is not read.
    const file = join(dir, 'killed.duckdb');
    const acked = await runAndKill(file, 10, 12, true);
    const windows = join(dir, 'killed.duckdb.windows');
    assert.ok((await readdir(windows)).length >= 2, 'the child kept its reads as files');
    const last = Math.max(...acked);
    const killedId = SummaryFiles.id('minute', windowRowKey({ model: 'crash', version: 'v1', segment: '', windowStart: last * 60_000 }));
    await writeFile(join(windows, createHash('sha256').update(killedId).digest('hex')), encode(killedId, { events: 1, data: new Uint8Array([42]) }));
    const reopened = await DuckDbStore.open(file);
    try {
      await reopened.init();
      assert.deepEqual(await readdir(windows), []);
      const rows = await reopened.querySummaries({ model: 'crash', version: 'v1', segment: '', granularity: 'minute', from: 0, to: (last + 1) * 60_000 });
      assert.equal(rows.length, last + 1);
      assert.ok(rows.every((r) => r.data.length === 8_000 && r.data[0] === (r.windowStart / 60_000) % 256));
    } finally {
      await reopened.close();
    }
  });

  test('a store file written by another program after a clean close: its files are not used', async () => {
    await keptAndClosed('edited.duckdb');
    const db = await DuckDBInstance.create(join(dir, 'edited.duckdb'));
    const conn = await db.connect();
    await conn.run(`UPDATE summaries_hour SET data = '\\x2A'::BLOB, events = 4 WHERE window_start = ${T0 + H}`);
    conn.closeSync();
    db.closeSync();
    let store = await opened('edited.duckdb');
    try {
      assert.deepEqual(await windowFiles(store), []);
      assert.deepEqual(brief(await store.querySummaries(range(0, 2))), [[0, 1, 3], [1, 42, 4]]);
    } finally {
      await store.close();
    }
    // Closed cleanly and opened again: kept.
    store = await opened('edited.duckdb');
    try {
      assert.equal((await windowFiles(store)).length, 2);
      assert.deepEqual(brief(await store.querySummaries(range(0, 2))), [[0, 1, 3], [1, 42, 4]]);
    } finally {
      await store.close();
    }
  });

  test('a store file replaced under its directory does not use the old files; files it did not write are left alone', async () => {
    let store = await opened('replaced.duckdb');
    await store.putSummaries([win(0, 1, 3)]);
    await store.querySummaries(range(0, 1));
    await store.close();
    const filesDir = join(dir, 'replaced.duckdb.windows');
    await writeFile(join(filesDir, 'notes.txt'), 'mine');
    await rm(join(dir, 'replaced.duckdb'));
    store = await opened('replaced.duckdb');
    try {
      assert.deepEqual(await readdir(filesDir), ['notes.txt']);
      await store.putSummaries([win(0, 7, 5)]);
      assert.deepEqual(brief(await store.querySummaries(range(0, 1))), [[0, 7, 5]]);
    } finally {
      await store.close();
    }
    assert.equal(await readFile(join(filesDir, 'notes.txt'), 'utf8'), 'mine');
  });

  test('the files take at most summaryFilesBytes: the least recently used go first, also after a reopen', async () => {
    const budget = 3 * 8_192; // three files of ~5,070 bytes (5,000 bytes of data, the key, the header): two 4 KiB blocks each
    let store = await opened('budget.duckdb', { summaryFilesBytes: budget });
    const present = async (): Promise<number[]> => {
      const out: number[] = [];
      for (let i = 0; i < 6; i++) if (await readFile(fileOf(store, i)).then(() => true, () => false)) out.push(i);
      return out;
    };
    try {
      await store.putSummaries([0, 1, 2, 3, 4, 5].map((i) => win(i, i + 1, i)));
      for (let i = 0; i < 3; i++) { // one at a time: written (and so used) in this order
        await store.querySummaries(range(i, i + 1));
        await store.summaryFiles?.settled();
      }
      assert.deepEqual(await present(), [0, 1, 2]);
      await store.querySummaries(range(0, 1)); // window 0 used again: window 1 is now the least recently used
      await store.querySummaries(range(3, 4));
      await store.summaryFiles?.settled();
      assert.deepEqual(await present(), [0, 2, 3]);
      assert.ok((store.summaryFiles?.size ?? Infinity) <= budget);
      assert.deepEqual(brief(await store.querySummaries(range(0, 6))), [0, 1, 2, 3, 4, 5].map((i) => [i, i + 1, i]));
    } finally {
      await store.close();
    }
    // Reopened: the files there are counted (oldest written first), so later write-backs still keep within the budget.
    store = await opened('budget.duckdb', { summaryFilesBytes: budget });
    try {
      const kept = await present();
      assert.equal(kept.length, 3);
      assert.equal(store.summaryFiles?.size, budget);
      await store.querySummaries(range(1, 2));
      await store.summaryFiles?.settled();
      assert.equal((await present()).length, 3);
      assert.ok((await present()).includes(1));
      assert.deepEqual(brief(await store.querySummaries(range(0, 6))), [0, 1, 2, 3, 4, 5].map((i) => [i, i + 1, i]));
    } finally {
      await store.close();
    }
  });

  test('a read racing commits of its windows never leaves a file older than the store', async () => {
    const store = await opened('race.duckdb');
    try {
      await store.putSummaries([win(0, 0, 0), win(1, 0, 0)]);
      for (let i = 1; i <= 80; i++) {
        await unlink(fileOf(store, 0)).catch(() => undefined); // a cold read: it goes to the store and writes back
        // One starts, the other before, during or after the first's parts (file reads, the store read, the write-back,
        // the commit's transaction and removal).
        const d = (i >> 1) % 4;
        const wait = (): Promise<unknown> => (d === 0 ? Promise.resolve() : new Promise((r) => (d === 1 ? setImmediate(r) : setTimeout(r, d - 1))));
        const readFirst = i % 2 === 0;
        const read = readFirst ? store.querySummaries(range(0, 2)) : wait().then(() => store.querySummaries(range(0, 2)));
        const commit = readFirst ? wait().then(() => store.putSummaries([win(0, i, i)])) : store.putSummaries([win(0, i, i)]);
        const got = brief(await read)[0] as [number, number, number | undefined];
        assert.ok(got[1] === i - 1 || got[1] === i, `read ${i}: ${String(got)}`);
        await commit;
        await store.summaryFiles?.settled();
        assert.deepEqual(brief(await store.querySummaries(range(0, 1))), [[0, i, i]], `after commit ${i}`);
        await store.summaryFiles?.settled();
        assert.deepEqual(brief(await store.querySummaries(range(0, 1))), [[0, i, i]], `after commit ${i}, from its file`);
      }
    } finally {
      await store.close();
    }
  });

  test('a torn, damaged or foreign file is read from the store and written again', async () => {
    const store = await opened('damaged.duckdb');
    try {
      await store.putSummaries([win(0, 1, 1), win(1, 2, 2), win(2, 3, 3), win(3, 4, 4)]);
      await store.querySummaries(range(0, 4));
      await store.summaryFiles?.settled();
      const good = await readFile(fileOf(store, 0));
      await writeFile(fileOf(store, 0), good.subarray(0, good.length - 1)); // torn
      const flipped = Buffer.from(await readFile(fileOf(store, 1)));
      flipped.writeUInt8((flipped.at(-1) ?? 0) ^ 1, flipped.length - 1);
      await writeFile(fileOf(store, 1), flipped); // a bit flipped: the CRC does not match
      await writeFile(fileOf(store, 2), good); // another window's (whole) file
      await writeFile(fileOf(store, 3), Buffer.alloc(0)); // empty
      assert.deepEqual(brief(await store.querySummaries(range(0, 4))), [[0, 1, 1], [1, 2, 2], [2, 3, 3], [3, 4, 4]]);
      await store.summaryFiles?.settled();
      for (let i = 0; i < 4; i++) {
        const hit = decode(await readFile(fileOf(store, i)), SummaryFiles.id('hour', windowRowKey(win(i, 0))));
        assert.ok(hit !== null && hit !== undefined && hit !== 'busy' && hit.data[0] === i + 1, `window ${i} written again`);
      }
    } finally {
      await store.close();
    }
  });

  test('a directory that cannot be set up (here a file is in its place) leaves the store working without files', async () => {
    await writeFile(join(dir, 'blocked.duckdb.windows'), 'not a directory');
    const store = await opened('blocked.duckdb');
    try {
      await store.putSummaries([win(0, 1, 1), win(1, 2, 2)]);
      for (let i = 0; i < 2; i++) assert.deepEqual(brief(await store.querySummaries(range(0, 2))), [[0, 1, 1], [1, 2, 2]]);
    } finally {
      await store.close();
    }
    assert.equal(await readFile(join(dir, 'blocked.duckdb.windows'), 'utf8'), 'not a directory');
  });

  test('a removal that fails stops the use of files, and the next open empties the directory', async () => {
    const store = await opened('broken.duckdb');
    const filesDir = store.summaryFiles?.dir ?? '';
    try {
      await store.putSummaries([win(0, 1, 1), win(1, 2, 2)]);
      await store.querySummaries(range(0, 2));
      await store.summaryFiles?.settled();
      // Window 0's file replaced by a directory: removing it (at the next commit of window 0) fails.
      await unlink(fileOf(store, 0));
      await mkdir(fileOf(store, 0));
      await store.putSummaries([win(0, 5, 5)]);
      await store.summaryFiles?.settled();
      // Window 1's file forged: not read any more (the store is).
      await writeFile(fileOf(store, 1), encode(SummaryFiles.id('hour', windowRowKey(win(1, 0))), { events: 2, data: new Uint8Array([42]) }));
      assert.deepEqual(brief(await store.querySummaries(range(0, 2))), [[0, 5, 5], [1, 2, 2]]);
    } finally {
      await store.close();
    }
    await assert.rejects(readFile(join(filesDir, 'VALID')), { code: 'ENOENT' }, 'not marked valid');
    const again = await opened('broken.duckdb');
    try {
      assert.deepEqual(await readdir(filesDir), []);
      assert.deepEqual(brief(await again.querySummaries(range(0, 2))), [[0, 5, 5], [1, 2, 2]]);
    } finally {
      await again.close();
    }
  });
});
