import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { seriesValue } from '../src/monitoring/timeseries.js';
import { windowValueBasis } from '../src/monitoring/window-values.js';
import type { Server } from '../src/server.js';
import type { StorageBackend } from '../src/storage/backend.js';
import type { WindowValue } from '../src/storage/types.js';
import { call, testServer } from './helpers/server.js';
import { declareModel, sendEvents, uploadReference } from './helpers/window-values.js';

/*
 * Issue 3 (dashboard time series over 30 days): per-window values of feature metrics (drift share, a feature's drift
 * or missing rate) are stored once computed, so a cold series (nothing in memory: after a restart, or a range
 * nobody asked for since) reads them instead of every window's feature sketches. They hold only while the window's
 * events are unchanged and only for the reference they were computed against.
 */
const H = 3_600_000;
const T = Math.floor((Date.now() - 5 * H) / H) * H;
const METRICS = ['driftShare', 'drift:a', 'missing:a'];
let s: Server;
let raw: StorageBackend;
const reads = { summaries: 0, heads: 0 };

async function upload(shift: number): Promise<void> {
  await uploadReference(s.url, 'wv', shift);
}

async function send(hour: number, n: number, shift: number): Promise<void> {
  await sendEvents(s.url, 'wv', n, shift, 100 * hour + n, (i) => T + hour * H + 1000 + i);
  await s.deps.pipeline.flush();
}

