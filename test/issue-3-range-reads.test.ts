import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import type { StorageBackend } from '../src/storage/backend.js';
import { SummaryReader } from '../src/monitoring/query.js';
import type { VersionContext } from '../src/monitoring/catalog.js';
import type { SummaryQuery } from '../src/storage/types.js';
import { call, testServer } from './helpers/server.js';
import { WindowSummary } from '../src/core/summary/window.js';
import { decomposeRange, GRANULARITY_MS } from '../src/core/time/windows.js';

/*
 * Issue 3 (a dashboard's "last 24 h" a minute later): a range merge whose parts have windows cached, or known absent,
 * reads only the windows it knows nothing of (no key reads first), and merges exactly what a cold merge of that range
 * merges; a window known absent that is then written is read again.
 */
const MIN = 60_000;
const H = 60 * MIN;
const NOW = Math.floor(Date.now() / MIN) * MIN;
let s: Server;

before(async () => {
  s = await testServer({ clock: () => NOW });
  assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'rk', outputKind: 'regression', inputSchema: { type: 'object', properties: { a: { type: 'number' } } } })).status, 201);
  assert.equal((await call(s.url, 'POST', '/v1/models/rk/versions', { version: '1' })).status, 201);
  // An event every 7 minutes over the last 26 hours: minute, 10-minute, hour and 6-hour windows at both ends of a day.
  const events = Array.from({ length: Math.floor((26 * 60) / 7) }, (_, i) => ({ model: 'rk', version: '1', timestamp: NOW - 26 * H + i * 7 * MIN + 1_000, features: { a: i % 13 }, prediction: i, latencyMs: 1 + (i % 5) }));
  assert.equal((await call(s.url, 'POST', '/v1/events', { events })).body['accepted'], events.length);
  // Every acknowledged event checkpointed into the stored windows (a read syncs first).
  assert.equal((await call(s.url, 'GET', `/v1/models/rk/health?from=${NOW - 27 * H}&to=${NOW}`)).body['events'], events.length);
});
after(async () => s?.close());

