import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { call, testServer } from './helpers/server.js';
import { WindowSummary } from '../src/core/summary/window.js';
import { seriesMetric } from '../src/monitoring/timeseries.js';
import { SummaryReader } from '../src/monitoring/query.js';

/* Cached query results (decoded summaries, time-series points, merged ranges) must follow every commit. */
let s: Server;
const H = 3_600_000;
const T = Math.floor((Date.now() - 3 * H) / H) * H;

before(async () => {
  s = await testServer();
  assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'qc', outputKind: 'regression', inputSchema: { type: 'object', properties: { a: { type: 'number' } } } })).status, 201);
  assert.equal((await call(s.url, 'POST', '/v1/models/qc/versions', { version: '1' })).status, 201);
});
after(async () => s?.close());

const send = async (n: number, latencyMs: number, at: number): Promise<void> => {
  const events = Array.from({ length: n }, (_, i) => ({ model: 'qc', version: '1', timestamp: at + i, features: { a: i }, prediction: i, latencyMs }));
  const r = await call(s.url, 'POST', '/v1/events', { events });
  assert.equal(r.body['accepted'], n);
};

test('issue 3: repeated queries are answered from the cache and still see every new event', async () => {
  await send(10, 5, T + 1000);
  const series = async (): Promise<Array<{ t: number; value: number | null; events: number }>> =>
    (await call(s.url, 'GET', `/v1/models/qc/timeseries?metric=latencyP99&granularity=hour&from=${T}&to=${T + 3 * H}`)).body['points'] as Array<{ t: number; value: number | null; events: number }>;
  const health = async (): Promise<number> => (await call(s.url, 'GET', `/v1/models/qc/health?from=${T}&to=${T + 3 * H}`)).body['events'] as number;
  assert.deepEqual((await series()).map((p) => p.events), [10, 0, 0]);
  assert.equal(await health(), 10);
  assert.deepEqual((await series()).map((p) => p.events), [10, 0, 0], 'same answer from the cache');
  assert.equal(await health(), 10);
  // New events in the same window and in a window that did not exist: both show up.
  await send(5, 500, T + 2000);
  await send(3, 5, T + H + 1000);
  const after = await series();
  assert.deepEqual(after.map((p) => p.events), [15, 3, 0]);
  assert.ok((after[0]?.value ?? 0) > 400, `p99 latency follows the new events: ${after[0]?.value}`);
  assert.equal(await health(), 18);
});

test('issue 3: events older than the minute retention go to hour and day windows only, counted exactly', async () => {
  const old = Math.floor((Date.now() - 5 * 24 * H) / H) * H;
  const events = Array.from({ length: 30 }, (_, i) => ({ model: 'qc', version: '1', timestamp: old + i * 240_000, features: { a: i }, prediction: i, latencyMs: 1 }));
  assert.equal((await call(s.url, 'POST', '/v1/events', { events })).body['accepted'], 30);
  const q = { model: 'qc', version: '1', segment: '', from: old - H, to: old + 3 * H };
  assert.equal((await s.deps.store.querySummaries({ ...q, granularity: 'minute' })).length, 0);
  const hours = await s.deps.reader.series(s.deps.reader.resolveVersion('qc', '1') as NonNullable<ReturnType<Server['deps']['reader']['resolveVersion']>>, '', q.from, q.to, 'hour');
  assert.deepEqual([...hours].map(([t, w]) => [t - old, w.events]), [[0, 15], [H, 15]]);
  const health = await call(s.url, 'GET', `/v1/models/qc/health?from=${old}&to=${old + 2 * H}`);
  assert.equal(health.body['events'], 30);
});

