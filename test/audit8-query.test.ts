import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { call, poster, testServer } from './helpers/server.js';

const SCHEMA = { type: 'object', properties: { x: { type: 'number' }, c: { type: 'string' } } };
const MIN = 60_000;
const HOUR = 3_600_000;
const iso = (ms: number): string => new Date(ms).toISOString();

describe('audit 8 (query): ranges at the 2-day minute retention', { timeout: 60_000 }, () => {
  // now 12:30, so the minute retention's cutoff is 12:30 two days ago, in the middle of an hour
  const now = Date.UTC(2026, 1, 5, 12, 30);
  const cutoff = now - 2 * 86_400_000;
  let s: Server;
  const post = poster(() => s.url);

  before(async () => {
    s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    await post('/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
    await post('/v1/models/m/versions', { version: '1' });
    // backfilled: already older than the retention when sent (12:10 and 12:20, two days ago), so in hour windows only
    await post('/v1/events', { events: [cutoff - 20 * MIN, cutoff - 10 * MIN].map((ts, i) => ({ id: `old${i}`, model: 'm', version: '1', timestamp: ts, features: { x: i, c: 'a' }, prediction: '1', score: 0.8 })) });
  });
  after(() => s.close());

  test('a range from before the cutoff to a minute after it counts the backfilled events of the cutoff\'s hour, as one ending before it does', async () => {
    const from = iso(cutoff - 6 * HOUR);
    for (const to of [cutoff - 5 * MIN, cutoff + MIN, cutoff + 15 * MIN]) {
      for (const endpoint of ['health', 'quality']) {
        const r = await call(s.url, 'GET', `/v1/models/m/${endpoint}?from=${from}&to=${iso(to)}`);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.equal(r.body['events'], 2, `${endpoint} to ${iso(to)}: ${JSON.stringify(r.body).slice(0, 300)}`);
        // the range answered holds both events: it ends at the end of the cutoff's hour
        assert.equal(r.body['to'], Math.ceil(cutoff / HOUR) * HOUR, `${endpoint} to ${iso(to)}`);
      }
    }
  });

  test('a range of recent minutes keeps its minute ends', async () => {
    const r = await call(s.url, 'GET', `/v1/models/m/health?from=${iso(cutoff + 2 * MIN + 5000)}&to=${iso(cutoff + 7 * MIN + 5000)}`);
    assert.equal(r.status, 200);
    assert.deepEqual([r.body['from'], r.body['to'], r.body['events']], [cutoff + 2 * MIN, cutoff + 8 * MIN, 0]);
  });
});

describe('audit 8 (query): GET /segments lists the segments with traffic in the range, not in its days', { timeout: 60_000 }, () => {
  const now = Date.UTC(2026, 1, 5, 18, 30);
  let s: Server;
  const post = poster(() => s.url);
  const event = (id: string, ts: number, region: string): Record<string, unknown> => ({ id, model: 'm', version: '1', timestamp: ts, features: { x: 1, c: 'a' }, prediction: '1', segment: { region } });

  before(async () => {
    s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    await post('/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], segmentKeys: ['region'], inputSchema: SCHEMA });
    await post('/v1/models/m/versions', { version: '1' });
    // today: eu at 09:10, us at 14:45; three days ago (hour windows only): apac at 10:20
    await post('/v1/models', { name: 'm2', outputKind: 'binary', classes: ['0', '1'], segmentKeys: ['region', 'tier'], inputSchema: SCHEMA });
    await post('/v1/models/m2/versions', { version: '1' });
    await post('/v1/events', { events: [['eu', 'gold'], ['eu', 'free'], ['us', 'gold']].map(([region, tier], i) => ({
      id: `m2-${i}`, model: 'm2', version: '1', timestamp: Date.UTC(2026, 1, 5, 10 + i), features: { x: 1, c: 'a' }, prediction: '1', segment: { region, tier },
    })) });
    await post('/v1/events', { events: [
      event('a', Date.UTC(2026, 1, 5, 9, 10), 'eu'), event('b', Date.UTC(2026, 1, 5, 14, 45), 'us'), event('c', Date.UTC(2026, 1, 2, 10, 20), 'apac'),
    ] });
  });
  after(() => s.close());

  const segments = async (from: string, to: string, details = false): Promise<Record<string, unknown>> => {
    const r = await call(s.url, 'GET', `/v1/models/m/segments?from=${from}&to=${to}${details ? '&details=true' : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };

  test('each range lists only the segments whose events it holds, as /health?segment= counts them', async () => {
    const cases: Array<[string, string, string[]]> = [
      ['2026-02-05T10:00Z', '2026-02-05T12:00Z', []],
      ['2026-02-05T09:00Z', '2026-02-05T09:30Z', ['region=eu']],
      ['2026-02-05T09:10:30Z', '2026-02-05T14:46Z', ['region=eu', 'region=us']],
      ['2026-02-05T09:11Z', '2026-02-05T18:00Z', ['region=us']],
      ['2026-02-02T11:00Z', '2026-02-02T23:00Z', []],
      ['2026-02-02T10:30Z', '2026-02-02T11:00Z', ['region=apac']],
      ['2026-02-01', '2026-02-06', ['region=apac', 'region=eu', 'region=us']],
    ];
    for (const [from, to, expected] of cases) {
      const body = await segments(from, to);
      assert.deepEqual(body['segments'], expected, `${from} .. ${to}`);
      for (const seg of ['region=eu', 'region=us', 'region=apac']) {
        const h = await call(s.url, 'GET', `/v1/models/m/health?from=${from}&to=${to}&segment=${seg}`);
        assert.equal((h.body['events'] as number) > 0, expected.includes(seg), `${seg} in ${from} .. ${to}`);
      }
    }
  });

  test('segment= narrows the list to the segments holding it (it was echoed and ignored)', async () => {
    const two = await call(s.url, 'GET', '/v1/models/m2/segments?from=2026-02-05T00:00Z&to=2026-02-05T18:00Z&segment=region=eu');
    assert.equal(two.status, 200, JSON.stringify(two.body));
    assert.deepEqual([two.body['segment'], two.body['segments']], ['region=eu', ['region=eu&tier=free', 'region=eu&tier=gold']]);
    const full = await call(s.url, 'GET', '/v1/models/m2/segments?from=2026-02-05T00:00Z&to=2026-02-05T18:00Z&segment=tier=gold,region=us&details=true');
    assert.deepEqual(full.body['segments'], ['region=us&tier=gold']);
    assert.deepEqual((full.body['details'] as Array<{ segment: string; events: number }>).map((d) => [d.segment, d.events]), [['region=us&tier=gold', 1]]);
    const none = await call(s.url, 'GET', '/v1/models/m2/segments?from=2026-02-05T00:00Z&to=2026-02-05T18:00Z&segment=region=apac');
    assert.deepEqual(none.body['segments'], []);
  });

  test('details=true describes only those segments', async () => {
    const body = await segments('2026-02-05T10:00Z', '2026-02-05T15:00Z', true);
    assert.deepEqual((body['details'] as Array<{ segment: string; events: number }>).map((d) => [d.segment, d.events]), [['region=us', 1]]);
  });
});

describe('audit 8 (query): GET /events lists the events of the range it answers, as /health counts them', { timeout: 60_000 }, () => {
  const now = Date.UTC(2026, 1, 5, 18, 30);
  let s: Server;
  const post = poster(() => s.url);
  // every 20 s from 12:00:05 to 12:03:45; and three days ago (hour windows only) at 10:05 and 10:50
  const times = [...Array.from({ length: 12 }, (_, i) => Date.UTC(2026, 1, 5, 12, 0, 5) + i * 20_000), Date.UTC(2026, 1, 2, 10, 5), Date.UTC(2026, 1, 2, 10, 50)];

  before(async () => {
    s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; c.ingest.sampleRate = 1; } });
    await post('/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
    await post('/v1/models/m/versions', { version: '1' });
    await post('/v1/events', { events: times.map((ts, i) => ({ id: `e${i}`, model: 'm', version: '1', timestamp: ts, features: { x: i, c: 'a' }, prediction: '1' })) });
  });
  after(() => s.close());

  test('ranges off the minute (and, before the retention, off the hour): the events listed are those in the answer\'s from/to, as many as /health counts', async () => {
    for (const [from, to] of [['2026-02-05T12:00:30Z', '2026-02-05T12:02:10Z'], ['2026-02-05T12:01:59.999Z', '2026-02-05T12:02:00.001Z'], ['2026-02-02T10:30Z', '2026-02-02T10:40Z']] as const) {
      const h = await call(s.url, 'GET', `/v1/models/m/health?from=${from}&to=${to}`);
      const e = await call(s.url, 'GET', `/v1/models/m/events?from=${from}&to=${to}`);
      assert.equal(e.status, 200, JSON.stringify(e.body));
      assert.deepEqual([e.body['from'], e.body['to']], [h.body['from'], h.body['to']]);
      const listed = (e.body['events'] as Array<{ ts: number }>).map((x) => x.ts).sort((a, b) => a - b);
      const expected = times.filter((t) => t >= (e.body['from'] as number) && t < (e.body['to'] as number)).sort((a, b) => a - b);
      assert.deepEqual(listed, expected, `${from} .. ${to}`);
      assert.equal(listed.length, h.body['events'], `${from} .. ${to}`);
    }
  });
});

describe('audit 8 (query): a drift threshold that is not a number is refused as such', { timeout: 60_000 }, () => {
  let s: Server;
  const post = poster(() => s.url);

  before(async () => {
    s = await testServer({ configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    await post('/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
    await post('/v1/models/m/versions', { version: '1' });
    const csv = `x,c,prediction\n${Array.from({ length: 50 }, (_, i) => `${i},${i % 2 ? 'a' : 'b'},1`).join('\n')}\n`;
    const up = await call(s.url, 'PUT', '/v1/models/m/versions/1/reference', csv, { 'content-type': 'text/csv' });
    assert.equal(up.status, 200, JSON.stringify(up.body));
  });
  after(() => s.close());

  test('"abc", "", "0x10" and "Infinity" are 400 "threshold must be a number" on /drift, /timeseries and /series; " 0.2" and "1e-1" are read', async () => {
    const paths = ['/v1/models/m/drift?', '/v1/models/m/timeseries?metric=drift:x&', '/v1/models/m/series?metrics=drift:x,events&'];
    for (const path of paths) {
      for (const raw of ['abc', '', '0x10', 'Infinity']) {
        const r = await call(s.url, 'GET', `${path}threshold=${encodeURIComponent(raw)}`);
        assert.equal(r.status, 400, `${path} ${raw}: ${JSON.stringify(r.body)}`);
        // an empty threshold: refused as every empty query parameter is (audit 25)
        const message = (r.body['error'] as { message: string }).message;
        assert.ok(raw === '' ? message.startsWith('query parameter "threshold" is empty') : message.startsWith(`threshold must be a number (got ${JSON.stringify(raw)}); valid thresholds: chisquare: a p-value in (0, 1]`), `${path} ${message}`);
      }
      for (const [raw, value] of [[' 0.2', 0.2], ['1e-1', 0.1]] as const) {
        const r = await call(s.url, 'GET', `${path}threshold=${encodeURIComponent(raw)}`);
        assert.equal(r.status, 200, `${path} ${raw}: ${JSON.stringify(r.body)}`);
        const answered = path.includes('/drift?') ? (r.body['features'] as Array<{ threshold: number }>)[0]?.threshold
          : path.includes('/series?') ? (r.body['methods'] as Record<string, { threshold: number }>)['drift:x']?.threshold : r.body['threshold'];
        assert.equal(answered, value, `${path} ${raw}`);
      }
    }
  });
});

describe('audit 8 (query): /quality of a feature without values in the range', { timeout: 60_000 }, () => {
  const now = Date.UTC(2026, 1, 5, 18, 30);
  let s: Server;
  const post = poster(() => s.url);

  before(async () => {
    s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    await post('/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
    await post('/v1/models/m/versions', { version: '1' });
    const csv = `x,c,prediction\n${Array.from({ length: 50 }, (_, i) => `${i},${i % 2 ? 'a' : 'b'},1`).join('\n')}\n`;
    assert.equal((await call(s.url, 'PUT', '/v1/models/m/versions/1/reference', csv, { 'content-type': 'text/csv' })).status, 200);
    // 12:00-12:05: x always missing, c present; 14:00: x = 100 (out of the reference's [0, 49]) twice
    await post('/v1/events', { events: [
      ...Array.from({ length: 5 }, (_, i) => ({ id: `a${i}`, model: 'm', version: '1', timestamp: Date.UTC(2026, 1, 5, 12, i), features: { c: 'a' }, prediction: '1' })),
      ...Array.from({ length: 2 }, (_, i) => ({ id: `b${i}`, model: 'm', version: '1', timestamp: Date.UTC(2026, 1, 5, 14, i), features: { x: 100, c: 'a' }, prediction: '1' })),
    ] });
  });
  after(() => s.close());

  const quality = async (from: string, to: string): Promise<Map<string, Record<string, unknown>>> => {
    const r = await call(s.url, 'GET', `/v1/models/m/quality?from=${from}&to=${to}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return new Map((r.body['features'] as Array<Record<string, unknown>>).map((f) => [f['name'] as string, f]));
  };

  test('no events: outOfRange and constant are null, as missingRate is; all missing: likewise for that feature only', async () => {
    const empty = await quality('2026-02-05T08:00Z', '2026-02-05T09:00Z');
    for (const f of ['x', 'c']) {
      assert.deepEqual([empty.get(f)?.['missingRate'], empty.get(f)?.['outOfRange'], empty.get(f)?.['constant']], [null, null, null], f);
    }
    const missing = await quality('2026-02-05T12:00Z', '2026-02-05T12:10Z');
    assert.deepEqual([missing.get('x')?.['missingRate'], missing.get('x')?.['outOfRange'], missing.get('x')?.['constant']], [1, null, null]);
    assert.deepEqual([missing.get('c')?.['missingRate'], missing.get('c')?.['constant']], [0, true]);
    const out = await quality('2026-02-05T14:00Z', '2026-02-05T14:10Z');
    assert.deepEqual([out.get('x')?.['missingRate'], out.get('x')?.['outOfRange'], out.get('x')?.['constant']], [0, 1, true]);
  });
});

