import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';
import { call, testServer } from './helpers/server.js';
import type { Server } from '../src/server.js';
import { NumericSummary } from '../src/core/summary/numeric.js';
import { CategoricalSummary } from '../src/core/summary/categorical.js';
import type { WindowSummary } from '../src/core/summary/window.js';
import { decomposeRange } from '../src/core/time/windows.js';
import { INTERMEDIATE_SINCE_STATE } from '../src/monitoring/intermediate-since.js';

/*
 * Issue 3: range reads merge intermediate windows (10 minutes, 6 hours): a 24 h range reads at most 9 + 5 + 5 + 3 windows
 * a side instead of up to 59 minutes and 23 hours. An intermediate window must count exactly what its minutes or hours
 * count, a range must read the same whichever windows it is made of, and a store written before intermediate windows
 * existed must keep reading minute and hour windows where it has no complete intermediate ones.
 */

const M = 60_000;
const TEN = 10 * M;
const H = 60 * M;
const SIX = 6 * H;

const model = { name: 'tm', outputKind: 'regression', segmentKeys: ['region'], inputSchema: { type: 'object', properties: { a: { type: 'number' }, c: { type: 'string' } } } };

/** Counters of a merged summary, and per feature its counts, extremes and mean (sums compare to 1e-9: merge order differs). */
function exact(w: WindowSummary): Record<string, unknown> {
  const features: Record<string, unknown> = {};
  for (const [name, f] of [...w.features].sort(([x], [y]) => (x < y ? -1 : 1))) {
    if (f instanceof NumericSummary) features[name] = { count: f.count, missing: f.missing, min: f.min, max: f.max, mean: f.sum / f.count };
    else if (f instanceof CategoricalSummary) features[name] = f.toState();
  }
  return {
    events: w.events, errors: w.errors, rejected: w.rejected, latencyCount: w.latencyCount, latencySum: w.latencySum,
    latencyMax: w.latencyMax, costCount: w.costCount, predictionCount: (w.prediction as NumericSummary).count, features,
  };
}

