import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEFAULT_FILL_GRACE_MS, filledMetrics } from '../src/monitoring/window-value-filler.js';
import { seriesValue } from '../src/monitoring/timeseries.js';
import { windowValueBasis } from '../src/monitoring/window-values.js';
import type { Server } from '../src/server.js';
import type { StorageBackend } from '../src/storage/backend.js';
import type { WindowValue } from '../src/storage/types.js';
import { call, testServer } from './helpers/server.js';
import { declareModel, sendEvents, uploadReference } from './helpers/window-values.js';

/*
 * Issue 3 (dashboard time series over 30 days, first views): the stored values of closed hour and day windows are
 * computed ahead of any query (WindowValueFiller): for the windows checkpoints wrote once they have closed, and for
 * a past range after a start (backfill). A first view of a feature series then reads stored values, no summary.
 */
const H = 3_600_000;
const DAY = 24 * H;
const NOW_HOUR = Math.floor(Date.now() / H) * H;
const T = NOW_HOUR - 5 * H;
const METRICS = ['driftShare', 'drift:a', 'missing:a', 'drift:c', 'missing:c'];
let s: Server;
let raw: StorageBackend;
let dataDir = '';
const reads = { summaries: 0 };
let failReads = 0;

async function send(hour: number, n: number, shift: number): Promise<void> {
  await sendEvents(s.url, 'fv', n, shift, 100 * hour + n, (i) => (hour === -1 ? Date.now() - 1000 + i : T + hour * H + 1000 + i));
  await s.deps.pipeline.flush(); // checkpointed: the filler was told which windows were written
}

async function upload(shift: number): Promise<void> {
  await uploadReference(s.url, 'fv', shift);
}

/** Values stored under the basis the reader uses now (the current reference), hour windows from T on. */
async function stored(): Promise<WindowValue[]> {
  const v = s.deps.reader.resolveVersion('fv', '1');
  const basis = v ? windowValueBasis(v) : null;
  assert.ok(basis !== null);
  return raw.queryWindowValues({ model: 'fv', version: '1', segment: '', granularity: 'hour', from: T, to: NOW_HOUR + H, metrics: METRICS, basis });
}

