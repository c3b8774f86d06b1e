import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { call, testServer } from './helpers/server.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
/** 10:00 UTC five days before NOW: older than the minute windows' retention (2 days). */
const OLD = Date.UTC(2026, 10, 15, 10, 0, 0);

const MODEL = { name: 'audit', outputKind: 'regression', segmentKeys: ['region'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } };

function event(ts: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'audit', version: '1', timestamp: new Date(ts).toISOString(), features: { x: 1 }, prediction: 1, latencyMs: 10, ...extra };
}

describe('audit of the data and query API (real server, DuckDB file)', () => {
  let s: Server;
  let base = '';
  /** Events sent at OLD + i minutes, i < OLD_EVENTS (one per minute of the hour 10:00-11:00). */
  const OLD_EVENTS = 60;

  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => (c.ingest.sampleRate = 1) });
    base = s.url;
    assert.equal((await call(base, 'POST', '/v1/models', MODEL)).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/audit/versions', { version: '1' })).status, 201);
    const res = await call(base, 'POST', '/v1/events', Array.from({ length: OLD_EVENTS }, (_, i) => event(OLD + i * MINUTE)));
    assert.equal(res.body['accepted'], OLD_EVENTS, JSON.stringify(res.body).slice(0, 300));
  });
  after(async () => {
    await s.close();
  });

  test('timeseries and series of a range under a day that starts before the minute windows\' retention show its events', async () => {
    const range = `from=${OLD - HOUR}&to=${OLD + 5 * HOUR}`;
    for (const g of ['', '&granularity=minute']) {
      const ts = await call(base, 'GET', `/v1/models/audit/timeseries?metric=events&${range}${g}`);
      assert.equal(ts.status, 200, JSON.stringify(ts.body));
      const points = ts.body['points'] as Array<{ t: number; value: number | null; events: number }>;
      assert.equal(ts.body['granularity'], 'hour', 'only hour windows exist there');
      assert.equal(points.reduce((n, p) => n + p.events, 0), OLD_EVENTS);
      assert.deepEqual(points.filter((p) => p.events > 0).map((p) => [p.t, p.value]), [[OLD, OLD_EVENTS]]);
      const series = await call(base, 'GET', `/v1/models/audit/series?metrics=events,latencyP50&${range}${g}`);
      assert.equal(series.status, 200, JSON.stringify(series.body));
      assert.equal(series.body['granularity'], 'hour');
      assert.equal((series.body['events'] as number[]).reduce((n, e) => n + e, 0), OLD_EVENTS);
    }
    // Recent ranges keep their minute points.
    const recent = await call(base, 'GET', `/v1/models/audit/timeseries?metric=events&from=${NOW - HOUR}&to=${NOW}`);
    assert.equal(recent.body['granularity'], 'minute');
  });

  test('/health and /segments?details=true: throughput is the events over the range they were counted in', async () => {
    // 10 minutes of an hour older than the minute windows: its events are counted over the whole hour (from, to say so).
    const h = await call(base, 'GET', `/v1/models/audit/health?from=${OLD}&to=${OLD + 10 * MINUTE}`);
    assert.equal(h.status, 200, JSON.stringify(h.body));
    assert.deepEqual([h.body['from'], h.body['to'], h.body['events']], [OLD, OLD + HOUR, OLD_EVENTS]);
    assert.equal(h.body['throughputPerSecond'], OLD_EVENTS / 3600);
    // A recent range with ends inside minutes: counted over its whole minutes.
    const seg = { region: 'eu' };
    const sent = await call(base, 'POST', '/v1/events', Array.from({ length: 30 }, (_, i) => event(NOW - 30 * MINUTE + i * MINUTE, { segment: seg })));
    assert.equal(sent.body['accepted'], 30);
    const from = NOW - 30 * MINUTE + 30_000;
    const r = await call(base, 'GET', `/v1/models/audit/health?from=${from}&to=${NOW}`);
    assert.deepEqual([r.body['from'], r.body['to'], r.body['events']], [NOW - 30 * MINUTE, NOW, 30]);
    assert.equal(r.body['throughputPerSecond'], 30 / 1800);
    const d = await call(base, 'GET', `/v1/models/audit/segments?details=true&from=${from}&to=${NOW}`);
    assert.equal(d.status, 200, JSON.stringify(d.body));
    const details = d.body['details'] as Array<{ segment: string; events: number; throughputPerSecond: number }>;
    assert.deepEqual(details.map((x) => [x.segment, x.events, x.throughputPerSecond]), [['region=eu', 30, 30 / 1800]]);
  });

  test('a model named with the longest name allowed (128 characters) can be read, versioned and queried', async () => {
    const name = `m${'x'.repeat(127)}`;
    assert.equal((await call(base, 'POST', '/v1/models', { ...MODEL, name })).status, 201);
    const got = await call(base, 'GET', `/v1/models/${name}`);
    assert.equal(got.status, 200, JSON.stringify(got.body));
    assert.equal(got.body['name'], name);
    const v = await call(base, 'POST', `/v1/models/${name}/versions`, { version: `v${'1'.repeat(127)}` });
    assert.equal(v.status, 201, JSON.stringify(v.body));
    const h = await call(base, 'GET', `/v1/models/${name}/health?version=v${'1'.repeat(127)}`);
    assert.equal(h.status, 200, JSON.stringify(h.body));
  });

  test('a path that is not valid percent-encoding, or too long a path segment, gets the catalog error body', async () => {
    for (const path of ['/v1/models/%E0%A4%A/health', '/nowhere/%ZZ', `/v1/models/${'x'.repeat(5000)}`]) {
      const res = await call(base, 'GET', path);
      assert.equal(res.status, 400, `${path.slice(0, 40)}: ${JSON.stringify(res.body)}`);
      const err = res.body['error'] as { code: string; message: string };
      assert.equal(err.code, 'bad_request', JSON.stringify(res.body));
      assert.ok(err.message.length > 10, err.message);
    }
  });

  test('an event cost too large to sum is refused, and the costs of its window are kept', async () => {
    const t = NOW - 3 * HOUR;
    const res = await call(base, 'POST', '/v1/events', [1, 2, 1e308, 1e308].map((costUsd, i) => event(t + i * 1000, { costUsd })));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const results = res.body['results'] as Array<{ status: string; code?: string }>;
    assert.deepEqual(results.map((r) => r.code ?? r.status), ['accepted', 'accepted', 'invalid_cost', 'invalid_cost']);
    const h = await call(base, 'GET', `/v1/models/audit/health?from=${t}&to=${t + MINUTE}`);
    assert.deepEqual([h.body['events'], h.body['costUsd'], h.body['costPerInferenceUsd']], [2, 1 + 2, (1 + 2) / 2]);
  });

  test('from/to: text that is not a time is refused, not read as some other time; a time without a zone is UTC', async () => {
    for (const bad of ['foo 5', '-5', '1 2', 'Dec 1 2026', '2026-02-30', '2026-11-15T10:00:00+25:00', '99999999999999999999']) {
      const res = await call(base, 'GET', `/v1/models/audit/health?from=${encodeURIComponent(bad)}&to=${NOW}`);
      assert.equal(res.status, 400, `${bad}: ${JSON.stringify(res.body)}`);
      const err = res.body['error'] as { code: string; message: string };
      assert.equal(err.code, 'bad_request');
      assert.match(err.message, /^from must be epoch milliseconds or an ISO-8601 time/, bad);
    }
    const tz = process.env['TZ'];
    process.env['TZ'] = 'America/New_York'; // the server's time zone must not matter
    try {
      const forms: Array<[string, number]> = [
        ['2026-11-15', Date.UTC(2026, 10, 15)], ['2026-11-15T10:00', OLD], ['2026-11-15T10:00:00', OLD], ['2026-11-15t10:00:00.000z', OLD],
        ['2026-11-15T11:30:00+01:30', OLD], [String(OLD), OLD],
      ];
      for (const [text, ms] of forms) {
        const res = await call(base, 'GET', `/v1/models/audit/health?from=${encodeURIComponent(text)}&to=${OLD + 2 * HOUR}`);
        assert.equal(res.status, 200, `${text}: ${JSON.stringify(res.body)}`);
        assert.equal((res.body['requested'] as { from: number }).from, ms, text);
      }
    } finally {
      if (tz === undefined) delete process.env['TZ'];
      else process.env['TZ'] = tz;
    }
  });

  test('a feature distribution counts the values equal to its lowest edge (integer features lost their smallest value)', async () => {
    const model = { name: 'ints', outputKind: 'regression', inputSchema: { type: 'object', properties: { k: { type: 'integer' } } } };
    assert.equal((await call(base, 'POST', '/v1/models', model)).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/ints/versions', { version: '1' })).status, 201);
    // k uniform on 0..4 in both: every value is inside the central 99%, so the bins hold all of it, a fifth at k = 0.
    const csv = ['k', ...Array.from({ length: 1000 }, (_, i) => String(i % 5))].join('\n');
    const ref = await fetch(`${base}/v1/models/ints/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: csv });
    assert.equal(ref.status, 200, await ref.text());
    const t = NOW - 2 * HOUR;
    const events = Array.from({ length: 500 }, (_, i) => ({ model: 'ints', version: '1', timestamp: t + i * 1000, features: { k: i % 5 }, prediction: 0 }));
    assert.equal((await call(base, 'POST', '/v1/events', events)).body['accepted'], 500);
    const d = await call(base, 'GET', `/v1/models/ints/features/k/distribution?from=${t}&to=${t + HOUR}`);
    assert.equal(d.status, 200, JSON.stringify(d.body));
    type Side = { shares: number[]; count: number };
    const body = d.body as unknown as { edges: number[]; reference: Side; current: Side };
    assert.deepEqual([body.edges[0], body.edges[body.edges.length - 1], body.current.count], [0, 4, 500]);
    const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0);
    for (const side of [body.reference, body.current]) {
      assert.ok(Math.abs(sum(side.shares) - 1) < 1e-9, `all values are binned: ${sum(side.shares)}`);
      assert.ok(Math.abs((side.shares[0] as number) - 0.2) < 0.02, `k = 0 is in the first bin: ${side.shares[0]}`);
    }
  });

  test('a label that is not one of the model\'s classes (or not a number for a regression) is refused, not left to void every metric', async () => {
    const model = { name: 'bin', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } };
    assert.equal((await call(base, 'POST', '/v1/models', model)).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/bin/versions', { version: '1' })).status, 201);
    const t = NOW - 4 * HOUR;
    const preds = Array.from({ length: 20 }, (_, i) => ({ id: `b${i}`, prediction: i % 2 === 0 ? '1' : '0', label: i % 4 === 0 ? '0' : i % 2 === 0 ? '1' : '0' }));
    const ev = preds.map((p, i) => ({ id: p.id, model: 'bin', version: '1', timestamp: t + i * 1000, features: { x: 1 }, prediction: p.prediction }));
    assert.equal((await call(base, 'POST', '/v1/events', ev)).body['accepted'], 20);
    const labels = [...preds.map((p) => ({ id: p.id, label: p.label })), { id: 'b1', label: 'yes' }, { id: 'b3', label: true }];
    const res = await call(base, 'POST', '/v1/labels', labels);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const results = res.body['results'] as Array<{ status: string; code?: string; message?: string }>;
    assert.deepEqual(results.slice(-2).map((r) => r.code ?? r.status), ['invalid_label', 'invalid_label']);
    assert.match(results[20]?.message ?? '', /one of the model's classes: 0, 1/);
    // Relabelled in a later request (in the same batch, a second label of an id is duplicate_in_batch).
    const relabel = await call(base, 'POST', '/v1/labels', [{ id: 'b5', label: 1 }]);
    assert.deepEqual((relabel.body['results'] as Array<{ status: string }>).map((r) => r.status), ['accepted']);
    // b5 was relabelled "1" (its prediction "0"): 20 labelled, of which 15 right.
    const correct = preds.filter((p) => (p.id === 'b5' ? '1' : p.label) === p.prediction).length;
    const perf = await call(base, 'GET', `/v1/models/bin/performance?from=${t}&to=${t + HOUR}&ci=false&segments=false`);
    assert.equal(perf.status, 200, JSON.stringify(perf.body));
    const realized = perf.body['realized'] as { n: number; metrics: { accuracy: { value: number } } } | null;
    assert.ok(realized, JSON.stringify(perf.body));
    assert.deepEqual([realized.n, realized.metrics.accuracy.value], [20, correct / 20]);
    // A regression model's label must be a number.
    const reg = await call(base, 'POST', '/v1/events', [event(t, { id: 'r1' })]);
    assert.equal(reg.body['accepted'], 1);
    const rl = await call(base, 'POST', '/v1/labels', [{ id: 'r1', label: 'abc' }, { id: 'r1', label: '2.5' }]);
    assert.deepEqual((rl.body['results'] as Array<{ status: string; code?: string }>).map((r) => r.code ?? r.status), ['invalid_label', 'accepted']);
  });

  test('/drift?threshold= takes a positive finite number only (Infinity came back as threshold: null)', async () => {
    const csv = ['k', ...Array.from({ length: 100 }, (_, i) => String(i % 5))].join('\n');
    const ref = await fetch(`${base}/v1/models/ints/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: csv });
    assert.equal(ref.status, 200);
    for (const bad of ['Infinity', '1e400', '-1', '0', 'abc']) {
      const res = await call(base, 'GET', `/v1/models/ints/drift?threshold=${bad}&from=${NOW - 3 * HOUR}&to=${NOW}`);
      assert.equal(res.status, 400, `${bad}: ${JSON.stringify(res.body).slice(0, 300)}`);
      assert.equal((res.body['error'] as { code: string }).code, 'bad_request');
    }
    const ok = await call(base, 'GET', `/v1/models/ints/drift?threshold=0.2&from=${NOW - 3 * HOUR}&to=${NOW}`);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual((ok.body['features'] as Array<{ threshold: number }>).map((f) => f.threshold), [0.2]);
  });

  test('GET /events?segment=&limit=N answers up to N events of the segment (newest first), not those of the last N events', async () => {
    const t = NOW - 6 * HOUR;
    // 20 events: the first 10 in "eu", the newer 10 in "us"; every event is kept with its features (sampleRate 1).
    const rows = Array.from({ length: 20 }, (_, i) => event(t + i * 1000, { id: `seg${i}`, segment: { region: i < 10 ? 'eu' : 'us' } }));
    assert.equal((await call(base, 'POST', '/v1/events', rows)).body['accepted'], 20);
    const res = await call(base, 'GET', `/v1/models/audit/events?segment=region%3Deu&limit=5&from=${t}&to=${t + HOUR}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual((res.body['events'] as Array<{ id: string }>).map((e) => e.id), ['seg9', 'seg8', 'seg7', 'seg6', 'seg5']);
    const all = await call(base, 'GET', `/v1/models/audit/events?segment=region%3Dus&from=${t}&to=${t + HOUR}`);
    assert.equal((all.body['events'] as unknown[]).length, 10);
  });
});

describe('model declaration: an input schema that cannot describe a features object', () => {
  let s: Server;
  before(async () => {
    s = await testServer({ clock: () => NOW });
  });
  after(async () => {
    await s.close();
  });

  test('is refused with validation_failed (such a model rejected every event); object schemas and ones without a type are taken', async () => {
    for (const inputSchema of [{ type: 'string' }, { type: ['number', 'null'] }, { type: 'array', items: { type: 'number' } }]) {
      const r = await call(s.url, 'POST', '/v1/models', { ...MODEL, name: 'bad', inputSchema });
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.equal((r.body.error as { code: string }).code, 'validation_failed');
      assert.match((r.body.error as { message: string }).message, /"type" must be "object"/);
    }
    assert.equal((await call(s.url, 'GET', '/v1/models/bad')).status, 404);
    for (const [i, inputSchema] of [{ type: ['object', 'null'], properties: { x: { type: 'number' } } }, { properties: { x: { type: 'number' } } }].entries()) {
      const r = await call(s.url, 'POST', '/v1/models', { ...MODEL, name: `ok${i}`, inputSchema });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
  });

  test('in the config file, `lookout serve` stops at start with the model named (exit 2), not an internal error', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'lookout.yaml'), 'models:\n  - name: bad\n    outputKind: regression\n    inputSchema: {type: string}\n');
    const r = await lookoutAsync(['serve', '--config', join(dir, 'lookout.yaml'), '--data-dir', join(dir, 'data'), '--port', '0', '--quiet'], 60_000);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /invalid config \S+: models\[0\] \(name "bad"\): inputSchema is not a valid input schema: .*"type" must be "object"/);
  });
});

describe('throughput of a window still running (real server, DuckDB file)', () => {
  // NOW is 12:00 UTC: the day window that started at 00:00 has run for 12 hours. Its throughput was its events over
  // the whole 24 h, so every throughput chart ended in a false drop to half the rate.
  const DAY = Date.UTC(2026, 10, 20);
  const EVENTS = 90;
  let s: Server;
  before(async () => {
    s = await testServer({ clock: () => NOW });
    assert.equal((await call(s.url, 'POST', '/v1/models', MODEL)).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/models/audit/versions', { version: '1' })).status, 201);
    // Yesterday (a whole day) and the last 90 minutes of today.
    const res = await call(s.url, 'POST', '/v1/events', [
      ...Array.from({ length: EVENTS }, (_, i) => event(DAY - 86_400_000 + i * 5 * MINUTE)),
      ...Array.from({ length: EVENTS }, (_, i) => event(NOW - (i + 1) * MINUTE)),
    ]);
    assert.equal(res.body['accepted'], 2 * EVENTS, JSON.stringify(res.body).slice(0, 300));
  });
  after(async () => {
    await s.close();
  });

  test('/timeseries and /series: the running window\'s rate is its events over the time that has passed', async () => {
    const range = `from=${DAY - 86_400_000}&to=${NOW}&granularity=day`;
    const ts = await call(s.url, 'GET', `/v1/models/audit/timeseries?metric=throughput&${range}`);
    assert.equal(ts.status, 200, JSON.stringify(ts.body));
    const points = (ts.body['points'] as Array<{ t: number; value: number | null; events: number }>).map((p) => [p.t, p.value, p.events]);
    assert.deepEqual(points, [[DAY - 86_400_000, EVENTS / 86_400, EVENTS], [DAY, EVENTS / ((NOW - DAY) / 1000), EVENTS]]);
    const series = await call(s.url, 'GET', `/v1/models/audit/series?metrics=throughput,events&${range}`);
    assert.equal(series.status, 200, JSON.stringify(series.body));
    const body = series.body as { t: number[]; series: Record<string, number[]> };
    assert.deepEqual(body.t, [DAY - 86_400_000, DAY]);
    assert.deepEqual(body.series['throughput'], [EVENTS / 86_400, EVENTS / ((NOW - DAY) / 1000)]);
    assert.deepEqual(body.series['events'], [EVENTS, EVENTS], 'counts are not rates: as they are');
    // Hour windows: the last whole hour (11:00-12:00) holds 60 of the events.
    const hours = await call(s.url, 'GET', `/v1/models/audit/timeseries?metric=throughput&from=${NOW - 3_600_000}&to=${NOW}&granularity=hour`);
    assert.deepEqual((hours.body['points'] as Array<{ value: number }>).map((p) => p.value), [60 / 3600]);
  });
});
