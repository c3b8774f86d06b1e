import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDbStore } from '../storage/duckdb/store.js';
import type { EventRecord, LabelRecord } from '../storage/types.js';
import type { VersionContext } from './catalog.js';
import type { LabelledRead } from './labelled-read.js';
import { PerformanceCache, touchedBy, watchCommits } from './performance-cache.js';

const T0 = 1_700_000_000_000;
const dir = mkdtempSync(join(tmpdir(), 'lookout-perfcache-'));
let store: DuckDbStore;
let cache: PerformanceCache;

const ev = (i: number, model = 'm'): EventRecord => ({
  id: `${model}-${String(i).padStart(4, '0')}`, model, version: 'v1', ts: T0 + Math.floor(i / 3) * 1000, segment: i % 2 ? 'a=1' : 'a=2',
  prediction: String(i % 2), score: (i % 10) / 10, scores: null, latencyMs: 1, error: null, costUsd: null, features: { x: i },
});
/** A label of event i; ts: its prediction's time (that of ev(i) unless the event was stored with another; null: unknown). */
const lbl = (i: number, label: string, model = 'm', ts: number | null = ev(i, model).ts): LabelRecord => ({ id: `${model}-${String(i).padStart(4, '0')}`, model, label, receivedAt: T0 + 10_000_000 + i, ts });
const direct = async (from: number, to: number, model = 'm'): Promise<LabelledRead> => {
  const events = await store.labelledOutcomes({ model, version: 'v1', from, to });
  return { events, total: events.length, rate: 1 };
};

