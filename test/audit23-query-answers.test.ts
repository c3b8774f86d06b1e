import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { call, testServer } from './helpers/server.js';

/*
 * Audit 23: /timeseries (and /series) answered `value: null` for the `events`, `throughput` and `rejected` of a window
 * without events, as for a rate or a quantile of no events, while /health answers 0: a model whose traffic stopped
 * showed a gap in its throughput chart where it had dropped to 0. A count of a window that has begun is now 0; a
 * window still to come stays null, as do the other metrics of an empty window. Real server, DuckDB file, known traffic.
 * Also: a range refused (from after to, over 400 days) said neither bound, its details empty; both are said now.
 */
const MIN = 60_000;
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 11, 7, 12, 30);
const START = NOW - 4.5 * HOUR; // 08:00: traffic 08:00-10:00 and 11:00-12:30, none 10:00-11:00

type Point = { t: number; value: number | null; events: number };

describe('audit 23: counts of windows without events are 0 (real server)', () => {
  let s: Server;
  before(async () => {
    s = await testServer({ clock: () => NOW });
    const model = { name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } };
    assert.equal((await call(s.url, 'POST', '/v1/models', model)).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
    const at = (t: number, i: number) => ({ model: 'm', version: '1', timestamp: t, features: { x: i }, prediction: i, latencyMs: 10 });
    const events = [
      ...Array.from({ length: 120 }, (_, i) => at(START + i * MIN, i)),
      ...Array.from({ length: 90 }, (_, i) => at(START + 3 * HOUR + i * MIN, i)),
    ];
    const r = await call(s.url, 'POST', '/v1/events', { events });
    assert.equal(r.body['accepted'], events.length);
  });
  after(() => s?.close());

  const points = async (metric: string, granularity: string, from: number, to: number): Promise<Point[]> => {
    const r = await call(s.url, 'GET', `/v1/models/m/timeseries?metric=${metric}&granularity=${granularity}&from=${from}&to=${to}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body['points'] as Point[];
  };

  test('hour windows: the empty hour counts 0 events at 0/s; its error rate and latency have no value; hours to come none', async () => {
    const to = NOW + 2 * HOUR;
    const events = await points('events', 'hour', START, to);
    assert.deepEqual(events.map((p) => [new Date(p.t).getUTCHours(), p.value]), [[8, 60], [9, 60], [10, 0], [11, 60], [12, 30], [13, null], [14, null]]);
    const throughput = await points('throughput', 'hour', START, to);
    assert.equal(throughput[2]?.value, 0);
    assert.equal(throughput[0]?.value, 60 / 3600);
    assert.equal(throughput[5]?.value, null, 'an hour to come');
    assert.equal((await points('rejected', 'hour', START, to))[2]?.value, 0);
    for (const metric of ['errorRate', 'latencyP95', 'costPerInference']) assert.equal((await points(metric, 'hour', START, to))[2]?.value, null, metric);
  });

  test('minute windows of the gap, and a clipped hour point of no events, count 0', async () => {
    const minutes = await points('events', 'minute', START + 2 * HOUR - 2 * MIN, START + 2 * HOUR + 3 * MIN);
    assert.deepEqual(minutes.map((p) => p.value), [1, 1, 0, 0, 0]);
    // 10:15-10:45, one clipped hour point without events
    const clipped = await points('throughput', 'hour', START + 2 * HOUR + 15 * MIN, START + 2 * HOUR + 45 * MIN);
    assert.deepEqual(clipped.map((p) => [p.value, p.events]), [[0, 0]]);
  });
});

describe('audit 23: range refusals say the range', () => {
  let s: Server;
  before(async () => {
    s = await testServer({ clock: () => NOW });
    assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
  });
  after(() => s?.close());

  test('from after to, and a range over 400 days: the bounds (and days) in the message and details', async () => {
    const swapped = await call(s.url, 'GET', `/v1/models/m/health?from=${NOW}&to=${NOW - HOUR}`);
    assert.equal(swapped.status, 400);
    assert.deepEqual(swapped.body, { error: { code: 'bad_request', message: '"from" must be before "to" (from 2026-12-07T12:30:00.000Z, to 2026-12-07T11:30:00.000Z)', details: { from: NOW, to: NOW - HOUR } } });
    const long = await call(s.url, 'GET', `/v1/models/m/drift?from=${NOW - 401 * 24 * HOUR}&to=${NOW}`);
    assert.equal(long.status, 400);
    assert.deepEqual(long.body, { error: { code: 'bad_request', message: 'time range is too long: 401 days, at most 400', details: { from: NOW - 401 * 24 * HOUR, to: NOW, days: 401, maxDays: 400 } } });
    const alerts = await call(s.url, 'GET', `/v1/notifications?from=${NOW}&to=${NOW}`);
    assert.deepEqual(alerts.body['error'], { code: 'bad_request', message: '"from" must be before "to" (from 2026-12-07T12:30:00.000Z, to 2026-12-07T12:30:00.000Z)', details: { from: NOW, to: NOW } });
  });
});

describe('audit 23: GET /events gives `next` only when a page follows', () => {
  let s: Server;
  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => { c.ingest.sampleRate = 1; } });
    assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
    const events = Array.from({ length: 10 }, (_, i) => ({ id: `e${i}`, model: 'm', version: '1', timestamp: NOW - HOUR + i * MIN, features: { x: i }, prediction: i }));
    assert.equal((await call(s.url, 'POST', '/v1/events', { events })).body['accepted'], 10);
  });
  after(() => s?.close());

  test('a page holding the last events has no next (it pointed to an empty page); pages of 4 walk 4, 4, 2', async () => {
    const range = `from=${NOW - 2 * HOUR}&to=${NOW}`;
    const all = await call(s.url, 'GET', `/v1/models/m/events?${range}&limit=10`);
    assert.equal((all.body['events'] as unknown[]).length, 10);
    assert.equal(all.body['next'], null);
    const sizes: number[] = [];
    const ids: string[] = [];
    for (let before: string | null = null, n = 0; n < 10; n++) {
      const r = await call(s.url, 'GET', `/v1/models/m/events?${range}&limit=4${before === null ? '' : `&before=${before}`}`);
      const page = r.body['events'] as Array<{ id: string }>;
      sizes.push(page.length);
      ids.push(...page.map((e) => e.id));
      before = r.body['next'] as string | null;
      if (before === null) break;
    }
    assert.deepEqual(sizes, [4, 4, 2]);
    assert.deepEqual(ids, Array.from({ length: 10 }, (_, i) => `e${9 - i}`));
  });
});
