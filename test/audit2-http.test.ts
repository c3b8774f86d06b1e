import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { call, testServer } from './helpers/server.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

const MODEL = { name: 'a2', outputKind: 'regression', segmentKeys: ['region'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } };

function event(ts: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'a2', version: '1', timestamp: new Date(ts).toISOString(), features: { x: 1 }, prediction: 1, latencyMs: 10, ...extra };
}

describe('second audit of the data API and monitors (real server, DuckDB file)', () => {
  let s: Server;
  let base = '';

  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => (c.ingest.sampleRate = 1) });
    base = s.url;
    assert.equal((await call(base, 'POST', '/v1/models', MODEL)).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/a2/versions', { version: '1' })).status, 201);
  });
  after(async () => {
    await s.close();
  });

  test('a retried batch records its rejected rows with ids once (data-quality counts do not double); rows without an id each time', async () => {
    const t = NOW - 2 * HOUR;
    // Rejected rows count at their own (valid) timestamps, t + 1 to 5 minutes (docs/events.md).
    const range = `from=${t}&to=${t + HOUR}`;
    const batch = [
      event(t, { id: 'r-ok' }),
      event(t + MINUTE, { id: 'r-bad', features: { x: 'not a number' } }),
      event(t + 2 * MINUTE, { id: 'r-bad2', prediction: 'nope' }),
    ];
    const rejectsBefore = await s.deps.store.countRejects('a2');
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await call(base, 'POST', '/v1/events', batch);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const codes = (res.body['results'] as Array<{ status: string; code?: string }>).map((r) => r.code ?? r.status);
      assert.deepEqual(codes, [attempt === 0 ? 'accepted' : 'duplicate_id', 'schema_violation', 'invalid_prediction']);
    }
    assert.equal(await s.deps.store.countRejects('a2') - rejectsBefore, 2, 'each rejected id recorded once');
    const q = await call(base, 'GET', `/v1/models/a2/quality?${range}`);
    assert.equal(q.status, 200, JSON.stringify(q.body));
    assert.equal(q.body['rejected'], 2, JSON.stringify(q.body));
    assert.deepEqual(q.body['rejectedByCode'], { schema_violation: 1, invalid_prediction: 1 });
    // The same id rejected twice within one batch is recorded once too.
    const twice = await call(base, 'POST', '/v1/events', [event(t + 3 * MINUTE, { id: 'r-twice', prediction: 'x' }), event(t + 4 * MINUTE, { id: 'r-twice', prediction: 'y' })]);
    assert.equal(twice.body['rejected'], 2);
    assert.equal(await s.deps.store.countRejects('a2') - rejectsBefore, 3);
    // Without an id a row cannot be recognised: each retry records it again (docs/events.md).
    for (let attempt = 0; attempt < 2; attempt++) await call(base, 'POST', '/v1/events', [event(t + 5 * MINUTE, { prediction: 'no id' })]);
    assert.equal(await s.deps.store.countRejects('a2') - rejectsBefore, 5);
    const q2 = await call(base, 'GET', `/v1/models/a2/quality?${range}`);
    assert.equal(q2.body['rejected'], 5, JSON.stringify(q2.body));
  });

  test('GET /v1/models/:name/events answers the newest events first, and pages to older ones with `before`', async () => {
    const t = NOW - 5 * HOUR;
    const rows = Array.from({ length: 7 }, (_, i) => event(t + i * MINUTE, { id: `p${i}` }));
    // Two events at the same time: ordered by id (descending) too.
    rows.push(event(t + 6 * MINUTE, { id: 'p6b' }));
    assert.equal((await call(base, 'POST', '/v1/events', rows)).body['accepted'], 8);
    const range = `from=${t}&to=${t + HOUR}`;
    const first = await call(base, 'GET', `/v1/models/a2/events?${range}&limit=3`);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual((first.body['events'] as Array<{ id: string }>).map((e) => e.id), ['p6b', 'p6', 'p5']);
    assert.equal(typeof first.body['next'], 'string');
    const ids: string[] = [];
    let next: unknown = first.body['next'];
    while (typeof next === 'string') {
      const page = await call(base, 'GET', `/v1/models/a2/events?${range}&limit=3&before=${encodeURIComponent(next)}`);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      ids.push(...(page.body['events'] as Array<{ id: string }>).map((e) => e.id));
      next = page.body['next'];
    }
    assert.deepEqual(ids, ['p4', 'p3', 'p2', 'p1', 'p0']);
    const bad = await call(base, 'GET', `/v1/models/a2/events?${range}&before=garbage`);
    assert.equal(bad.status, 400);
    assert.equal((bad.body['error'] as { code: string }).code, 'bad_request');
  });

  test('a body of an unsupported media type is 415 unsupported_media_type naming the supported types, on every route taking a body', async () => {
    const text = JSON.stringify([event(NOW - HOUR)]);
    for (const [method, path] of [['POST', '/v1/events'], ['POST', '/v1/labels'], ['POST', '/v1/models'], ['POST', '/v1/models/a2/versions'], ['POST', '/v1/monitors'], ['POST', '/v1/silences']] as const) {
      for (const type of ['text/plain', 'text/plain; charset=utf-8', 'text/csv']) {
        const res = await call(base, method, path, text, { 'content-type': type });
        assert.equal(res.status, 415, `${method} ${path} ${type}: ${JSON.stringify(res.body)}`);
        const err = res.body['error'] as { code: string; message: string };
        assert.equal(err.code, 'unsupported_media_type');
        assert.match(err.message, /application\/json/);
      }
    }
    const ref = await call(base, 'PUT', '/v1/models/a2/versions/1/reference', 'x\n1\n', { 'content-type': 'text/plain' });
    assert.equal(ref.status, 415, JSON.stringify(ref.body));
    assert.match((ref.body['error'] as { message: string }).message, /text\/csv/);
    // An empty body is no body: a POST that takes none still works whatever its (default) type.
    const run = await call(base, 'POST', '/v1/monitors/run', '', { 'content-type': 'text/plain' });
    assert.equal(run.status, 200, JSON.stringify(run.body));
  });

  test('a monitor pinned to a version the model does not have is refused with the known versions; a window is at most 90 days', async () => {
    const monitor = { model: 'a2', metric: 'throughput', window: '1h', minSamples: 0, levels: [{ severity: 'page', threshold: 10 }] };
    const res = await call(base, 'POST', '/v1/monitors', { ...monitor, id: 'v9', version: '9' });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    const err = res.body['error'] as { code: string; message: string };
    assert.equal(err.code, 'validation_failed');
    assert.match(err.message, /version "9".*known: 1/);
    assert.equal((await call(base, 'GET', '/v1/monitors/v9')).status, 404);
    assert.equal((await call(base, 'POST', '/v1/monitors', { ...monitor, id: 'v1', version: '1' })).status, 201);
    const long = await call(base, 'POST', '/v1/monitors', { ...monitor, id: 'long', window: '100000d' });
    assert.equal(long.status, 400, JSON.stringify(long.body));
    assert.match((long.body['error'] as { message: string }).message, /"window" must be at most 90d/);
    assert.equal((await call(base, 'POST', '/v1/monitors', { ...monitor, id: 'ninety', window: '90d' })).status, 201);
    await call(base, 'DELETE', '/v1/monitors/ninety');
    await call(base, 'DELETE', '/v1/monitors/v1');
  });

  test('a monitor of a segment without events in its window says so in the evaluation, not just "insufficient data"', async () => {
    const monitor = { id: 'seg-none', model: 'a2', metric: 'latencyP95', segment: 'region=nowhere', window: '1h', minSamples: 1, levels: [{ severity: 'page', threshold: 100 }] };
    assert.equal((await call(base, 'POST', '/v1/monitors', monitor)).status, 201);
    assert.equal((await call(base, 'POST', '/v1/monitors/run', {})).status, 200);
    const evals = await call(base, 'GET', `/v1/monitors/seg-none/evaluations?from=${NOW - 2 * HOUR}&to=${NOW + 1}`);
    const list = evals.body['evaluations'] as Array<{ status: string; detail: { note?: string } }>;
    assert.ok(list.length > 0, JSON.stringify(evals.body));
    for (const e of list) {
      assert.equal(e.status, 'insufficient_data');
      assert.match(e.detail.note ?? '', /no events of segment "region=nowhere"/);
    }
    await call(base, 'DELETE', '/v1/monitors/seg-none');
  });
});
