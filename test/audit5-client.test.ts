import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { LookoutClient, type LookoutClientError } from '../src/client/index.js';
import type { Server } from '../src/server.js';
import { call, poster, testServer } from './helpers/server.js';

interface RowAnswer { index: number; id?: string; status: string; code?: string; message?: string }

describe('ingest and client audit 5', { timeout: 60_000 }, () => {
  let s: Server;
  let post: (path: string, body: unknown) => Promise<Record<string, unknown>>;
  before(async () => {
    s = await testServer({ configure: (c) => { c.ingest.sampleRate = 1; } });
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

  test('a timestamp in epoch microseconds or nanoseconds is refused naming the unit and the milliseconds to send', async () => {
    // Before: microseconds were "timestamp is too far in the future", nanoseconds the generic "must be an RFC 3339
    // date-time ... or epoch milliseconds": neither said what was wrong with a number that is the right time.
    const ms = Date.now();
    const rows = [ms * 1000 + 456, ms * 1_000_000].map((timestamp, i) => ({ id: `unit-${i}`, model: 'm', version: '1', timestamp, features: { x: 1 }, prediction: '1' }));
    const r = await call(s.url, 'POST', '/v1/events', { events: rows });
    const results = r.body['results'] as RowAnswer[];
    assert.deepEqual(results.map((x) => x.code), ['invalid_timestamp', 'invalid_timestamp']);
    const iso = new Date(ms).toISOString();
    assert.equal(results[0]?.message, `timestamp ${ms * 1000 + 456} is epoch microseconds (${iso}): send epoch milliseconds (${ms}) or an RFC 3339 date-time`);
    assert.match(results[1]?.message ?? '', new RegExp(`is epoch nanoseconds \\(${iso.replaceAll('.', '\\.')}\\): send epoch milliseconds \\(${ms}\\)`));
  });

  test('an event object with a toJSON() method (a class instance) is sent as toJSON() gives it, with the id log() returned', async () => {
    // Before: when log() filled the id or timestamp it copied the object's own fields ({...event}), which drops an
    // inherited toJSON: the row went out as the instance's private fields (here a password) and was rejected
    // ("model must be a string"); with an id on the instance but not in toJSON(), the server stored another id than
    // the one log() returned, and label() of it was rejected unknown_prediction.
    class Inference {
      readonly password = 'hunter2';
      constructor(readonly x: number, readonly id?: string) {}
      toJSON(): Record<string, unknown> {
        return { model: 'm', version: '1', features: { x: this.x }, prediction: '1' };
      }
    }
    const errors: LookoutClientError[] = [];
    const client = new LookoutClient({ url: s.url, onError: (e) => errors.push(e) });
    const log = client.log.bind(client) as (e: unknown) => string;
    const t0 = Date.now();
    const ids = [log(new Inference(41)), log(new Inference(42, 'own-id'))];
    for (const id of ids) client.label(id, '1');
    await client.close();
    assert.deepEqual(errors.map((e) => e.message), []);
    assert.deepEqual([client.stats().events.sent, client.stats().labels.sent], [2, 2]);
    const r = await call(s.url, 'GET', `/v1/models/m/events?from=${t0 - 60_000}&to=${Date.now() + 60_000}`);
    const stored = (r.body['events'] as Array<Record<string, unknown>>).filter((e) => ids.includes(e['id'] as string));
    assert.deepEqual(stored.map((e) => e['features']).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))), [{ x: 41 }, { x: 42 }]);
    assert.ok(!JSON.stringify(r.body).includes('hunter2'), 'private fields are not sent');
  });

  test('queue-full drops are reported to onError within a second, not only when the batch in flight settles (minutes against a hanging server)', async () => {
    // Before: drops were reported when the next batch was formed, i.e. after the batch in flight settled: against a
    // server that accepts connections but never answers (defaults: 9 attempts of 10 s plus backoff, ~2 minutes) 40
    // dropped events reached onError only after the request's 5 s timeout here, and never if the process died first.
    const hang = createServer(() => undefined);
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    try {
      const errors: Array<{ kind: string; count: number; at: number }> = [];
      const client = new LookoutClient({
        url: `http://127.0.0.1:${(hang.address() as AddressInfo).port}`, maxBatch: 10, maxQueue: 10, timeoutMs: 5_000, maxRetries: 0,
        onError: (e) => errors.push({ kind: e.kind, count: e.count, at: Date.now() }),
      });
      const ev = (i: number): Record<string, unknown> => ({ model: 'm', version: '1', features: { x: i }, prediction: '1' });
      const log = client.log.bind(client) as (e: unknown) => string;
      for (let i = 0; i < 10; i++) log(ev(i));
      const deadline = Date.now() + 2_000;
      while (client.stats().inFlight < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      const t0 = Date.now();
      for (let i = 0; i < 50; i++) log(ev(i));
      assert.equal(client.stats().dropped, 40);
      while (errors.length === 0 && Date.now() < t0 + 3_000) await new Promise((r) => setTimeout(r, 20));
      assert.deepEqual(errors.map((e) => [e.kind, e.count]), [['dropped', 40]]);
      assert.ok((errors[0]?.at ?? Infinity) - t0 < 1_500, `reported after ${(errors[0]?.at ?? Infinity) - t0} ms`);
      await client.close({ timeoutMs: 0 });
      assert.deepEqual(errors.map((e) => [e.kind, e.count]), [['dropped', 40], ['failed', 10], ['failed', 10]], 'each drop reported once');
    } finally {
      hang.closeAllConnections();
      await new Promise((r) => hang.close(r));
    }
  });

  test('a gzip (deflate, br) compressed batch is read, not refused as "not valid JSON"; an unknown or broken encoding is named', async () => {
    // Before: a body sent with Content-Encoding: gzip (log shippers, proxies, a client saving bandwidth on 4 MB
    // batches) was answered 400 invalid_json "Body is not valid JSON but content-type is set to 'application/json'":
    // the whole batch refused, for a reason it did not have.
    const rows = (tag: string): string => JSON.stringify({ events: Array.from({ length: 200 }, (_, i) => ({ id: `${tag}-${i}`, model: 'm', version: '1', features: { x: i }, prediction: '1' })) });
    const send = async (body: Uint8Array | string, encoding: string): Promise<{ status: number; body: Record<string, unknown> }> =>
      call(s.url, 'POST', '/v1/events', body, { 'content-type': 'application/json', 'content-encoding': encoding });
    for (const [encoding, zip] of [['gzip', gzipSync], ['deflate', deflateSync], ['br', brotliCompressSync]] as const) {
      const r = await send(zip(rows(encoding)), encoding);
      assert.deepEqual([r.status, r.body['accepted'], r.body['rejected']], [200, 200, 0], `${encoding}: ${JSON.stringify(r.body).slice(0, 200)}`);
    }
    const labels = await call(s.url, 'POST', '/v1/labels', gzipSync(JSON.stringify({ labels: [{ id: 'gzip-0', label: '1' }] })), { 'content-type': 'application/json', 'content-encoding': 'GZIP' });
    assert.deepEqual([labels.status, labels.body['accepted']], [200, 1]);
    const unknown = await send(rows('zstd'), 'zstd');
    assert.equal(unknown.status, 415);
    assert.deepEqual(unknown.body, { error: { code: 'unsupported_media_type', message: 'Content-Encoding "zstd" is not supported: send the body uncompressed, or with gzip, deflate or br', details: {} } });
    const broken = await send(rows('plain'), 'gzip');
    assert.equal(broken.status, 400);
    assert.equal((broken.body['error'] as { code: string }).code, 'bad_request');
    assert.match((broken.body['error'] as { message: string }).message, /^the body is not valid gzip/);
    // Decompressed, a body is held to the same 16 MiB limit (a small "zip bomb" is refused, not inflated in memory).
    const bomb = gzipSync(JSON.stringify({ events: [{ model: 'm', version: '1', features: { x: 'y'.repeat(20 * 1024 * 1024) } }] }));
    assert.ok(bomb.length < 100_000);
    const big = await send(bomb, 'gzip');
    assert.deepEqual([big.status, (big.body['error'] as { code: string }).code], [413, 'payload_too_large']);
  });

  test('an id already stored for another model is answered duplicate_id naming that model (ids are unique across models), not as a retry', async () => {
    // Before: a request id used as the prediction id of two models (one request scored by two models) had the second
    // model's event answered 'an event with id "req-1" is already stored (not stored again)', which reads as a retried
    // batch; nothing said the id belonged to another model's prediction.
    await post('/v1/models', { name: 'other', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object' } });
    await post('/v1/models/other/versions', { version: '1' });
    const row = (model: string, id: string): Record<string, unknown> => ({ id, model, version: '1', features: { x: 1 }, prediction: '1' });
    assert.equal((await post('/v1/events', [row('m', 'req-1'), row('m', 'req-2')]))['accepted'], 2);
    const r = await post('/v1/events', [row('other', 'req-1'), row('m', 'req-2'), row('other', 'req-3')]);
    assert.deepEqual((r['results'] as RowAnswer[]).map((x) => [x.id, x.status, x.code ?? null, x.message ?? null]), [
      ['req-1', 'rejected', 'duplicate_id', 'an event with id "req-1" is already stored, a prediction of model "m" (ids are unique across all models: a label finds its prediction by id alone); not stored again'],
      ['req-2', 'rejected', 'duplicate_id', 'an event with id "req-2" is already stored (not stored again)'],
      ['req-3', 'accepted', null, null],
    ]);
  });
});
