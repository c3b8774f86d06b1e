import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { StorageBackend } from './backend.js';
import type { Granularity, SummaryRecord, WindowValue } from './types.js';

/*
 * The window-summary part of the storage contract (contract.ts): summaries and their heads and event counts, and the
 * window values computed from them. Registered inside the contract's describe, on its store.
 */

/** A day boundary (UTC): summary windows start on their granularity's boundary. */
export const T0 = 1_699_920_000_000;

export function sum(model: string, over: Partial<SummaryRecord> = {}): SummaryRecord {
  return {
    model, version: 'v1', segment: '', granularity: 'hour', windowStart: T0, data: new Uint8Array([0, 1, 255]), ...over,
  };
}

/** A summary with `data` as a plain Uint8Array, so deepStrictEqual compares bytes only. */
export const plain = (s: SummaryRecord): SummaryRecord => ({ ...s, data: new Uint8Array(s.data) });

/**
 * For a backend's migration test: `store` was opened on tables written before summary heads existed, holding one
 * hour window of model "m", version "1", data [2]. Its windows read in full until a write brings a head.
 */
export async function checkHeadsAfterMigration(store: StorageBackend): Promise<void> {
  await store.init();
  await store.init(); // idempotent
  const q = { model: 'm', granularity: 'hour' as const, from: 0, to: 1e9 };
  assert.deepStrictEqual((await store.querySummaries({ ...q, headOnly: true })).map((r) => [...r.data]), [[2]]);
  await store.putSummaries([{ model: 'm', version: '1', segment: '', granularity: 'hour', windowStart: 0, data: new Uint8Array([5]), head: new Uint8Array([6]) }]);
  assert.deepStrictEqual((await store.querySummaries({ ...q, headOnly: true })).map((r) => [...r.data]), [[6]]);
  assert.deepStrictEqual((await store.querySummaries(q)).map((r) => [...r.data]), [[5]]);
  // The event count column came with the migration too: unknown for old rows, kept for new writes.
  assert.deepStrictEqual((await store.querySummaryKeys(q)).map((k) => k.events), [undefined]);
  await store.putSummaries([{ model: 'm', version: '1', segment: '', granularity: 'hour', windowStart: 0, data: new Uint8Array([5]), events: 3 }]);
  assert.deepStrictEqual((await store.querySummaryKeys(q)).map((k) => k.events), [3]);
}

/**
 * For a backend's migration test: `store` was opened on a window_values table of the first layout (one row per window
 * and metric) holding a row. The values are a cache: the table is replaced, and values are stored and read again.
 */
export async function checkWindowValuesAfterMigration(store: StorageBackend): Promise<void> {
  await store.init();
  await store.init(); // idempotent
  const q = { model: 'm', granularity: 'hour' as const, from: 0, to: 1e9, basis: 'b', metrics: ['driftShare'] };
  assert.deepStrictEqual(await store.queryWindowValues(q), []);
  const v: WindowValue = { model: 'm', version: '1', segment: '', granularity: 'hour', windowStart: 0, metric: 'driftShare', basis: 'b', events: 3, value: 0.5 };
  await store.putWindowValues([v]);
  assert.deepStrictEqual(await store.queryWindowValues(q), [v]);
}

