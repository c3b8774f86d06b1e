import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { call, poster, testServer } from './helpers/server.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
/** Older than the minute windows' retention (2 days): the answer's from/to are whole hours. */
const FROM = Date.UTC(2026, 10, 11, 9, 30, 0);
const TO = Date.UTC(2026, 10, 15, 16, 10, 0);
const EFF_FROM = Date.UTC(2026, 10, 11, 9, 0, 0);
const EFF_TO = Date.UTC(2026, 10, 15, 17, 0, 0);
const day = (d: number): number => Date.UTC(2026, 10, d);

/** Equal to 1e-9 of its size (a stored window's quantile against the same window merged again). */
function near(a: number | null | undefined, b: number | null | undefined): void {
  assert.ok(typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) <= 1e-9 * Math.abs(b), `${a} ≉ ${b}`);
}

type Point = { t: number; value: number | null; events: number; from?: number; to?: number };
type Health = { events: number; throughputPerSecond: number; errorRate: number | null; latencyMs: { p95: number | null; p50: number | null }; costPerInferenceUsd: number | null; from: number; to: number };

/**
 * An event every 10 minutes from Nov 9 to now: latency, errors, cost and the feature x depend on the hour of the day
 * (late hours slow, costly and shifted), so a part of a day has other quantiles, means and drift than its whole day.
 */
function traffic(): Array<Record<string, unknown>> {
  const out = [];
  for (let t = day(9) + 5 * MIN, i = 0; t < NOW; t += 10 * MIN, i++) {
    const h = new Date(t).getUTCHours();
    out.push({
      id: `e${i}`, model: 'ts', version: '1', timestamp: t, features: { x: h >= 12 ? 50 + (i % 10) : i % 10 },
      prediction: i % 2 ? '1' : '0', score: i % 2 ? 0.8 : 0.2, latencyMs: 10 + h * 10 + (i % 7), costUsd: h >= 12 ? 0.02 : 0.01,
      ...(i % 7 === 0 && { error: 'timed out' }),
    });
  }
  return out;
}