test('issue 3: series of metrics that need no feature read the windows\' small heads (same values); feature metrics read them in full', async () => {
  const at = T - 3 * H;
  for (let h = 0; h < 3; h++) await send(20, 10 * (h + 1), at + h * H + 1000);
  const v = s.deps.reader.resolveVersion('qc', '1') as NonNullable<ReturnType<Server['deps']['reader']['resolveVersion']>>;
  const url = (metrics: string): string => `/v1/models/qc/series?metrics=${metrics}&granularity=hour&from=${at}&to=${at + 3 * H}`;
  type Series = Record<string, Array<{ t: number; value: number | null }>>;
  const values = async (metrics: string): Promise<Series> => (await call(s.url, 'GET', url(metrics))).body['series'] as Series;
  // Reference: read with a feature metric beside it, so the windows are decoded in full. (The first read after
  // writes checkpoints them, which keeps what it read from being cached: the second one caches.)
  await values('latencyP95,errorRate,missing:a');
  s.deps.reader.cache.clear();
  const full = await values('latencyP95,errorRate,missing:a');
  const keys = (await s.deps.store.querySummaryKeys({ model: 'qc', version: '1', segment: '', granularity: 'hour', from: at, to: at + 3 * H }));
  assert.equal(keys.length, 3);
  assert.ok(keys.every((k) => s.deps.reader.cache.summary(v, k) !== undefined), 'a full read caches the decoded summaries');
  // The stored heads hold no features; the full data does.
  const q = { model: 'qc', version: '1', segment: '', granularity: 'hour' as const, from: at, to: at + 3 * H };
  const decode = (r: { data: Uint8Array }): number => WindowSummary.fromBytes(r.data, v.spec, 0, true).features.size;
  assert.deepEqual((await s.deps.store.querySummaries({ ...q, headOnly: true })).map(decode), [0, 0, 0]);
  assert.deepEqual((await s.deps.store.querySummaries(q)).map(decode), [1, 1, 1]);
  // Cold again, head metrics only: same values, and nothing decoded in full was cached (the heads were read).
  s.deps.reader.cache.clear();
  const head = await values('latencyP95,errorRate');
  assert.deepEqual(head['latencyP95'], full['latencyP95']);
  assert.deepEqual(head['errorRate'], full['errorRate']);
  assert.ok(head['latencyP95']?.some((p) => p.value !== null), 'values present');
  assert.ok(keys.every((k) => s.deps.reader.cache.summary(v, k) === undefined), 'head reads are not cached as summaries');
  // A feature metric after that still reads the windows in full (not the cached head values).
  const miss = await values('missing:a');
  assert.deepEqual(miss['missing:a'], full['missing:a']);
  assert.ok(keys.every((k) => s.deps.reader.cache.summary(v, k) !== undefined));
});

test('issue 3: range merges keep the windows they merge undecoded, whether read for them or cached already; answers match a fresh read', async () => {
  const at = T - 9 * H;
  for (let h = 0; h < 3; h++) await send(15, 20 * (h + 1), at + h * H + 1000);
  const v = s.deps.reader.resolveVersion('qc', '1') as NonNullable<ReturnType<Server['deps']['reader']['resolveVersion']>>;
  const keys = await s.deps.store.querySummaryKeys({ model: 'qc', version: '1', segment: '', granularity: 'hour', from: at, to: at + 3 * H });
  assert.equal(keys.length, 3);
  const pending = (): number[] => keys.map((k) => {
    const w = s.deps.reader.cache.summary(v, k);
    return w === undefined ? -1 : (w.features as unknown as { pendingCount: number }).pendingCount;
  });
  await s.deps.reader.merged(v, '', at, at + 3 * H); // checkpoints what the sends wrote (nothing cached by this one)
  s.deps.reader.cache.clear();
  const cold = await s.deps.reader.merged(v, '', at, at + 3 * H);
  assert.deepEqual(pending(), [1, 1, 1], 'read for this merge: cached, but not kept decoded');
  // Another range over the same cached windows (a dashboard's range a minute later): merged from their stored bytes
  // again, not decoded into the cache (where the decoded sketches would be copied by the next scavenges).
  const again = await s.deps.reader.merged(v, '', at, at + 3 * H + 60_000);
  assert.deepEqual(pending(), [1, 1, 1]);
  // A window that something else decoded (a feature series) is merged as it is.
  await s.deps.reader.seriesValues(v, '', at, at + 3 * H, 'hour', seriesMetric('missing:a', v, 3600));
  assert.deepEqual(pending(), [0, 0, 0]);
  // Each answer is the same bytes as a cache-free merge of its range (a reader of its own, nothing cached).
  const fresh = (a: number, b: number): Promise<WindowSummary> => new SummaryReader(s.deps.store, s.deps.catalog).merged(v, '', a, b);
  assert.deepEqual((await s.deps.reader.merged(v, '', at, at + 3 * H + 120_000)).toBytes(), (await fresh(at, at + 3 * H + 120_000)).toBytes());
  assert.deepEqual(again.toBytes(), (await fresh(at, at + 3 * H + 60_000)).toBytes());
  assert.deepEqual(cold.toBytes(), (await fresh(at, at + 3 * H)).toBytes());
  assert.equal(again.events, 45);
  assert.equal(cold.events, 45);
  assert.deepEqual([0.5, 0.99].map((q) => cold.latencyQuantile(q)), [0.5, 0.99].map((q) => again.latencyQuantile(q)));
  // Same health answer as from a cache-free read.
  const health = (await call(s.url, 'GET', `/v1/models/qc/health?from=${at}&to=${at + 3 * H}`)).body;
  s.deps.reader.cache.clear();
  assert.deepEqual((await call(s.url, 'GET', `/v1/models/qc/health?from=${at}&to=${at + 3 * H}`)).body, health);
});