/** The /series answer: window starts, events per window, one array of values per metric. */
interface Points { t: number[]; events: number[]; series: Record<string, Array<number | null>> }
const series = async (granularity = 'hour', from = T, to = T + 3 * H): Promise<Points> => {
  const res = await call(s.url, 'GET', `/v1/models/wv/series?metrics=${METRICS.join(',')}&granularity=${granularity}&from=${from}&to=${to}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const { t, events, series: values } = res.body as unknown as Points;
  return { t, events, series: values };
};

/** The same series computed straight from the stored summaries (no cache, no stored values). */
async function fresh(): Promise<Points> {
  const v = s.deps.reader.resolveVersion('wv', '1');
  assert.ok(v);
  s.deps.reader.cache.clear();
  const windows = await s.deps.reader.series(v, '', T, T + 3 * H, 'hour');
  s.deps.reader.cache.clear();
  const t = [0, 1, 2].map((h) => T + h * H);
  return {
    t, events: t.map((x) => windows.get(x)?.events ?? 0),
    series: Object.fromEntries(METRICS.map((m) => [m, t.map((x) => {
      const w = windows.get(x);
      return w ? seriesValue(m, v, w, 3600) : null;
    })])),
  };
}

/** The values stored for the version under the basis the reader uses now (its current reference). */
async function stored(granularity: 'hour' | 'day' | 'minute' = 'hour'): Promise<WindowValue[]> {
  const v = s.deps.reader.resolveVersion('wv', '1');
  const basis = v ? windowValueBasis(v) : null;
  assert.ok(basis !== null);
  return raw.queryWindowValues({ model: 'wv', granularity, from: 0, to: T + 10 * H, version: '1', segment: '', metrics: METRICS, basis });
}

/** Waits for the values a query stores in the background. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > 5000) assert.fail(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

before(async () => {
  s = await testServer({ configure: (c) => { c.server.warmUpDays = 0; } });
  await declareModel(s.url, 'wv');
  for (let h = 0; h < 3; h++) await send(h, 60, h);
  raw = (s.deps.performance as unknown as { store: StorageBackend }).store;
  const target = raw as unknown as Record<string, (...a: unknown[]) => Promise<unknown[]>>;
  const orig = target['querySummaries']?.bind(raw);
  if (!orig) throw new Error('querySummaries');
  target['querySummaries'] = async (...a: unknown[]) => {
    const rows = await orig(...a);
    if ((a[0] as { headOnly?: boolean }).headOnly === true) reads.heads += rows.length;
    else reads.summaries += rows.length;
    return rows;
  };
});
after(async () => s?.close());

test('issue 3: a cold series of feature metrics reads stored window values, not the summaries, and gives the same values', async () => {
  const first = await series();
  assert.deepEqual(first, await fresh());
  assert.deepEqual(first.events, [60, 60, 60]);
  assert.ok(METRICS.every((m) => first.series[m]?.every((x) => x !== null)), JSON.stringify(first.series));
  await until(async () => (await stored()).length === 9, 'three metrics of three hour windows stored');
  for (const x of await stored()) assert.equal(x.events, 60);
  s.deps.reader.cache.clear();
  reads.summaries = 0;
  assert.deepEqual(await series(), first);
  assert.equal(reads.summaries, 0, 'no summary read');
});

test('issue 3: a mixed series (latency beside drift share) takes the feature metrics from stored values and the rest from the heads', async () => {
  const url = `/v1/models/wv/series?metrics=latencyP95,driftShare,events&granularity=hour&from=${T}&to=${T + 3 * H}`;
  const first = (await call(s.url, 'GET', url)).body;
  await until(async () => (await stored()).filter((x) => x.metric === 'driftShare').length === 3, 'drift share stored');
  s.deps.reader.cache.clear();
  reads.summaries = 0;
  reads.heads = 0;
  assert.deepEqual((await call(s.url, 'GET', url)).body, first);
  assert.deepEqual(reads, { summaries: 0, heads: 3 }, 'heads for latency and events; drift share from the store');
  assert.deepEqual((first['series'] as Record<string, unknown[]>)['driftShare'], (await fresh()).series['driftShare']);
});

test('issue 3: new events in a window make its stored values stale: only that window is read again, the rest still come from the store', async () => {
  await series();
  await until(async () => (await stored()).length === 9, 'values stored');
  await send(1, 15, 5);
  s.deps.reader.cache.clear();
  reads.summaries = 0;
  const got = await series();
  assert.equal(reads.summaries, 1, 'the one changed window');
  assert.deepEqual(got, await fresh());
  assert.deepEqual(got.events, [60, 75, 60]);
  await until(async () => (await stored()).filter((x) => x.events === 75).length === 3, 'the new values stored');
  s.deps.reader.cache.clear();
  reads.summaries = 0;
  assert.deepEqual(await series(), got);
  assert.equal(reads.summaries, 0);
});

test('issue 3: values are stored for hour and day windows only, and a new reference makes them all stale', async () => {
  // A day series of whole days (a day point clipped to a range cutting its day is computed from its part: not stored).
  await series('day', Math.floor(T / (24 * H)) * 24 * H, Math.floor(T / (24 * H)) * 24 * H + 24 * H);
  await until(async () => (await stored('day')).length > 0, 'day values stored');
  await series('minute');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await stored('minute')).length, 0, 'no minute values');
  // A new reference: another basis; every window is computed again against it, and the answer is the fresh one.
  const before = await series();
  await upload(3);
  s.deps.reader.cache.clear();
  reads.summaries = 0;
  const after = await series();
  assert.equal(reads.summaries, 3);
  assert.deepEqual(after, await fresh());
  assert.notDeepEqual(after.series['drift:a'], before.series['drift:a']);
  await until(async () => (await stored()).length === 9, 'the values under the new reference stored');
});

test('issue 3: when storing window values fails, the series is still answered (and computed again next time)', async () => {
  const target = raw as unknown as Record<string, (...a: unknown[]) => Promise<void>>;
  const put = target['putWindowValues'];
  let failed = 0;
  target['putWindowValues'] = () => {
    failed++;
    return Promise.reject(new Error('disk full'));
  };
  try {
    await send(2, 5, 1);
    s.deps.reader.cache.clear();
    const got = await series();
    assert.deepEqual(got, await fresh());
    assert.ok(failed > 0);
    s.deps.reader.cache.clear();
    reads.summaries = 0;
    assert.deepEqual(await series(), got);
    assert.equal(reads.summaries, 1, 'the window whose values could not be stored is read again');
  } finally {
    target['putWindowValues'] = put as (...a: unknown[]) => Promise<void>;
  }
});