describe('audit 10 (series): a day series over a range starting and ending mid-day', { timeout: 180_000 }, () => {
  let s: Server;
  const post = poster(() => s.url);
  const get = async (path: string): Promise<Record<string, unknown>> => {
    const r = await call(s.url, 'GET', path);
    assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body).slice(0, 300)}`);
    return r.body;
  };
  const series = async (metric: string, from: number, to: number, granularity: string): Promise<{ body: Record<string, unknown>; points: Point[] }> => {
    const body = await get(`/v1/models/ts/timeseries?metric=${encodeURIComponent(metric)}&from=${from}&to=${to}&granularity=${granularity}`);
    return { body, points: body['points'] as Point[] };
  };
  const health = async (from: number, to: number): Promise<Health> => (await get(`/v1/models/ts/health?from=${from}&to=${to}`)) as unknown as Health;

  before(async () => {
    s = await testServer({ clock: () => NOW });
    await post('/v1/models', { name: 'ts', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
    await post('/v1/models/ts/versions', { version: '1' });
    const rows = Array.from({ length: 500 }, (_, i) => `${i % 10},${i % 2},${i % 2 ? 0.8 : 0.2},${i % 2}`);
    const up = await fetch(`${s.url}/v1/models/ts/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: `x,prediction,score,label\n${rows.join('\n')}\n` });
    assert.equal(up.status, 200, await up.text());
    const sent = traffic();
    for (let i = 0; i < sent.length; i += 500) {
      const res = await post('/v1/events', { events: sent.slice(i, i + 500) });
      assert.equal(res['accepted'], Math.min(500, sent.length - i), JSON.stringify(res).slice(0, 300));
    }
    // A model with two segment keys: "region=eu" is held by the stored segments region=eu&tier=gold and ...&tier=silver.
    await post('/v1/models', { name: 'sg', outputKind: 'binary', classes: ['0', '1'], segmentKeys: ['region', 'tier'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
    await post('/v1/models/sg/versions', { version: '1' });
    const seg = sent.map((e, i) => ({ ...e, id: `s${i}`, model: 'sg', segment: { region: i % 3 ? 'eu' : 'us', tier: i % 2 ? 'gold' : 'silver' } }));
    for (let i = 0; i < seg.length; i += 500) await post('/v1/events', { events: seg.slice(i, i + 500) });
    await s.deps.pipeline.flush();
  });
  after(async () => s?.close());

  test('the first and last day points cover only the part of their day inside the range, and say it (from, to)', async () => {
    const { body, points } = await series('events', FROM, TO, 'day');
    assert.equal(body['from'], EFF_FROM);
    assert.equal(body['to'], EFF_TO);
    assert.deepEqual(points.map((p) => p.t), [day(11), day(12), day(13), day(14), day(15)]);
    assert.deepEqual(points[0], { t: day(11), value: 90, events: 90, from: EFF_FROM, to: day(12) }); // 15 h of 6 an hour
    assert.deepEqual(points[4], { t: day(15), value: 102, events: 102, from: day(15), to: EFF_TO }); // 17 h
    for (const p of points.slice(1, 4)) assert.deepEqual(p, { t: p.t, value: 144, events: 144 }); // whole days: as before
  });

  test('counts over the points add up to /health over the same range: events, throughput, errors', async () => {
    const h = await health(FROM, TO);
    const seconds = (p: Point): number => ((p.to ?? p.t + DAY) - (p.from ?? p.t)) / 1000;
    const ev = (await series('events', FROM, TO, 'day')).points;
    assert.equal(ev.reduce((a, p) => a + p.events, 0), h.events);
    assert.equal(ev.reduce((a, p) => a + (p.value ?? 0), 0), h.events);
    const tp = (await series('throughput', FROM, TO, 'day')).points;
    const perPoint = tp.map((p) => (p.value ?? 0) * seconds(p));
    perPoint.forEach((n, i) => assert.ok(Math.abs(n - (ev[i]?.events ?? -1)) < 1e-9, `throughput × seconds of point ${i}: ${n}`));
    assert.ok(Math.abs(perPoint.reduce((a, b) => a + b, 0) - h.throughputPerSecond * ((h.to - h.from) / 1000)) < 1e-6);
    const er = (await series('errorRate', FROM, TO, 'day')).points;
    const errors = er.reduce((a, p) => a + Math.round((p.value ?? 0) * p.events), 0);
    assert.equal(errors, Math.round((h.errorRate ?? 0) * h.events));
    assert.ok(errors > 0);
  });

  test('quantiles, means and drift of a clipped point are of the merged summaries of its part (as /health and /drift of it)', async () => {
    const parts: Array<[number, number, number]> = [[0, EFF_FROM, day(12)], [4, day(15), EFF_TO]];
    const p95 = (await series('latencyP95', FROM, TO, 'day')).points;
    const p50 = (await series('latencyP50', FROM, TO, 'day')).points;
    const cost = (await series('costPerInference', FROM, TO, 'day')).points;
    const drift = (await series('drift:x', FROM, TO, 'day')).points;
    for (const [i, f, t] of parts) {
      const h = await health(f, t);
      const whole = await health(day(11 + (i === 0 ? 0 : 4)), day(12 + (i === 0 ? 0 : 4)));
      assert.equal(p95[i]?.value, h.latencyMs.p95, `p95 of point ${i}`);
      assert.equal(p50[i]?.value, h.latencyMs.p50, `p50 of point ${i}`);
      assert.notEqual(p50[i]?.value, whole.latencyMs.p50, 'the whole day has another median');
      assert.equal(cost[i]?.value, h.costPerInferenceUsd);
      assert.notEqual(cost[i]?.value, whole.costPerInferenceUsd);
      const d = await get(`/v1/models/ts/drift?from=${f}&to=${t}`);
      const x = (d['features'] as Array<{ name: string; score: number | null }>).find((z) => z.name === 'x');
      assert.equal(drift[i]?.value, x?.score);
    }
    // a whole day's point: its stored window's quantile (the stored one: /health's merge of the day's windows differs
    // from it in the last digits)
    const mid = await health(day(13), day(14));
    near(p95[2]?.value, mid.latencyMs.p95);
  });

  test('/series gives the same clipped points and lists them in `clipped`', async () => {
    const b = await get(`/v1/models/ts/series?metrics=events,latencyP95,drift:x&from=${FROM}&to=${TO}&granularity=day`);
    assert.deepEqual(b['t'], [day(11), day(12), day(13), day(14), day(15)]);
    assert.deepEqual(b['clipped'], [{ t: day(11), from: EFF_FROM, to: day(12) }, { t: day(15), from: day(15), to: EFF_TO }]);
    const sr = b['series'] as Record<string, Array<number | null>>;
    for (const m of ['events', 'latencyP95', 'drift:x']) {
      assert.deepEqual(sr[m], (await series(m, FROM, TO, 'day')).points.map((p) => p.value), m);
    }
    assert.deepEqual(b['events'], [90, 144, 144, 144, 102]);
    // a range of whole days: no `clipped`
    const whole = await get(`/v1/models/ts/series?metrics=events&from=${day(11)}&to=${day(15)}&granularity=day`);
    assert.equal(whole['clipped'], undefined);
    assert.deepEqual(whole['events'], [144, 144, 144, 144]);
  });

  test('hour points and day points of a range of whole days are as before: whole windows, without from/to', async () => {
    const hours = (await series('events', FROM, TO, 'hour')).points;
    assert.equal(hours.length, 4 * 24 + 8);
    assert.equal(hours[0]?.t, EFF_FROM);
    for (const p of hours) assert.deepEqual(p, { t: p.t, value: 6, events: 6 });
    const hp95 = (await series('latencyP95', FROM, TO, 'hour')).points;
    for (const p of [hp95[0], hp95[50], hp95.at(-1)] as Point[]) {
      assert.deepEqual(Object.keys(p), ['t', 'value', 'events']);
      near(p.value, (await health(p.t, p.t + HOUR)).latencyMs.p95);
    }
    const days = await series('latencyP95', day(11), day(16), 'day');
    assert.equal(days.body['from'], day(11));
    assert.deepEqual(days.points.map((p) => Object.keys(p)), days.points.map(() => ['t', 'value', 'events']));
    for (const p of days.points) near(p.value, (await health(p.t, p.t + DAY)).latencyMs.p95);
    const ev = (await series('events', day(11), day(16), 'day')).points;
    assert.deepEqual(ev, [11, 12, 13, 14, 15].map((d) => ({ t: day(d), value: 144, events: 144 })));
  });

  test('audit 11: an hour series of a range within the minute windows cuts its first and last hour to the range', async () => {
    const from = Date.UTC(2026, 10, 19, 9, 25);
    const to = Date.UTC(2026, 10, 20, 11, 35);
    const hr = (d: number, h: number): number => Date.UTC(2026, 10, d, h);
    const { body, points } = await series('events', from, to, 'hour');
    assert.equal(body['from'], from);
    assert.equal(points[0]?.t, hr(19, 9));
    assert.deepEqual(points[0], { t: hr(19, 9), value: 4, events: 4, from, to: hr(19, 10) }); // 09:25 .. 09:55
    assert.deepEqual(points.at(-1), { t: hr(20, 11), value: 3, events: 3, from: hr(20, 11), to }); // 11:05 .. 11:25
    for (const p of points.slice(1, -1)) assert.deepEqual(p, { t: p.t, value: 6, events: 6 });
    const h = await health(from, to);
    assert.equal(points.reduce((a, p) => a + p.events, 0), h.events);
    const p95 = (await series('latencyP95', from, to, 'hour')).points;
    assert.equal(p95[0]?.value, (await health(from, hr(19, 10))).latencyMs.p95);
    const b = await get(`/v1/models/ts/series?metrics=events&from=${from}&to=${to}&granularity=hour`);
    assert.deepEqual(b['clipped'], [{ t: hr(19, 9), from, to: hr(19, 10) }, { t: hr(20, 11), from: hr(20, 11), to }]);
  });

  test('a range in the minute windows ending in a day still running: minute-aligned parts, throughput over the part passed', async () => {
    const from = Date.UTC(2026, 10, 18, 20, 17, 30);
    const to = Date.UTC(2026, 10, 20, 18, 0, 0);
    const { body, points } = await series('events', from, to, 'day');
    assert.equal(body['from'], Date.UTC(2026, 10, 18, 20, 17));
    assert.deepEqual(points[0], { t: day(18), value: 22, events: 22, from: Date.UTC(2026, 10, 18, 20, 17), to: day(19) }); // 20:25 .. 23:55
    assert.deepEqual(points[2], { t: day(20), value: 72, events: 72, from: day(20), to });
    const h = await health(from, to);
    assert.equal(points.reduce((a, p) => a + p.events, 0), h.events);
    const tp = (await series('throughput', from, to, 'day')).points;
    assert.ok(Math.abs((tp[2]?.value ?? 0) - 72 / (12 * 3600)) < 1e-12, `throughput of today so far: ${tp[2]?.value}`);
  });

  test('a segment held by several stored ones: its clipped day points add up to /health of the segment', async () => {
    for (const segment of ['region=eu', 'region=eu&tier=gold']) {
      const q = `segment=${encodeURIComponent(segment)}`;
      const b = await get(`/v1/models/sg/timeseries?metric=events&from=${FROM}&to=${TO}&granularity=day&${q}`);
      const points = b['points'] as Point[];
      assert.equal(points[0]?.from, EFF_FROM);
      assert.equal(points[4]?.to, EFF_TO);
      const h = (await get(`/v1/models/sg/health?from=${FROM}&to=${TO}&${q}`)) as unknown as Health;
      assert.equal(points.reduce((a, p) => a + p.events, 0), h.events, segment);
      const first = (await get(`/v1/models/sg/health?from=${EFF_FROM}&to=${day(12)}&${q}`)) as unknown as Health;
      assert.equal(points[0]?.events, first.events);
      const p95 = (await get(`/v1/models/sg/timeseries?metric=latencyP95&from=${FROM}&to=${TO}&granularity=day&${q}`))['points'] as Point[];
      assert.equal(p95[0]?.value, first.latencyMs.p95);
    }
  });
});
