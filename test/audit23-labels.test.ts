import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LookoutClient } from '../src/client/index.js';
import type { LookoutClientError } from '../src/client/types.js';
import type { Server } from '../src/server.js';
import { call, poster, testServer } from './helpers/server.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };

describe('audit 23 (labels): the client\'s label() called again for an id (real server, DuckDB file)', () => {
  let s: Server;
  const post = poster(() => s.url);
  const stored = async (): Promise<Record<string, string>> =>
    Object.fromEntries((await s.deps.store.labelledEvents({ model: 'bin', from: 0, to: Date.now() + HOUR })).map((e) => [e.event.id, e.label]));

  before(async () => {
    s = await testServer();
    await post('/v1/models', { name: 'bin', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
    await post('/v1/models/bin/versions', { version: '1' });
  });
  after(() => s.close());

  test('a label corrected before the first was sent: the last label() counts, as when they go in two requests (was: one batch, the first stored, the correction rejected duplicate_in_batch)', async () => {
    const errors: LookoutClientError[] = [];
    const c = new LookoutClient({ url: s.url, onError: (e) => errors.push(e) });
    const a = c.log({ model: 'bin', version: '1', features: { x: 1 }, prediction: '1', score: 0.9 });
    const b = c.log({ model: 'bin', version: '1', features: { x: 2 }, prediction: '0', score: 0.2 });
    c.label(a, '0');
    c.label(b, '0');
    c.label(a, '1'); // corrected at once: all three in one flush interval
    c.label(b, 0); // the same label again
    await c.flush();
    // the same calls, each flushed: the later request replaces the label
    const d = c.log({ model: 'bin', version: '1', features: { x: 3 }, prediction: '1', score: 0.8 });
    c.label(d, '0');
    await c.flush();
    c.label(d, '1');
    await c.close();
    assert.deepEqual(errors.map((e) => e.message), []);
    assert.deepEqual(c.stats().labels, { queued: 0, inFlight: 0, sent: 6, rejected: 0, dropped: 0, failed: 0, retries: 0 });
    const got = await stored();
    assert.deepEqual([got[a], got[b], got[d]], ['1', '0', '1'], 'the last label() of each id is stored');
  });
});

describe('audit 23 (labels): /performance of a range whose events retention.eventsDays deleted (real server, DuckDB file)', () => {
  let now = Date.UTC(2026, 10, 2, 12, 30);
  const old = now - HOUR;
  let s: Server;
  const post = poster(() => s.url);
  /** 20 predictions from t, the first 10 labelled (their label the prediction). */
  const send = async (prefix: string, t: number): Promise<void> => {
    const events = Array.from({ length: 20 }, (_, i) => ({ id: `${prefix}${i}`, model: 'b', version: '1', timestamp: t + i * 1000, features: { x: i }, prediction: String(i % 2), score: i % 2 ? 0.9 : 0.1 }));
    assert.equal((await post('/v1/events', { events }))['accepted'], 20);
    assert.equal((await post('/v1/labels', { labels: events.slice(0, 10).map((e) => ({ id: e.id, label: e.prediction })) }))['accepted'], 10);
  };
  const perf = async (from: number, to: number): Promise<Record<string, unknown>> => {
    const r = await call(s.url, 'GET', `/v1/models/b/performance?from=${from}&to=${to}&ci=false&segments=false`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body;
  };

  before(async () => {
    s = await testServer({ clock: () => now, configure: (c) => (c.retention = { eventsDays: 3 }) });
    await post('/v1/models', { name: 'b', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
    await post('/v1/models/b/versions', { version: '1' });
    await send('old', old);
    now += 4 * DAY;
    await send('new', now - HOUR);
    assert.equal((await s.deps.retention?.run())?.events, 20);
  });
  after(() => s.close());

  test('label coverage is not given as 0 (or half of it) for events deleted with their labels, and the notes say why (was: labelCoverage 0 and 0.25 for ranges labelled at 50%)', async () => {
    const gone = await perf(old - HOUR, old + HOUR);
    assert.deepEqual([gone['labelled'], gone['predictions'], gone['labelCoverage'], gone['realized']], [0, 20, null, null]);
    assert.match(String(gone['labelCoverageNote']), /retention\.eventsDays \(3 days\)/);
    assert.match(String(gone['realizedNote']), /deleted by retention\.eventsDays \(3 days\)/);
    const across = await perf(old - HOUR, now);
    assert.deepEqual([across['labelled'], across['predictions'], across['labelCoverage']], [10, 40, null]);
    assert.match(String(across['labelCoverageNote']), /retention\.eventsDays/);
    assert.equal((across['realized'] as { n: number }).n, 10);
    assert.match(String(across['realizedNote']), /of the events kept/);
    const kept = await perf(now - 2 * HOUR, now);
    assert.deepEqual([kept['labelCoverage'], kept['labelCoverageNote'], kept['realizedNote']], [0.5, undefined, undefined]);
  });

  test('a label for a prediction deleted by retention says that ids older than it are gone (was: only "no stored prediction has id")', async () => {
    const r = await post('/v1/labels', { labels: [{ id: 'old15', label: '1' }, { id: 'never', label: '1' }] });
    const rows = r['results'] as Array<{ code: string; message: string }>;
    assert.deepEqual(rows.map((x) => x.code), ['unknown_prediction', 'unknown_prediction']);
    assert.match(rows[0]?.message ?? '', /no stored prediction has id "old15" \(predictions older than retention\.eventsDays, 3 days, are deleted\)/);
  });
});