/** The store, recording the summary reads made through it (the real DuckDB store underneath). */
function recorded(store: StorageBackend): { store: StorageBackend; calls: Array<{ method: string; q: SummaryQuery }> } {
  const calls: Array<{ method: string; q: SummaryQuery }> = [];
  const proxy = new Proxy(store, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        if (typeof prop === 'string' && prop.startsWith('querySummar')) calls.push({ method: prop, q: args[0] as SummaryQuery });
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

test('issue 3: a range merge with windows cached reads only the windows it knows nothing of, and merges the same windows', async () => {
  const { store, calls } = recorded(s.deps.store);
  const reader = new SummaryReader(store, s.deps.catalog, () => NOW);
  const v = reader.resolveVersion('rk', '1') as VersionContext;
  const fresh = (): SummaryReader => new SummaryReader(s.deps.store, s.deps.catalog, () => NOW);
  // Ranges from 13 minutes past an hour: parts of every granularity at both ends.
  const from = Math.floor((NOW - 25 * H) / H) * H + 13 * MIN;
  await reader.merged(v, '', from, from + 24 * H);
  assert.ok(calls.length > 0 && calls.every((c) => c.method === 'querySummaries'), 'a cold merge reads rows, no keys');
  for (const shift of [1, 2, 17]) {
    calls.length = 0;
    const [a, b] = [from + shift * MIN, from + 24 * H + shift * MIN];
    const warm = await reader.merged(v, '', a, b);
    assert.deepEqual(calls.filter((c) => c.method !== 'querySummaries'), [], `shifted ${shift} min: no key reads`);
    if (shift < 17) {
      // The range gained one minute window at its end (the one before is cached or known absent): that one is read, alone.
      assert.deepEqual(calls.map((c) => [c.q.granularity, c.q.from, c.q.to]), [['minute', b - MIN, b]], `shifted ${shift} min: only the new minute window read`);
    }
    const cold = await fresh().merged(v, '', a, b);
    assert.ok(warm.events > 0);
    assert.equal(warm.events, cold.events);
    assert.deepEqual(warm.toBytes(), cold.toBytes(), `shifted ${shift} min: the same merged summary as a cold merge`);
  }
  // After a cold merge, a range a minute earlier reads at most one run of windows at each end (what it gains at its start,
  // and at its end whatever its new decomposition needs): no key read, nothing of the middle.
  calls.length = 0;
  reader.cache.clear();
  await reader.merged(v, '', from + 17 * MIN, from + 24 * H + 17 * MIN);
  const read = calls.length;
  assert.ok(read > 0);
  calls.length = 0;
  await reader.merged(v, '', from + 16 * MIN, from + 24 * H + 16 * MIN);
  assert.ok(calls.length <= 2, `a range one minute earlier reads at most its first and its last windows' runs (${calls.length} reads)`);
});

test('issue 3: a window a range merge found absent is read again once events are written into it', async () => {
  const reader = s.deps.reader; // the server's: the ingest pipeline tells its cache what it writes
  const v = reader.resolveVersion('rk', '1') as VersionContext;
  const base = NOW - 26 * H; // events at base + 7k minutes (+ 1 s)
  // A minute without events in the last part of a range ending a minute after it (not the last minute of ten, so that the
  // range's end is read as minute windows, this one among them).
  let m = NOW - 3 * H;
  while (((m - base) / MIN) % 7 === 0 || (m % (10 * MIN)) === 9 * MIN) m += MIN;
  const [a, b] = [m + MIN - 24 * H, m + MIN];
  const before = await reader.merged(v, '', a, b);
  const key = { model: 'rk', version: '1', segment: '', granularity: 'minute' as const, windowStart: m };
  assert.equal(reader.cache.isAbsent(v, key), true, 'the empty minute is known absent after the merge');
  const ev = { model: 'rk', version: '1', timestamp: m + 5_000, features: { a: 1 }, prediction: 1, latencyMs: 2 };
  assert.equal((await call(s.url, 'POST', '/v1/events', { events: [ev] })).body['accepted'], 1);
  const after = await reader.merged(v, '', a, b);
  assert.equal(after.events, before.events + 1, 'the new event is merged');
  const cold = await new SummaryReader(s.deps.store, s.deps.catalog, () => NOW).merged(v, '', a, b);
  assert.deepEqual(after.toBytes(), cold.toBytes(), 'the same merged summary as a cold merge');
  // A range moved a minute (a new merge, the other windows cached) sees it too.
  const moved = await reader.merged(v, '', a + MIN, b + MIN);
  const movedCold = await new SummaryReader(s.deps.store, s.deps.catalog, () => NOW).merged(v, '', a + MIN, b + MIN);
  assert.deepEqual(moved.toBytes(), movedCold.toBytes());
});

test('issue 3: a range moved by a minute merges its whole hours as one cached range: only its end windows are merged again', async () => {
  const reader = new SummaryReader(s.deps.store, s.deps.catalog, () => NOW);
  const v = reader.resolveVersion('rk', '1') as VersionContext;
  const from = Math.floor((NOW - 25 * H) / H) * H + 13 * MIN;
  await reader.merged(v, '', from, from + 24 * H);
  // The stored events' times (those sent in before() and by the test above): the windows of a part that exist are those
  // holding one.
  const times = (await s.deps.store.queryEvents({ model: 'rk', from: NOW - 27 * H, to: NOW + H, limit: 100_000 })).map((e) => e.ts);
  assert.ok(times.length >= Math.floor((26 * 60) / 7));
  const proto = WindowSummary.prototype;
  const orig = proto.mergeTransient;
  const mergedIn: WindowSummary[] = [];
  proto.mergeTransient = function (this: WindowSummary, o: WindowSummary) {
    mergedIn.push(o);
    orig.call(this, o);
  };
  const [a, b] = [from + MIN, from + 24 * H + MIN];
  let moved: WindowSummary;
  try {
    moved = await reader.merged(v, '', a, b);
  } finally {
    proto.mergeTransient = orig;
  }
  const ends = decomposeRange(a, b).filter((p) => p.granularity === 'minute' || p.granularity === '10min');
  let endWindows = 0;
  for (const p of ends) {
    const size = GRANULARITY_MS[p.granularity];
    for (let t = p.from; t < p.to; t += size) if (times.some((x) => x >= t && x < t + size)) endWindows++;
  }
  assert.ok(endWindows > 0);
  assert.equal(mergedIn.length, endWindows + 1, 'the end windows, and the whole hours merged once before');
  const body = await reader.merged(v, '', Math.ceil(a / H) * H, Math.floor(b / H) * H); // cached: the same object
  assert.ok(mergedIn.includes(body), 'the whole hours come from their cached merge');
  assert.equal(moved.events, times.filter((x) => x >= a && x < b).length);
  assert.deepEqual(moved.toBytes(), (await new SummaryReader(s.deps.store, s.deps.catalog, () => NOW).merged(v, '', a, b)).toBytes(), 'the same bytes as a cold merge');
});
