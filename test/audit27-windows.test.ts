import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { succeeding, testServer } from './helpers/server.js';

/*
 * Audit 27 (windows): windowed summaries and time handling of the query API, checked against figures computed from the
 * events sent.
 */
const MIN = 60_000;
const H = 3_600_000;
const D = 86_400_000;
const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };

describe('audit 27: a range starting in the minute that holds the minute windows\' cutoff counts that minute\'s events', () => {
  /*
   * An event is summarised in a minute window only when its minute starts within the retention (2 days) at ingest; an
   * older minute's events go to their hour alone. A range starting a few seconds after the cutoff was answered in
   * minutes, from the start of the cutoff's minute, whose window the ingest had skipped: the events of that minute,
   * backfilled a moment before, were missing from /health and the series (and its `from` claimed the whole minute).
   */
  let s: Server;
  let now = Date.UTC(2026, 4, 10, 12, 0, 40); // 40 s into a minute
  const ok = succeeding(() => s.url);
  const cutoffMinute = now - 40_000 - 2 * D; // the minute holding the ingest's cutoff (now - 2 days)

  before(async () => {
    s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    await ok('POST', '/v1/models', { name: 'm', outputKind: 'regression', inputSchema: SCHEMA });
    await ok('POST', '/v1/models/m/versions', { version: '1' });
    // stamped 50 s into the cutoff's minute: after the cutoff (40 s), in a minute starting before it
    const events = [50_000, 55_000, 70_000].map((dt, i) => ({ id: `late-${i}`, model: 'm', version: '1', timestamp: cutoffMinute + dt, features: { x: i }, prediction: i, latencyMs: 10 }));
    await ok('POST', '/v1/events', { events });
    now += 5_000; // the query comes 5 s later: its cutoff is 45 s into that minute
  });
  after(() => s?.close());

  test('/health and the series count the events of the first minute', async () => {
    const range = `from=${cutoffMinute + 45_000}&to=${cutoffMinute + 10 * MIN}`;
    const h = await ok('GET', `/v1/models/m/health?${range}`);
    assert.equal(h['events'], 3, JSON.stringify(h));
    for (const g of ['minute', 'hour']) {
      const r = await ok('GET', `/v1/models/m/timeseries?metric=events&granularity=${g}&${range}`);
      const points = r['points'] as Array<{ value: number | null }>;
      assert.equal(points.reduce((n, p) => n + (p.value ?? 0), 0), 3, `${g}: ${JSON.stringify(r)}`);
      assert.equal(r['from'], h['from'], 'the series covers the range /health does');
    }
    // the answer's range is the whole hour of its start, where those events are counted
    assert.equal(h['from'], Math.floor(cutoffMinute / H) * H);
  });

  test('a range starting a whole minute after the cutoff is still read in minutes', async () => {
    const h = await ok('GET', `/v1/models/m/health?from=${cutoffMinute + MIN}&to=${cutoffMinute + 10 * MIN}`);
    assert.deepEqual([h['from'], h['events']], [cutoffMinute + MIN, 1]);
    const r = await ok('GET', `/v1/models/m/timeseries?metric=events&granularity=minute&from=${cutoffMinute + MIN + 1000}&to=${cutoffMinute + 10 * MIN}`);
    assert.equal(r['granularity'], 'minute');
  });
});

describe('audit 27: a mistyped series metric is answered with the one meant', () => {
  /*
   * `/timeseries?metric=latencyp99` listed the 16 metrics and left the reader to spot the capital P; the /health field
   * names (`throughputPerSecond`, `costPerInferenceUsd`, `latencyMs`), tried as series, got no hint either. Every other
   * unknown name says which known one it most likely is (audit 25).
   */
  let s: Server;
  before(async () => {
    s = await testServer({ configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    const ok = succeeding(() => s.url);
    await ok('POST', '/v1/models', { name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { age: { type: 'number' }, x: { type: 'number' } } } });
    await ok('POST', '/v1/models/m/versions', { version: '1' });
  });
  after(() => s?.close());

  const refusal = async (path: string): Promise<string> => {
    const r = await fetch(`${s.url}${path}`);
    assert.equal(r.status, 400);
    return ((await r.json()) as { error: { message: string } }).error.message;
  };

  test('/timeseries and /series suggest the metric, the series of a /health field and the feature', async () => {
    assert.match(await refusal('/v1/models/m/timeseries?metric=latencyp99'), /; did you mean "latencyP99"\?$/);
    assert.match(await refusal('/v1/models/m/timeseries?metric=errorrate'), /; did you mean "errorRate"\?$/);
    assert.match(await refusal('/v1/models/m/timeseries?metric=throughputPerSecond'), /; did you mean "throughput" \(events per second\)\?$/);
    assert.match(await refusal('/v1/models/m/timeseries?metric=costPerInferenceUsd'), /; did you mean "costPerInference" \(USD per inference that reported a cost\)\?$/);
    assert.match(await refusal('/v1/models/m/timeseries?metric=latencyMs'), /; did you mean "latencyP50", "latencyP95" or "latencyP99" \(milliseconds\)\?$/);
    assert.match(await refusal('/v1/models/m/timeseries?metric=drift:agee'), /summarises age, x; did you mean "drift:age"\?$/);
    assert.match(await refusal('/v1/models/m/series?metrics=events,latencyp95'), /; did you mean "latencyP95"\?/);
    assert.doesNotMatch(await refusal("/v1/models/m/timeseries?metric=constructor"), /function|did you mean/);
    // no suggestion where none is near
    assert.doesNotMatch(await refusal('/v1/models/m/timeseries?metric=bogus'), /did you mean/);
  });
});

describe('audit 27: from/to as fractional epoch milliseconds or seconds, as Python writes them', () => {
  /*
   * `time.time() * 1000` (Python) is fractional epoch milliseconds: an event's timestamp takes it (the fraction dropped),
   * a query's from/to refused it as not "epoch milliseconds or an ISO-8601 time", which it is. And `time.time()`, epoch
   * seconds with a fraction, got that generic refusal where whole seconds are named as seconds.
   */
  let s: Server;
  const T = Date.UTC(2026, 4, 10, 12);
  const ok = succeeding(() => s.url);
  before(async () => {
    s = await testServer({ clock: () => T + H, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    await ok('POST', '/v1/models', { name: 'm', outputKind: 'regression', inputSchema: SCHEMA });
    await ok('POST', '/v1/models/m/versions', { version: '1' });
    await ok('POST', '/v1/events', { events: [{ model: 'm', version: '1', timestamp: T + 1.7, features: { x: 1 }, prediction: 1 }] });
  });
  after(() => s?.close());

  test('fractional epoch milliseconds are read as the millisecond they are in', async () => {
    const h = await ok('GET', `/v1/models/m/health?from=${T - 0.4 + 1}&to=${T + 60_000.25}`);
    assert.deepEqual([h['requested'], h['events']], [{ from: T, to: T + 60_000 }, 1]);
  });

  test('fractional epoch seconds are refused as seconds, naming the milliseconds to send', async () => {
    const r = await fetch(`${s.url}/v1/models/m/health?from=${T / 1000 - 0.5}`);
    assert.equal(r.status, 400);
    const message = ((await r.json()) as { error: { message: string } }).error.message;
    assert.match(message, new RegExp(`^from ${T / 1000 - 0.5} is epoch seconds \\(2026-05-10T11:59:59\\.500Z\\), read as milliseconds it is .*: send epoch milliseconds \\(${T - 500}\\) or an ISO-8601 time$`));
  });
});