/** Deep equality where integers (counts) must be equal and other numbers (sums, means) agree to 1e-9 relative. */
function assertSame(a: unknown, b: unknown, at: string): void {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Object.is(a, b)) return;
    if (Number.isInteger(a) && Number.isInteger(b)) assert.equal(a, b, at);
    else assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)), `${at}: ${a} vs ${b}`);
    return;
  }
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
    assert.equal(a, b, at);
    return;
  }
  assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), at);
  for (const k of Object.keys(a)) assertSame((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
}

async function mergedBoth(s: Server, from: number, to: number, segment: string): Promise<{ ten: Record<string, unknown>; minutes: Record<string, unknown> }> {
  const r = s.deps.reader;
  const v = r.resolveVersion('tm', '1');
  assert.ok(v);
  const since = r.intermediateSince;
  try {
    r.cache.clear();
    const ten = exact(await r.merged(v, segment, from, to));
    r.intermediateSince = Infinity;
    r.cache.clear();
    const minutes = exact(await r.merged(v, segment, from, to));
    return { ten, minutes };
  } finally {
    r.intermediateSince = since;
    r.cache.clear();
  }
}

test('issue 3: intermediate windows count exactly what their minutes and hours count; ranges read the same from them; an older store reads minutes and hours until they are complete', async () => {
  let dataDir = '';
  const configure = (c: { dataDir: string }): void => {
    if (dataDir === '') dataDir = c.dataDir;
    else c.dataDir = dataDir;
  };
  const now = Date.now();
  const t0 = Math.floor((now - 22 * H) / TEN) * TEN + 3 * M;
  let s = await testServer({ configure });
  try {
    assert.equal(await s.deps.store.getState(INTERMEDIATE_SINCE_STATE), '0', 'a new store has intermediate windows from the start');
    assert.equal((await call(s.url, 'POST', '/v1/models', model)).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/models/tm/versions', { version: '1' })).status, 201);
    // 900 events over 20 hours at pseudo-random times, three regions, some errors, missing values and rejects.
    let seed = 11;
    const rnd = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let batch = 0; batch < 9; batch++) {
      const events = Array.from({ length: 100 }, () => ({
        model: 'tm', version: '1', timestamp: t0 + Math.floor(rnd() * 20 * H), segment: { region: ['eu', 'us', 'ap'][Math.floor(rnd() * 3)] },
        features: { ...(rnd() >= 0.1 && { a: rnd() * 100 }), c: ['x', 'y', 'z'][Math.floor(rnd() * 3)] }, prediction: rnd(), latencyMs: 1 + rnd() * 50,
        ...(rnd() < 0.05 && { error: 'boom' }), ...(rnd() < 0.5 && { costUsd: 0.001 }),
      }));
      events.push({ model: 'tm', version: '1', timestamp: t0 + batch * M, features: { a: 'not a number' } } as unknown as typeof events[number]);
      const r = await call(s.url, 'POST', '/v1/events', { events });
      assert.equal(r.body['accepted'], 100);
    }
    // Every stored 10-minute window counts what its minutes count, every 6-hour window what its hours count (the keys
    // carry each window's event count).
    for (const segment of ['', 'region=eu', 'region=us', 'region=ap']) {
      const q = { model: 'tm', version: '1', segment, from: Math.floor(t0 / SIX) * SIX, to: Math.floor(Date.now() / SIX) * SIX + SIX };
      for (const [coarse, fine, size, least] of [['10min', 'minute', TEN, 60], ['6h', 'hour', SIX, 4]] as const) {
        const windows = await s.deps.store.querySummaryKeys({ ...q, granularity: coarse });
        const parts = await s.deps.store.querySummaryKeys({ ...q, granularity: fine });
        assert.ok(windows.length >= least, `${segment}: ${windows.length} ${coarse} windows`);
        const sums = new Map<number, number>();
        for (const p of parts) sums.set(Math.floor(p.windowStart / size) * size, (sums.get(Math.floor(p.windowStart / size) * size) ?? 0) + (p.events ?? NaN));
        assert.deepEqual(windows.map((k) => [k.windowStart, k.events]), [...sums].sort(([x], [y]) => x - y), `${segment} ${coarse}`);
      }
    }
    // Ranges with ends inside 10-minute windows, hours and 6 hours: the same counts and extremes from intermediate windows
    // as from minutes and hours.
    const ranges: Array<[number, number]> = [
      [t0 - 3 * M, t0 + 20 * H], [t0 - 3 * M, Date.now() + 2 * M], [t0 + 7 * M + 5_000, t0 + 13 * H + 11 * M], [t0 + 27 * M, t0 + 93 * M],
      [t0 + 61 * M, t0 + 62 * M], [t0 + 5 * H + 1, t0 + 19 * H - 1],
      // From 25 minutes past an hour, 13 hours: always 10-minute windows at its start and a whole 6-hour window inside.
      [Math.ceil(t0 / H) * H + 25 * M, Math.ceil(t0 / H) * H + 25 * M + 13 * H],
    ];
    const before: Array<Record<string, unknown>> = [];
    for (const [from, to] of ranges) {
      for (const segment of ['', 'region=us']) {
        const { ten, minutes } = await mergedBoth(s, from, to, segment);
        assertSame(ten, minutes, `[${from - t0}, ${to - t0}) ${segment}`);
        before.push(ten);
      }
    }
    assert.equal((before[0] as { events: number }).events, 900);
    const last = ranges[ranges.length - 1]!;
    for (const g of ['10min', '6h']) assert.ok(decomposeRange(last[0], last[1]).some((p) => p.granularity === g), `the ranges use ${g} windows`);
    // Rejected rows count at the time they were refused (now), in the whole traffic's windows.
    assert.equal((before[2] as { events: number; rejected: number }).events, 900);
    assert.equal((before[2] as { rejected: number }).rejected, 9);

    // An older store: the same windows without the intermediate ones, and no decision recorded (as a store written before).
    await s.close();
    const db = await DuckDBInstance.create(join(dataDir, 'lookout.duckdb'));
    const conn = await db.connect();
    await conn.run('DELETE FROM summaries_10min');
    await conn.run('DELETE FROM summaries_6h');
    await conn.run(`DELETE FROM state WHERE key = '${INTERMEDIATE_SINCE_STATE}'`);
    conn.closeSync();
    db.closeSync();
    s = await testServer({ configure });
    const since = Number(await s.deps.store.getState(INTERMEDIATE_SINCE_STATE));
    assert.ok(since >= now + 24 * H && since < Date.now() + 48 * H && since % (24 * H) === 0, `intermediate windows used from ${since - now} ms ahead`);
    assert.equal(s.deps.reader.intermediateSince, since);
    let i = 0;
    for (const [from, to] of ranges) {
      for (const segment of ['', 'region=us']) {
        s.deps.reader.cache.clear();
        const v = s.deps.reader.resolveVersion('tm', '1');
        assert.ok(v);
        assertSame(exact(await s.deps.reader.merged(v, segment, from, to)), before[i++], 'the same answer from minute and hour windows');
      }
    }
    // What reading the missing intermediate windows would have answered: fewer events (so the check above can fail).
    s.deps.reader.intermediateSince = 0;
    s.deps.reader.cache.clear();
    const v = s.deps.reader.resolveVersion('tm', '1');
    assert.ok(v);
    assert.ok((await s.deps.reader.merged(v, '', ranges[0]![0], ranges[0]![1])).events < 900);
  } finally {
    await s.close();
  }
});