/** The store with some of its methods replaced (the others its own, bound to it): reads counted, writes injected. */
function watched(target: DuckDbStore, over: { labelledOutcomes?: DuckDbStore['labelledOutcomes']; countLabelled?: DuckDbStore['countLabelled'] }): DuckDbStore {
  return new Proxy(target, {
    get(t, prop) {
      const own = (over as Record<string | symbol, unknown>)[prop];
      if (own !== undefined) return own;
      const v: unknown = Reflect.get(t, prop, t);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

before(async () => {
  store = await DuckDbStore.open(join(dir, 'p.duckdb'));
  await store.init();
  const ids = Array.from({ length: 300 }, (_, i) => i);
  await store.appendEvents([...ids.map((i) => ev(i)), ...ids.map((i) => ev(i, 'other'))]);
  await store.putLabels([...ids.filter((i) => i % 4 !== 0).map((i) => lbl(i, String((i * 7) % 2))), ...ids.map((i) => lbl(i, '1', 'other'))]);
  cache = new PerformanceCache(store);
  watchCommits(store, (m, touched) => cache.invalidate(m, touched));
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('labelled(): slices of the cached set (also extended left and right) equal what the store returns for each range', async () => {
  const ranges: Array<[number, number]> = [[T0 + 20_000, T0 + 60_000], [T0 + 30_000, T0 + 31_000], [T0, T0 + 25_000], [T0 + 50_000, T0 + 200_000], [T0 + 7_000, T0 + 7_001], [T0 - 5, T0]];
  for (const [from, to] of ranges) assert.deepStrictEqual(await cache.labelled('m', 'v1', from, to), await direct(from, to), `[${from - T0}, ${to - T0})`);
  // concurrent requests for different buckets share one growing set
  const buckets = Array.from({ length: 10 }, (_, i): [number, number] => [T0 + i * 10_000, T0 + (i + 1) * 10_000]);
  const got = await Promise.all(buckets.map(([f, t]) => cache.labelled('m', 'v1', f, t)));
  for (let i = 0; i < buckets.length; i++) assert.deepStrictEqual(got[i], await direct(...(buckets[i] as [number, number])));
  assert.ok((got[0]?.events.length ?? 0) > 0);
});

test('a commit of labels for a model drops what was cached for it (never stale), and only for it', async () => {
  const from = T0, to = T0 + 100_000;
  const before = await cache.labelled('m', 'v1', from, to);
  const other = await cache.labelled('other', 'v1', from, to);
  // events 3, 4 and 5 share a second: event 4 is not labelled yet, 3 and 5 are
  const labelsAt = (r: LabelledRead): string[] => r.events.filter((l) => l.event.ts === ev(4).ts).map((l) => l.label);
  assert.deepStrictEqual(labelsAt(before), [lbl(3, String((3 * 7) % 2)).label, lbl(5, String((5 * 7) % 2)).label]);
  await store.putLabels([lbl(4, 'late'), lbl(5, 'changed')]);
  const now = await cache.labelled('m', 'v1', from, to);
  assert.deepStrictEqual(now, await direct(from, to));
  assert.deepStrictEqual(labelsAt(now), [lbl(3, String((3 * 7) % 2)).label, 'late', 'changed']);
  assert.deepStrictEqual(await cache.labelled('other', 'v1', from, to), other);
  // an event arriving after its label (stored without a prediction time) joins it: the cached set over its time is dropped
  await store.putLabels([lbl(2000, '1', 'm', null)]);
  assert.equal((await cache.labelled('m', 'v1', from, to)).events.length, now.events.length);
  await store.appendEvents([{ ...ev(2000), ts: T0 + 50_000 }]);
  const joined = await cache.labelled('m', 'v1', from, to);
  assert.deepStrictEqual(joined, await direct(from, to));
  assert.equal(joined.events.length, now.events.length + 1);
});

test('result(): computed once per (context, id); recomputed after a commit; a computation that overlapped a commit is not kept', async () => {
  const ctx = { record: { model: 'm', version: 'v1' } } as unknown as VersionContext;
  let runs = 0;
  const compute = async (): Promise<number> => ++runs;
  assert.equal(await cache.result(ctx, T0, T0 + 100_000, 'a', compute), 1);
  assert.equal(await cache.result(ctx, T0, T0 + 100_000, 'a', compute), 1);
  assert.equal(await cache.result(ctx, T0, T0 + 100_000, 'b', compute), 2);
  const otherCtx = { record: { model: 'm', version: 'v1' } } as unknown as VersionContext;
  assert.equal(await cache.result(otherCtx, T0, T0 + 100_000, 'a', compute), 3, 'a new version context (new reference) is not served the old result');
  await store.appendEvents([ev(1000)]); // event time T0 + 333 s: outside the range, the result is kept
  assert.equal(await cache.result(otherCtx, T0, T0 + 100_000, 'a', compute), 3);
  await store.appendEvents([{ ...ev(1001), ts: T0 + 99_999 }]);
  assert.equal(await cache.result(otherCtx, T0, T0 + 100_000, 'a', compute), 4);
  const overlapping = async (): Promise<number> => {
    const n = ++runs;
    await store.putLabels([lbl(1001, '1', 'm', T0 + 99_999)]);
    return n;
  };
  assert.equal(await cache.result(otherCtx, T0, T0 + 100_000, 'c', overlapping), 5);
  assert.equal(await cache.result(otherCtx, T0, T0 + 100_000, 'c', compute), 6);
  assert.equal(await cache.result(otherCtx, T0, T0 + 100_000, 'a', compute), 7, 'a label drops the results over its prediction\'s time');
  // issue 3: a label for a prediction outside the range keeps them; one whose prediction time is unknown drops them all
  await store.putLabels([lbl(1000, '1')]); // ev(1000): T0 + 333 s
  assert.equal(await cache.result(otherCtx, T0, T0 + 100_000, 'a', compute), 7);
  await store.putLabels([lbl(3000, '1', 'm', null)]);
  assert.equal(await cache.result(otherCtx, T0, T0 + 100_000, 'a', compute), 8);
});

test('result(): identical requests during a computation share it; after a write of the model, or under another context, a new one starts; a failure is not kept', async () => {
  const ctx = { record: { model: 'm', version: 'v1' } } as unknown as VersionContext;
  let runs = 0;
  let release: () => void = () => {};
  const gate = (): Promise<void> => new Promise<void>((r) => (release = r));
  const slow = async (): Promise<number> => {
    const n = ++runs;
    await gate();
    return n;
  };
  const a = cache.result(ctx, T0, T0 + 50_000, 'shared', slow);
  const b = cache.result(ctx, T0, T0 + 50_000, 'shared', slow);
  await new Promise((r) => setImmediate(r));
  assert.equal(runs, 1, 'the second request waits for the first computation');
  release();
  assert.deepStrictEqual(await Promise.all([a, b]), [1, 1]);
  // a write of the model's events in the range while it computes: a later request does not take the stale computation
  const c = cache.result(ctx, T0, T0 + 50_000, 'shared2', slow);
  await new Promise((r) => setImmediate(r));
  await store.appendEvents([{ ...ev(1002), ts: T0 + 1 }]);
  const d = cache.result(ctx, T0, T0 + 50_000, 'shared2', async () => ++runs);
  assert.equal(await d, 3);
  release();
  assert.equal(await c, 2);
  // another context (a new reference) starts its own
  const other = { record: { model: 'm', version: 'v1' } } as unknown as VersionContext;
  const e = cache.result(ctx, T0, T0 + 50_000, 'shared3', slow);
  await new Promise((r) => setImmediate(r));
  assert.equal(await cache.result(other, T0, T0 + 50_000, 'shared3', async () => ++runs), 5);
  release();
  assert.equal(await e, 4);
  // a failed computation fails the requests that shared it, and the next request computes again
  const boom = async (): Promise<number> => {
    ++runs;
    await gate();
    throw new Error('store failed');
  };
  const f = cache.result(ctx, T0, T0 + 50_000, 'fails', boom);
  const g = cache.result(ctx, T0, T0 + 50_000, 'fails', boom);
  await new Promise((r) => setImmediate(r));
  release();
  await assert.rejects(f, /store failed/);
  await assert.rejects(g, /store failed/);
  assert.equal(runs, 6);
  assert.equal(await cache.result(ctx, T0, T0 + 50_000, 'fails', async () => ++runs), 7);
});

test('issue 6: with a clock, the first read of a bucket near now extends to now: later buckets need no store read', async () => {
  let reads = 0;
  const counting = watched(store, { labelledOutcomes: (q) => { reads++; return store.labelledOutcomes(q); } });
  const now = T0 + 100_000;
  const c = new PerformanceCache(counting, { clock: () => now });
  const buckets = Array.from({ length: 10 }, (_, i): [number, number] => [T0 + i * 10_000, T0 + (i + 1) * 10_000]);
  for (const [f, t] of buckets) assert.deepStrictEqual(await c.labelled('m', 'v1', f, t), await direct(f, t));
  assert.equal(reads, 1, 'one store read for the ten buckets of a range ending now');
  const far = new PerformanceCache(counting, { clock: () => now + 40 * 86_400_000 });
  reads = 0;
  for (const [f, t] of buckets.slice(0, 3)) assert.deepStrictEqual(await far.labelled('m', 'v1', f, t), await direct(f, t));
  assert.equal(reads, 3, 'ranges far from now (over 31 days) are not extended');
});

test('issue 6: a range just apart from the cached set extends it (one read of the gap), a range far apart is read on its own', async () => {
  let reads = 0;
  const counting = new PerformanceCache(watched(store, { labelledOutcomes: (q) => { reads++; return store.labelledOutcomes(q); } }), { extendToNowMs: 60_000 });
  assert.deepStrictEqual(await counting.labelled('m', 'v1', T0 + 50_000, T0 + 90_000), await direct(T0 + 50_000, T0 + 90_000));
  // 30 s before the set (gap 20 s <= 60 s): the gap is read once, and everything since is sliced from the grown set
  assert.deepStrictEqual(await counting.labelled('m', 'v1', T0 + 20_000, T0 + 30_000), await direct(T0 + 20_000, T0 + 30_000));
  assert.equal(reads, 2);
  for (const [f, t] of [[T0 + 25_000, T0 + 55_000], [T0 + 20_000, T0 + 90_000], [T0 + 40_000, T0 + 41_000]] as const) {
    assert.deepStrictEqual(await counting.labelled('m', 'v1', f, t), await direct(f, t));
  }
  assert.equal(reads, 2, 'the grown set covers [20 s, 90 s)');
  // far apart (gap 100 s > 60 s): read on its own, replacing the set
  assert.deepStrictEqual(await counting.labelled('m', 'v1', T0 - 190_000, T0 - 170_000 + 10_000), await direct(T0 - 190_000, T0 - 160_000));
  assert.equal(reads, 3);
});

test('issue 3: touchedBy — events and labels over their (predictions\') times, summaries over their windows; a label without a time touches all of its model', () => {
  const e = (model: string, ts: number): EventRecord => ({ ...ev(0, model), ts });
  const l = (model: string, ts: number | null): LabelRecord => ({ id: `${model}-${ts}`, model, label: '1', receivedAt: 0, ts });
  const touched = touchedBy({
    events: [e('a', 50), e('a', 10), e('a', 30), e('b', 7)],
    labels: [l('a', 5), l('a', 2), l('b', 1000), l('c', 3), l('c', null), l('c', 4)],
    summaries: [{ model: 'b', version: 'v1', segment: '', granularity: 'minute', windowStart: 60_000, data: new Uint8Array() }],
  });
  assert.deepStrictEqual([...touched].sort(([x], [y]) => (x < y ? -1 : 1)), [
    ['a', [[10, 51], [2, 6]]],
    ['b', [[7, 8], [1000, 1001], [60_000, 120_000]]],
    ['c', null],
  ]);
});

test('issue 3: over its limit a read is a uniform sample by id, with the range\'s count; under it, everything; a sample is not kept', async () => {
  let reads = 0;
  const counting = watched(store, { labelledOutcomes: (q) => { reads++; return store.labelledOutcomes(q); } });
  const c = new PerformanceCache(counting, { limit: 50 });
  const from = T0, to = T0 + 200_000;
  const total = await store.countLabelled({ model: 'other', version: 'v1', from, to });
  assert.equal(total, 300);
  const got = await c.labelled('other', 'v1', from, to);
  assert.equal(got.total, 300);
  assert.ok(got.rate < 1);
  assert.ok(got.events.length > 0 && got.events.length <= 50, `sample of ${got.events.length}`);
  assert.deepStrictEqual(got.events, await store.labelledOutcomes({ model: 'other', version: 'v1', from, to, sampleRate: got.rate }));
  // the sample is not cached: asked again, the store is read again (a count, then the sample)
  reads = 0;
  assert.deepStrictEqual(await c.labelled('other', 'v1', from, to), got);
  assert.equal(reads, 1);
  // a range under the limit: every labelled event, as before
  assert.deepStrictEqual(await c.labelled('other', 'v1', T0, T0 + 10_000), await direct(T0, T0 + 10_000, 'other'));
});

test('issue 3: labels committed between the count and the sample make the sample too large: they are counted again and a lower rate read', async () => {
  const m = 'grow';
  const ids = Array.from({ length: 900 }, (_, i) => i);
  await store.appendEvents(ids.map((i) => ev(i, m)));
  await store.putLabels(ids.slice(0, 100).map((i) => lbl(i, '1', m)));
  let counts = 0;
  const racing = watched(store, {
    // a real write right after the first count: 800 more labelled events in the range
    countLabelled: async (q) => {
      const n = await store.countLabelled(q);
      if (counts++ === 0) await store.putLabels(ids.slice(100).map((i) => lbl(i, '1', m)));
      return n;
    },
  });
  const got = await new PerformanceCache(racing, { limit: 60 }).labelled(m, 'v1', T0, T0 + 400_000);
  assert.equal(counts, 2, 'counted again');
  assert.ok(got.events.length <= 60 && got.events.length > 0, `sample of ${got.events.length}`);
  assert.equal(got.total, 900);
  assert.deepStrictEqual(got.events, await store.labelledOutcomes({ model: m, version: 'v1', from: T0, to: T0 + 400_000, sampleRate: got.rate }));
});