/** The summary tests, on the contract's store (`s()`: opened in its before hook). */
export function summaryContract(s: () => StorageBackend): void {
  test('summaries: upsert replaces by full key; query filters; bytes exact', async () => {
    const m = 'sum';
    const big = randomBytes(50_000);
    const base = [
      sum(m, { data: new Uint8Array([0, 0, 0x7f, 0x80, 0xff]) }),
      sum(m, { version: 'v2' }), sum(m, { segment: 'country=de' }), sum(m, { granularity: 'day' }),
      sum(m, { windowStart: T0 + 3_600_000, data: new Uint8Array(big) }), sum(m, { windowStart: T0 - 3_600_000 }),
      sum(m, { windowStart: T0 + 7_200_000, data: new Uint8Array(0) }),
    ];
    await s().putSummaries(base);
    const replaced = sum(m, { data: new Uint8Array([9, 0, 9]) });
    await s().putSummaries([replaced]);
    const q = { model: m, granularity: 'hour' as const, from: T0, to: T0 + 7_200_000 };
    const got = (await s().querySummaries(q)).map(plain);
    assert.equal(got.length, 4);
    const key = (x: SummaryRecord): string => `${x.windowStart}|${x.version}|${x.segment}`;
    const want = [replaced, base[1], base[2], base[4]].map((x) => plain(x!)).sort((a, b) => (key(a) < key(b) ? -1 : 1));
    assert.deepStrictEqual([...got].sort((a, b) => (key(a) < key(b) ? -1 : 1)), want);
    assert.deepStrictEqual((await s().querySummaries({ ...q, version: 'v2' })).map(plain), [plain(base[1]!)]);
    assert.deepStrictEqual((await s().querySummaries({ ...q, segment: 'country=de' })).map(plain), [plain(base[2]!)]);
    assert.deepStrictEqual((await s().querySummaries({ ...q, granularity: 'day' })).map(plain), [plain(base[3]!)]);
    const edge = await s().querySummaries({ ...q, from: T0 + 7_200_000, to: T0 + 7_200_001 });
    assert.deepStrictEqual(edge.map(plain), [plain(base[6]!)]);
    assert.deepStrictEqual(await s().querySummaries({ ...q, model: 'nobody' }), []);
    // Keys only: the same rows, in the same order, without the data.
    const reads = [q, { ...q, version: 'v2' }, { ...q, segment: 'country=de' }, { ...q, granularity: 'day' as const }, { ...q, model: 'nobody' }, { ...q, from: T0 + 7_200_000, to: T0 + 7_200_001 }];
    for (const k of reads) {
      assert.deepStrictEqual(await s().querySummaryKeys(k), (await s().querySummaries(k)).map(({ data: _data, ...key }) => key));
    }
  });

  test('summaries: a read of more rows than one result chunk returns every row exactly; the bytes are the caller\'s to change', async () => {
    const m = 'sum-chunks';
    // 2,100 minute windows (DuckDB hands results over in chunks of 2,048 rows), with data of 0 to 40 bytes: DuckDB keeps
    // blobs of up to 12 bytes inline in the vector, longer ones out of line.
    const rows = Array.from({ length: 2_100 }, (_, i) => sum(m, {
      granularity: 'minute', windowStart: T0 + i * 60_000, events: i, data: Uint8Array.from({ length: i % 41 }, (_, j) => (i * 7 + j) & 255),
    }));
    await s().putSummaries(rows);
    const q = { model: m, granularity: 'minute' as const, from: T0, to: T0 + 2_100 * 60_000 };
    const got = await s().querySummaries(q);
    assert.deepStrictEqual(got.map(plain), rows.map(plain));
    for (const r of got) r.data.fill(0xee);
    assert.deepStrictEqual((await s().querySummaries(q)).map(plain), rows.map(plain));
    assert.deepStrictEqual(await s().querySummaryKeys(q), rows.map(({ data: _data, ...key }) => key));
  });

  test('summary heads: headOnly reads the head where one is stored, the full data elsewhere; a write without a head clears it', async () => {
    const m = 'head';
    const withHead = sum(m, { data: new Uint8Array(randomBytes(20_000)), head: new Uint8Array([1, 2, 0, 255]) });
    const without = sum(m, { windowStart: T0 + 3_600_000, data: new Uint8Array([7, 7, 7]) });
    const emptyHead = sum(m, { windowStart: T0 + 7_200_000, data: new Uint8Array([5]), head: new Uint8Array(0) });
    await s().putSummaries([withHead, without, emptyHead]);
    const q = { model: m, granularity: 'hour' as const, from: T0, to: T0 + 10_800_000 };
    const bytes = async (headOnly: boolean): Promise<number[][]> => (await s().querySummaries({ ...q, headOnly })).map((r) => [...r.data]);
    assert.deepStrictEqual(await bytes(true), [[1, 2, 0, 255], [7, 7, 7], []]);
    assert.deepStrictEqual(await bytes(false), [[...withHead.data], [7, 7, 7], [5]]);
    // Same rows and keys as a full read.
    assert.deepStrictEqual((await s().querySummaries({ ...q, headOnly: true })).map(({ data: _d, ...k }) => k), await s().querySummaryKeys(q));
    // Rewritten without a head (a writer that does not make heads): the old head must not be served.
    await s().putSummaries([sum(m, { data: new Uint8Array([3, 3]) })]);
    assert.deepStrictEqual((await bytes(true))[0], [3, 3]);
    // Rewritten with a new head inside a commit.
    await s().commit({ summaries: [sum(m, { data: new Uint8Array([4]), head: new Uint8Array([9]) })] });
    assert.deepStrictEqual((await bytes(true))[0], [9]);
    assert.deepStrictEqual((await bytes(false))[0], [4]);
  });

  test('summaries: a read naming version and segment returns what the unnamed read holds for them, for any range and granularity (intermediate windows too); an unaligned window is refused', async () => {
    // DuckDB reads such ranges by a one-column key (duckdb/window-row-key.ts) instead of a scan: the rows must be the same.
    const m = 'named "m" | \\ ü';
    const segments = ['', 'a=1', 'b="x|y"', 'c=\\', 'd=\uD800', 'e=ü😀'];
    const rows: SummaryRecord[] = [];
    for (const version of ['1', '1.0.0-rc.1']) {
      for (const segment of segments) {
        for (let i = 0; i < 30; i += 1 + (segment.length % 3)) rows.push(sum(m, { version, segment, granularity: 'minute', windowStart: T0 + i * 60_000, data: new Uint8Array([i, segment.length]), events: i }));
        for (let i = 0; i < 300; i += 7) rows.push(sum(m, { version, segment, windowStart: T0 + i * 3_600_000, data: new Uint8Array([i % 256, 1]) }));
        for (let i = 0; i < 40; i += 3) rows.push(sum(m, { version, segment, granularity: '10min', windowStart: T0 + i * 600_000, data: new Uint8Array([i, 10]), events: i + 1 }));
        for (let i = 0; i < 20; i += 2) rows.push(sum(m, { version, segment, granularity: '6h', windowStart: T0 + i * 21_600_000, data: new Uint8Array([i, 6]), events: i + 2 }));
      }
    }
    await s().putSummaries(rows);
    const ranges: Array<[Granularity, number, number]> = [
      ['minute', T0, T0 + 30 * 60_000], ['minute', T0 + 1, T0 + 60_000], ['minute', T0 + 59_999, T0 + 120_001], ['minute', T0 + 5 * 60_000, T0 + 5 * 60_000],
      ['minute', T0 - 86_400_000, T0 + 86_400_000], ['hour', T0, T0 + 300 * 3_600_000], ['hour', T0 + 7 * 3_600_000, T0 + 7 * 3_600_000 + 1],
      ['hour', T0 - 1, T0 + 24 * 3_600_000], ['hour', T0 + 1, T0 + 400 * 3_600_000],
      ['10min', T0, T0 + 40 * 600_000], ['10min', T0 + 1, T0 + 600_001], ['10min', T0 + 3 * 600_000, T0 + 3 * 600_000 + 1], ['10min', T0 - 86_400_000, T0 + 86_400_000],
      ['6h', T0, T0 + 20 * 21_600_000], ['6h', T0 + 1, T0 + 21_600_001], ['6h', T0 - 86_400_000, T0 + 86_400_000],
    ];
    for (const [granularity, from, to] of ranges) {
      const all = (await s().querySummaries({ model: m, granularity, from, to })).map(plain);
      for (const version of ['1', '1.0.0-rc.1', 'v9']) {
        for (const segment of [...segments, 'nobody']) {
          const q = { model: m, granularity, from, to, version, segment };
          // A lone surrogate is stored as U+FFFD by both backends (contract above), and a query naming either finds it.
          const want = all.filter((r) => r.version === version && r.segment === segment.replace(/\uD800/g, '\uFFFD'));
          assert.deepStrictEqual((await s().querySummaries(q)).map(plain), want, `${granularity} [${from - T0}, ${to - T0}) ${version} ${JSON.stringify(segment)}`);
          assert.deepStrictEqual((await s().querySummaries({ ...q, headOnly: true })).map(plain), want);
        }
      }
    }
    const before = await s().querySummaries({ model: m, granularity: 'hour', from: 0, to: 4e12 });
    await assert.rejects(s().putSummaries([sum(m, { windowStart: T0 + 1_800_000 })]), /summary window start \d+ is not aligned to its granularity \(hour/);
    await assert.rejects(s().putSummaries([sum(m, { granularity: '10min', windowStart: T0 + 60_000 })]), /not aligned to its granularity \(10min: a multiple of 600000 ms/);
    await assert.rejects(s().putSummaries([sum(m, { granularity: '6h', windowStart: T0 + 3_600_000 })]), /not aligned to its granularity \(6h: a multiple of 21600000 ms/);
    await assert.rejects(s().commit({ events: [], summaries: [sum(m, { windowStart: T0 + 3_600_000, data: new Uint8Array([42]) }), sum(m, { granularity: 'day', windowStart: T0 + 3_600_000 })] }), /not aligned to its granularity \(day/);
    assert.deepStrictEqual((await s().querySummaries({ model: m, granularity: 'hour', from: 0, to: 4e12 })).map(plain), before.map(plain));
  });

  test('summaries keep the event count they are written with (keys return it); a write without one stores none', async () => {
    const m = 'sumev';
    await s().putSummaries([sum(m, { events: 12 }), sum(m, { windowStart: T0 + 3_600_000 }), sum(m, { windowStart: T0 + 7_200_000, events: 0 })]);
    const q = { model: m, granularity: 'hour' as const, from: T0, to: T0 + 10_800_000 };
    assert.deepStrictEqual((await s().querySummaryKeys(q)).map((k) => k.events), [12, undefined, 0]);
    assert.deepStrictEqual((await s().querySummaries(q)).map((k) => k.events), [12, undefined, 0]);
    assert.deepStrictEqual((await s().querySummaries({ ...q, headOnly: true })).map((k) => k.events), [12, undefined, 0]);
    await s().commit({ summaries: [sum(m, { events: 13 }), sum(m, { windowStart: T0 + 7_200_000 })] });
    assert.deepStrictEqual((await s().querySummaryKeys(q)).map((k) => k.events), [13, undefined, undefined]);
  });

  test('window values: upsert by window and metric; query by range, version, segment, metrics and basis', async () => {
    const m = 'wv';
    const v = (over: Partial<WindowValue>): WindowValue => ({
      model: m, version: 'v1', segment: '', granularity: 'hour', windowStart: T0, metric: 'driftShare', basis: 'b1', events: 10, value: 0.25, ...over,
    });
    const rows = [
      v({}), v({ metric: 'drift:x', value: null }), v({ windowStart: T0 + 3_600_000, value: -1e-300 }), v({ version: 'v2' }),
      v({ segment: 'country=de' }), v({ granularity: 'day' }), v({ windowStart: T0 + 7_200_000, basis: 'b0' }), v({ metric: 'drift:ü', value: 1e308 }),
    ];
    await s().putWindowValues(rows);
    await s().putWindowValues([]);
    const q = { model: m, granularity: 'hour' as const, from: T0, to: T0 + 10_800_000, version: 'v1', segment: '', basis: 'b1' };
    const key = (x: WindowValue): string => `${x.windowStart}|${x.metric}`;
    const got = async (over: Partial<typeof q> & { metrics: string[] }): Promise<WindowValue[]> => (await s().queryWindowValues({ ...q, ...over })).sort((a, b) => (key(a) < key(b) ? -1 : 1));
    assert.deepStrictEqual(await got({ metrics: ['driftShare', 'drift:x', 'drift:ü'] }), [rows[1], rows[7], rows[0], rows[2]]);
    assert.deepStrictEqual(await got({ metrics: ['driftShare'], from: T0 + 1, to: T0 + 3_600_001 }), [rows[2]]);
    assert.deepStrictEqual(await got({ metrics: ['driftShare'], version: 'v2' }), [rows[3]]);
    assert.deepStrictEqual(await got({ metrics: ['driftShare'], segment: 'country=de' }), [rows[4]]);
    assert.deepStrictEqual(await got({ metrics: ['driftShare'], basis: 'b0' }), [rows[6]]);
    assert.deepStrictEqual(await got({ metrics: [] }), []);
    assert.deepStrictEqual(await s().queryWindowValues({ ...q, granularity: 'day', metrics: ['driftShare'] }), [rows[5]]);
    // Upsert: the same window and metric, a new basis, count and value replace the old (the last of duplicates wins).
    await s().putWindowValues([v({ value: 0.5 }), v({ basis: 'b2', events: 11, value: 0.75 })]);
    assert.deepStrictEqual(await got({ metrics: ['driftShare'], from: T0, to: T0 + 1 }), []);
    assert.deepStrictEqual(await got({ metrics: ['driftShare'], from: T0, to: T0 + 1, basis: 'b2' }), [v({ basis: 'b2', events: 11, value: 0.75 })]);
    // Under the window's basis and count, values written later join those stored; under another count they replace them.
    await s().putWindowValues([v({ basis: 'b2', events: 11, metric: 'drift:y', value: 0.5 })]);
    const both = { metrics: ['driftShare', 'drift:y'], from: T0, to: T0 + 1, basis: 'b2' };
    assert.deepStrictEqual(await got(both), [v({ basis: 'b2', events: 11, metric: 'drift:y', value: 0.5 }), v({ basis: 'b2', events: 11, value: 0.75 })]);
    // The same metric again under the same basis and count (a query and the filler computing one window together): one value, the later.
    await s().putWindowValues([v({ basis: 'b2', events: 11, value: 0.875 }), v({ basis: 'b2', events: 11, metric: 'drift:y', value: 0.5 })]);
    assert.deepStrictEqual(await got(both), [v({ basis: 'b2', events: 11, metric: 'drift:y', value: 0.5 }), v({ basis: 'b2', events: 11, value: 0.875 })]);
    await s().putWindowValues([v({ basis: 'b2', events: 12, metric: 'drift:y', value: 0.125 })]);
    assert.deepStrictEqual(await got(both), [v({ basis: 'b2', events: 12, metric: 'drift:y', value: 0.125 })]);
  });

  test('pruneWindows: deletes the model\'s summaries and window values of the granularities named that start before the cutoff, nothing else', async () => {
    const m = 'prune';
    const M = 60_000;
    const rows = [
      sum(m, { granularity: 'minute', windowStart: T0 }), sum(m, { granularity: 'minute', windowStart: T0 + M, segment: 'country=de', version: 'v2' }),
      sum(m, { granularity: 'minute', windowStart: T0 + 2 * M }), sum(m, { granularity: '10min', windowStart: T0 }),
      sum(m, { granularity: '10min', windowStart: T0 + 10 * M }), sum(m, { granularity: 'hour', windowStart: T0 }),
      sum('other', { granularity: 'minute', windowStart: T0 }),
    ];
    await s().putSummaries(rows);
    const value = (r: SummaryRecord): WindowValue => ({ ...r, metric: 'driftShare', basis: 'b', events: 1, value: 0.5 });
    await s().putWindowValues(rows.map(value));
    const keys = async (model: string, granularity: Granularity): Promise<string[]> =>
      (await s().querySummaryKeys({ model, granularity, from: 0, to: T0 * 2 })).map((k) => `${k.version}|${k.segment}|${k.windowStart - T0}`).sort();
    const values = async (model: string, granularity: Granularity): Promise<number[]> => (await Promise.all(['v1', 'v2'].flatMap((version) => ['', 'country=de'].map((segment) =>
      s().queryWindowValues({ model, version, segment, granularity, from: 0, to: T0 * 2, basis: 'b', metrics: ['driftShare'] }))))).flat().map((v) => v.windowStart - T0).sort((a, b) => a - b);

    // read by key first (the DuckDB store keeps what such reads return as files: a pruned window must not come back from one)
    const read = async (): Promise<number[]> => (await s().querySummaries({ model: m, version: 'v1', segment: '', granularity: 'minute', from: 0, to: T0 * 2 })).map((r) => r.windowStart - T0);
    assert.deepStrictEqual(await read(), [0, 2 * M]);
    assert.deepStrictEqual(await read(), [0, 2 * M]);
    assert.equal(await s().pruneWindows(m, ['minute', '10min'], T0 + 2 * M), 3);
    assert.deepStrictEqual(await read(), [2 * M]);
    assert.deepStrictEqual(await keys(m, 'minute'), [`v1||${2 * M}`]);
    assert.deepStrictEqual(await keys(m, '10min'), [`v1||${10 * M}`]);
    assert.deepStrictEqual(await keys(m, 'hour'), ['v1||0'], 'a granularity not named is kept');
    assert.deepStrictEqual(await keys('other', 'minute'), ['v1||0'], 'another model is kept');
    assert.deepStrictEqual(await values(m, 'minute'), [2 * M]);
    assert.deepStrictEqual(await values(m, '10min'), [10 * M]);
    assert.deepStrictEqual(await values(m, 'hour'), [0]);
    assert.deepStrictEqual(await values('other', 'minute'), [0]);
    assert.equal(await s().pruneWindows(m, ['minute', '10min'], T0 + 2 * M), 0, 'nothing left to prune');
    // a window pruned can be written again (the store's keys are gone with its rows)
    await s().putSummaries([rows[0] as SummaryRecord]);
    assert.deepStrictEqual(await keys(m, 'minute'), ['v1||0', `v1||${2 * M}`]);
  });

  test('window values: every double (non-finite, subnormal), null, and any metric name round-trip exactly (-0 as 0)', async () => {
    const m = 'wv-exact';
    const names = ['drift:a/b~c"d', "missing:it's.a b", 'drift:ü∑', 'drift:~1', 'drift:$.x[0]', 'drift:'];
    const xs = [NaN, Infinity, -Infinity, -0, 0, 5e-324, -1.7976931348623157e308, 0.1 + 0.2, null, 1 / 3];
    const rows: WindowValue[] = xs.map((value, i) => ({
      model: m, version: 'v1', segment: '', granularity: 'day', windowStart: T0 + i * 86_400_000, metric: names[i % names.length] as string, basis: 'b', events: i, value,
    }));
    await s().putWindowValues(rows);
    const back = await s().queryWindowValues({ model: m, granularity: 'day', from: 0, to: T0 * 2, basis: 'b', metrics: names });
    assert.equal(back.length, rows.length);
    back.forEach((b, i) => {
      const r = rows[i] as WindowValue;
      assert.deepStrictEqual({ ...b, value: 0 }, { ...r, value: 0 });
      const want = Object.is(r.value, -0) ? 0 : r.value;
      assert.ok(Object.is(b.value, want), `${String(r.value)} came back as ${String(b.value)}`);
    });
  });

  test('summary segments: every (model, version, segment) of a granularity once, in one read', async () => {
    const m = 'segs-all';
    await s().putSummaries([
      sum(`${m}-a`, { granularity: 'day' }), sum(`${m}-a`, { granularity: 'day', windowStart: T0 + 86_400_000 }),
      sum(`${m}-a`, { granularity: 'day', segment: 'region=eu' }), sum(`${m}-a`, { granularity: 'day', version: 'v2', segment: 'region=us' }),
      sum(`${m}-b`, { granularity: 'day', segment: 'region=eu' }), sum(`${m}-b`, { granularity: 'hour', segment: 'region=hour-only' }),
    ]);
    const mine = (await s().summarySegments('day')).filter((x) => x.model.startsWith(m));
    assert.deepStrictEqual(mine, [
      { model: `${m}-a`, version: 'v1', segment: '' }, { model: `${m}-a`, version: 'v1', segment: 'region=eu' },
      { model: `${m}-a`, version: 'v2', segment: 'region=us' }, { model: `${m}-b`, version: 'v1', segment: 'region=eu' },
    ]);
  });
}