/** A cold /series (nothing in memory) of `metrics` by hour from T to now, and how many summaries it read. */
async function coldSeries(metrics: string[]): Promise<{ body: Record<string, unknown>; reads: number }> {
  s.deps.reader.cache.clear();
  reads.summaries = 0;
  const res = await call(s.url, 'GET', `/v1/models/fv/series?metrics=${metrics.join(',')}&granularity=hour&from=${T}&to=${NOW_HOUR}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return { body: res.body, reads: reads.summaries };
}

/** The same values computed from the stored summaries directly (no cache, no stored values). */
async function fresh(metrics: string[]): Promise<Record<string, Array<number | null>>> {
  const v = s.deps.reader.resolveVersion('fv', '1');
  assert.ok(v);
  s.deps.reader.cache.clear();
  const windows = await s.deps.reader.series(v, '', T, NOW_HOUR, 'hour');
  s.deps.reader.cache.clear();
  const hours = [0, 1, 2, 3, 4].map((h) => T + h * H); // the last two without events: null
  return Object.fromEntries(metrics.map((m) => [m, hours.map((t) => {
    const w = windows.get(t);
    return w ? seriesValue(m, v, w, 3600) : null;
  })]));
}

async function start(): Promise<void> {
  s = await testServer({
    configure: (c) => {
      if (dataDir) c.dataDir = dataDir;
      dataDir = c.dataDir;
      c.server.warmUpDays = 1;
      c.server.windowValueFillSeconds = 86_400; // no periodic run during the tests: they run the filler themselves
    },
  });
  raw = (s.deps.performance as unknown as { store: StorageBackend }).store;
  const target = raw as unknown as Record<string, (...a: unknown[]) => Promise<unknown[]>>;
  const orig = target['querySummaries']?.bind(raw);
  if (!orig) throw new Error('querySummaries');
  target['querySummaries'] = async (...a: unknown[]) => {
    if (failReads > 0) {
      failReads--;
      throw new Error('disk on fire');
    }
    const rows = await orig(...a);
    if ((a[0] as { headOnly?: boolean }).headOnly !== true) reads.summaries += rows.length;
    return rows;
  };
}

before(async () => {
  await start();
  await declareModel(s.url, 'fv');
  for (let h = 0; h < 3; h++) await send(h, 60, h);
  await send(-1, 20, 0); // the current hour: still open
});
after(async () => s?.close());

test('issue 3: the filler computes and stores the values of closed windows only; a first view then reads no summary', async () => {
  assert.equal((await stored()).length, 0, 'nothing computed yet');
  const v = s.deps.reader.resolveVersion('fv', '1');
  assert.ok(v);
  assert.deepEqual(filledMetrics(v).map((m) => m.name).sort(), [...METRICS].sort());
  const r = await s.deps.filler!.fillClosed();
  assert.equal(r.failed, 0);
  const values = await stored();
  const byWindow = new Map<number, WindowValue[]>();
  for (const x of values) byWindow.set(x.windowStart, [...(byWindow.get(x.windowStart) ?? []), x]);
  assert.deepEqual([...byWindow.keys()].sort(), [T, T + H, T + 2 * H], 'the three closed hours, not the open one');
  for (const list of byWindow.values()) {
    assert.equal(list.length, METRICS.length);
    for (const x of list) assert.equal(x.events, 60);
  }
  assert.ok(s.deps.filler!.pendingWindows > 0, 'the open windows stay pending');
  // Prometheus: the run's windows, no failure, the pending ones.
  const metrics = await (await fetch(`${s.url}/metrics`)).text();
  assert.match(metrics, /^lookout_window_values_filled_total \d+/m);
  assert.ok(Number(/^lookout_window_values_filled_total (\d+)/m.exec(metrics)?.[1]) >= 3, metrics.slice(0, 200));
  assert.match(metrics, /^lookout_window_value_fill_failures_total 0$/m);
  assert.equal(Number(/^lookout_window_values_pending (\d+)/m.exec(metrics)?.[1]), s.deps.filler!.pendingWindows);

  for (const metrics of [METRICS, ['driftShare'], ['drift:c', 'missing:a']]) {
    const got = await coldSeries(metrics);
    assert.equal(got.reads, 0, `${metrics.join(',')}: no summary read`);
    assert.deepEqual(got.body['series'], await fresh(metrics));
  }
});

test('issue 3: late events in a closed window make the filler compute it again, and only it', async () => {
  await s.deps.filler!.fillClosed();
  await send(1, 15, 5);
  reads.summaries = 0;
  s.deps.reader.cache.clear();
  const before = Date.now();
  await s.deps.filler!.fillClosed();
  const after = Date.now();
  // The late events rewrote their hour and their day; the day is computed again too when the filler counts it closed:
  // its end DEFAULT_FILL_GRACE_MS ago (in the first hours after UTC midnight the hour lies in yesterday: the suite failed
  // there before it counted that, and again in the first minute after midnight before it counted the grace). The run
  // reads its clock once, between `before` and `after`: when the day closed in between, either count is right.
  const closesAt = Math.floor((T + H) / DAY) * DAY + DAY + DEFAULT_FILL_GRACE_MS;
  if (closesAt <= before) assert.equal(reads.summaries, 2, 'the rewritten hour and its closed day');
  else if (closesAt > after) assert.equal(reads.summaries, 1, 'the one rewritten hour (its day is still open)');
  else assert.ok([1, 2].includes(reads.summaries), `${reads.summaries} windows read`);
  const values = await stored();
  assert.deepEqual(values.filter((x) => x.windowStart === T + H).map((x) => x.events), METRICS.map(() => 75));
  const got = await coldSeries(METRICS);
  assert.equal(got.reads, 0);
  assert.deepEqual(got.body['series'], await fresh(METRICS));
});

test('issue 3 (regression, ninth session): the filler keeps the values it computes, not the windows it read for them', async () => {
  await s.deps.filler!.fillClosed();
  await send(0, 4, 2); // late events: hour T is computed again
  s.deps.reader.cache.clear();
  const v = s.deps.reader.resolveVersion('fv', '1');
  assert.ok(v);
  const key = (windowStart: number) => ({ model: 'fv', version: '1', segment: '', granularity: 'hour' as const, windowStart });
  await s.deps.reader.series(v, '', T + 2 * H, T + 3 * H, 'hour'); // a query cached hour T + 2h
  assert.ok(s.deps.reader.cache.summary(v, key(T + 2 * H)), 'a query caches the windows it read');
  reads.summaries = 0;
  await s.deps.filler!.fillClosed();
  assert.ok(reads.summaries >= 1, 'the filler read hour T');
  assert.equal(s.deps.reader.cache.summary(v, key(T)), undefined, 'the window the filler read is not kept (nor its decoded sketches)');
  assert.equal(typeof s.deps.reader.cache.value(v, key(T), 'driftShare'), 'number', 'its computed values are');
  assert.ok(s.deps.reader.cache.summary(v, key(T + 2 * H)), 'what a query cached is not evicted');
  const got = await coldSeries(METRICS);
  assert.equal(got.reads, 0);
  assert.deepEqual(got.body['series'], await fresh(METRICS));
});

test('issue 3: a failed step keeps its windows pending; the next run fills them', async () => {
  await send(2, 5, 1);
  s.deps.reader.cache.clear();
  failReads = 1;
  const errors: unknown[] = [];
  const filler = s.deps.filler!;
  const onError = filler.onError;
  filler.onError = (e) => errors.push(e);
  try {
    const r = await filler.fillClosed();
    assert.equal(r.failed, 1);
    assert.match(String(errors[0]), /disk on fire/);
    assert.equal((await stored()).filter((x) => x.windowStart === T + 2 * H && x.events === 65).length, 0);
    const again = await filler.fillClosed();
    assert.equal(again.failed, 0);
    assert.equal((await stored()).filter((x) => x.windowStart === T + 2 * H && x.events === 65).length, METRICS.length);
  } finally {
    filler.onError = onError;
  }
});

test('issue 3: after a restart, the backfill of the warm-up range computes what is not stored (here: under a new reference)', async () => {
  await upload(3); // a new basis: nothing stored holds
  assert.equal((await stored()).length, 0);
  await s.close();
  await start();
  // The server's background start-up chain: warm-up, then the backfill of the last warmUpDays.
  const t0 = Date.now();
  while ((await stored()).length < 3 * METRICS.length) {
    if (Date.now() - t0 > 20_000) assert.fail(`backfill did not store the values: ${JSON.stringify(await stored())}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const got = await coldSeries(METRICS);
  assert.equal(got.reads, 0, 'no summary read');
  assert.deepEqual(got.body['series'], await fresh(METRICS));
  // (the warm-up's drift share series stores the open hour's value, valid while its events are unchanged)
  assert.equal((await stored()).filter((x) => x.windowStart === NOW_HOUR && x.metric !== 'driftShare').length, 0, 'the filler left the open hour');
});
