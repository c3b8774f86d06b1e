import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { call, poster, testServer } from './helpers/server.js';

interface RowAnswer { index: number; id?: string; status: string; code?: string; message?: string }

describe('ingest and client audit 5', { timeout: 60_000 }, () => {
  let s: Server;
  let post: (path: string, body: unknown) => Promise<Record<string, unknown>>;
  before(async () => {
    s = await testServer();
    post = poster(() => s.url);
    await post('/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
    await post('/v1/models/m/versions', { version: '1' });
  });
  after(() => s.close());

  test('a timestamp in epoch seconds (Python time.time()) is refused naming the time it meant, not stored in January 1970', async () => {
    // Before: 1796354222 (seconds) was read as milliseconds, 1970-01-21T18:59:14Z: accepted, stored 56 years back,
    // invisible to every chart and monitor of the last days, and its label's delay read ~56 years.
    const now = Date.now();
    const secs = Math.floor(now / 1000);
    const rows = [
      { id: 'secs', model: 'm', version: '1', timestamp: secs, features: { x: 1 }, prediction: '1' },
      { id: 'secs-float', model: 'm', version: '1', timestamp: now / 1000, features: { x: 1 }, prediction: '1' },
      { id: 'millis', model: 'm', version: '1', timestamp: now, features: { x: 1 }, prediction: '1' },
      { id: 'epoch', model: 'm', version: '1', timestamp: 0, features: { x: 1 }, prediction: '1' },
      { id: 'text', model: 'm', version: '1', timestamp: '1970-01-21T00:00:00Z', features: { x: 1 }, prediction: '1' },
    ];
    const r = await call(s.url, 'POST', '/v1/events', { events: rows });
    assert.equal(r.status, 200);
    const results = r.body['results'] as RowAnswer[];
    assert.deepEqual(results.map((x) => [x.id, x.status, x.code ?? null]), [
      ['secs', 'rejected', 'invalid_timestamp'], ['secs-float', 'rejected', 'invalid_timestamp'],
      ['millis', 'accepted', null], ['epoch', 'accepted', null], ['text', 'accepted', null],
    ]);
    assert.match(results[0]?.message ?? '', new RegExp(`epoch seconds.*${new Date(secs * 1000).toISOString().slice(0, 16)}.*${secs}000`));
    const q = await call(s.url, 'GET', `/v1/models/m/quality?from=${now - 3_600_000}&to=${now + 60_000}`);
    assert.deepEqual(q.body['rejectedByCode'], { invalid_timestamp: 2 }, 'counted as data-quality events');
  });
});
