import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { call, testServer } from './helpers/server.js';

/**
 * Audit 23 (queries), found against a real server with known traffic.
 *
 * GET /performance/buckets with a step that cut the answer's windows: a step not a whole number of minutes (90s), or
 * not of hours for a range answered in whole hours (before the minute windows' retention), gave each bucket the CBPE
 * estimate of its range widened to whole minutes (hours), so a prediction was estimated in two buckets: the 90s
 * buckets of 360 predictions estimated 480 of them, the 30m buckets of four days ago 720. The step is now rounded up
 * to the answer's windows, and the answer's `step` says the one used.
 */
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const RECENT = NOW - 3 * HOUR; // within the minute windows' retention (2 days)
const OLD = NOW - 4 * DAY; // before it: answered in whole hours

/** 360 events over two hours from `start`, one every 20 s, each predicted from its score. */
function events(start: number, prefix: string) {
  return Array.from({ length: 360 }, (_, i) => {
    const score = ((i * 37) % 100) / 100;
    return { id: `${prefix}${i}`, model: 'm', version: '1', timestamp: start + i * 20_000, features: { x: score }, prediction: score >= 0.5 ? '1' : '0', score };
  });
}

interface Bucket { from: number; to: number; labelled: number; estimated: { n: number } | null }
interface Buckets { step: number; from: number; to: number; buckets: Bucket[] }

describe('audit 23 (queries): /performance/buckets estimates each prediction in one bucket (real server, DuckDB file)', () => {
  let s: Server;
  const sent = [...events(RECENT, 'r'), ...events(OLD, 'o')];

  before(async () => {
    s = await testServer({ clock: () => NOW });
    const model = { name: 'm', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } };
    assert.equal((await call(s.url, 'POST', '/v1/models', model)).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
    const rows = Array.from({ length: 200 }, (_, i) => { const sc = (i % 100) / 100; return `${sc},${sc >= 0.5 ? 1 : 0},${sc},${i % 3 === 0 ? 1 - (sc >= 0.5 ? 1 : 0) : sc >= 0.5 ? 1 : 0}`; });
    const ref = await fetch(`${s.url}/v1/models/m/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: ['x,prediction,score,label', ...rows].join('\n') });
    assert.equal(ref.status, 200, await ref.text());
    assert.equal((await call(s.url, 'POST', '/v1/events', { events: sent })).body['accepted'], sent.length);
  });
  after(async () => {
    await s.close();
  });

  const inRange = (f: number, t: number): number => sent.filter((e) => e.timestamp >= f && e.timestamp < t).length;

  async function check(from: number, to: number, step: string, stepUsed: number, unit: number): Promise<void> {
    const res = await call(s.url, 'GET', `/v1/models/m/performance/buckets?from=${from}&to=${to}&step=${step}&ci=false`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const b = res.body as unknown as Buckets;
    const whole = (await call(s.url, 'GET', `/v1/models/m/performance?from=${from}&to=${to}&ci=false&segments=false`)).body as { estimated: { n: number }; from: number; to: number };
    assert.deepEqual([b.buckets[0]?.from, b.buckets.at(-1)?.to], [whole.from, whole.to]);
    assert.equal(b.buckets.reduce((a, k) => a + (k.estimated?.n ?? 0), 0), whole.estimated.n, 'the buckets estimate what /performance estimates');
    for (const k of b.buckets) {
      assert.equal(k.from % unit, 0, `bucket from ${k.from} on the answer's windows`);
      assert.equal(k.to % unit, 0, `bucket to ${k.to} on the answer's windows`);
      assert.equal(k.estimated?.n ?? 0, inRange(k.from, k.to), `bucket ${new Date(k.from).toISOString()}: its predictions estimated once`);
    }
    assert.equal(whole.estimated.n, inRange(whole.from, whole.to));
    assert.equal(b.step, stepUsed, 'the answer says the step used');
  }

  test('a step that is not a whole number of minutes is rounded up to one: 90s buckets are 2m buckets', async () => {
    await check(RECENT + 30_000, RECENT + 2 * HOUR, '90s', 2 * MIN, MIN);
    await check(RECENT, RECENT + 2 * HOUR, '61000', 2 * MIN, MIN);
  });

  test('a range answered in whole hours (before the minute retention) takes a step of whole hours: 30m is 1h, 90m is 2h', async () => {
    await check(OLD + 10 * MIN, OLD + 2 * HOUR, '30m', HOUR, HOUR);
    await check(OLD, OLD + 2 * HOUR + 5 * MIN, '90m', 2 * HOUR, HOUR);
  });

  test('steps on the windows are kept as asked', async () => {
    await check(RECENT + 30_000, RECENT + 2 * HOUR, '7m', 7 * MIN, MIN);
    await check(OLD, OLD + 2 * HOUR, '1h', HOUR, HOUR);
  });
});
