import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { LookoutClient, type ClientEvent, type LookoutClientError } from '../src/client/index.js';
import type { Server } from '../src/server.js';
import { poster, testServer } from './helpers/server.js';

/** What the gate answers itself; undefined: the request goes on to the real Lookout server. */
type Answer = { status: number; headers?: Record<string, string>; body?: string } | undefined;

interface Gate {
  url: string;
  /** Each request's path, body size in bytes and the status answered. */
  log: Array<{ path: string; bytes: number; status: number; at: number }>;
  close(): Promise<void>;
}

const gates: Gate[] = [];

/**
 * A loopback HTTP server in front of the real Lookout server (a proxy, a load balancer): `decide` answers a request
 * itself (429 + Retry-After, 413), or lets it through to `target()`, whose answer goes back unchanged.
 */
async function gate(target: () => string, decide: (n: number, req: IncomingMessage, bytes: number) => Answer): Promise<Gate> {
  const log: Gate['log'] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const entry = { path: req.url ?? '', bytes: body.length, status: 0, at: Date.now() };
      log.push(entry);
      const own = decide(log.length, req, body.length);
      if (own) {
        entry.status = own.status;
        res.writeHead(own.status, { 'content-type': 'application/json', ...own.headers });
        res.end(own.body ?? JSON.stringify({ error: { code: 'rate_limited', message: 'the gate refused it' } }));
        return;
      }
      void fetch(target() + (req.url ?? ''), { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(async (r) => {
        entry.status = r.status;
        const text = await r.text();
        res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
        res.end(text);
      }, (err: unknown) => {
        entry.status = 502;
        res.writeHead(502).end(String(err));
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const g: Gate = {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
  gates.push(g);
  return g;
}

const tooMany = (retryAfter: string): Answer => ({ status: 429, headers: { 'retry-after': retryAfter } });
const ev = (i: number, extra: Record<string, unknown> = {}): ClientEvent => ({ model: 'bin', version: '1', features: { x: i, ...extra }, prediction: i % 2 === 0 ? '0' : '1', score: 0.5 });
const SCHEMA = { type: 'object', properties: { x: { type: 'number' }, pad: { type: 'string' } } };

describe('audit 25 (client): overload, 413 learning, refusal and failure messages', { timeout: 60_000 }, () => {
  let s: Server;
  const post = poster(() => s.url);
  const stored = async (ids: string[]): Promise<string[]> => (await s.deps.store.getEvents(ids)).map((e) => e.id).sort();

  before(async () => {
    s = await testServer();
    await post('/v1/models', { name: 'bin', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
    await post('/v1/models/bin/versions', { version: '1' });
  });
  after(async () => {
    await Promise.all(gates.splice(0).map((g) => g.close()));
    await s.close();
  });

  test('an overload longer than the retry budget (429 + Retry-After, 20 times, default maxRetries 8): no row is lost, log() never waits (was: the batch failed after 9 attempts)', async () => {
    const g = await gate(() => s.url, (n) => (n <= 20 ? tooMany('0.02') : undefined));
    const errors: LookoutClientError[] = [];
    const c = new LookoutClient({ url: g.url, maxBatch: 50, flushIntervalMs: 10, backoff: { initialMs: 1, maxMs: 5 }, onError: (e) => errors.push(e) });
    const ids: string[] = [];
    for (let round = 0; round < 4; round++) {
      const t0 = performance.now();
      for (let i = 0; i < 50; i++) ids.push(c.log(ev(round * 50 + i)));
      assert.ok(performance.now() - t0 < 200, 'log() is not held by the overload');
      await new Promise((r) => setTimeout(r, 60));
    }
    await c.close();
    assert.deepEqual(errors.map((e) => e.message), []);
    const st = c.stats();
    assert.deepEqual([st.sent, st.failed, st.dropped, st.rejected], [200, 0, 0, 0]);
    assert.ok(st.retries >= 20, `retries ${st.retries}`);
    assert.deepEqual(await stored(ids), [...ids].sort(), 'every row stored once');
    // Retry-After 0.02 s is above backoff.maxMs (5 ms) and was waited in full (was: cut to maxMs)
    const refusals = g.log.filter((r) => r.status === 429);
    for (let i = 1; i < refusals.length; i++) {
      const gap = (refusals[i]?.at ?? 0) - (refusals[i - 1]?.at ?? 0);
      assert.ok(gap >= 15, `retry ${i} came ${gap} ms after the 429 asking for 20 ms`);
    }
  });

  test('overload: the queue bounds still hold (oldest dropped, counted, reported), the newest rows are delivered', async () => {
    let open = false;
    const g = await gate(() => s.url, () => (open ? undefined : tooMany('0.02')));
    const errors: LookoutClientError[] = [];
    const c = new LookoutClient({ url: g.url, maxBatch: 10, maxQueue: 30, flushIntervalMs: 5, backoff: { initialMs: 1, maxMs: 5 }, maxRetries: 1, onError: (e) => errors.push(e) });
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) ids.push(c.log(ev(1000 + i)));
    await new Promise((r) => setTimeout(r, 300)); // well past maxRetries 1 of the old budget
    open = true;
    await c.close();
    const st = c.stats();
    assert.equal(st.failed, 0);
    assert.equal(st.sent + st.dropped, 100);
    assert.ok(st.dropped >= 60, `dropped ${st.dropped}`);
    const drops = errors.filter((e) => e.kind === 'dropped');
    assert.equal(drops.reduce((a, e) => a + e.count, 0), st.dropped);
    for (const d of drops) assert.match(d.message, d.count === 1 ? /^1 event dropped: the queue was full/ : /^\d+ events dropped: the queue was full/);
    const kept = await stored(ids);
    assert.equal(kept.length, st.sent);
    assert.ok(kept.includes(ids[99] as string), 'the newest row is delivered');
  });

  test('maxRetryAgeMs bounds the wait: past it, paced retries use maxRetries and the batch fails, saying why', async () => {
    const g = await gate(() => s.url, () => tooMany('0.03'));
    const errors: LookoutClientError[] = [];
    const c = new LookoutClient({ url: g.url, maxRetryAgeMs: 200, maxRetries: 2, backoff: { initialMs: 1, maxMs: 5 }, onError: (e) => errors.push(e) });
    c.log(ev(1));
    const t0 = Date.now();
    await c.flush();
    const took = Date.now() - t0;
    assert.ok(took >= 200 && took < 3000, `gave up after ${took} ms`);
    assert.ok(g.log.length >= 4, `attempts ${g.log.length}: paced retries within 200 ms did not count`);
    assert.deepEqual(c.stats().events.failed, 1);
    const msg = errors[0]?.message ?? '';
    assert.match(msg, /^1 event not delivered \(gave up after \d+ attempts in \d+\.\d s: the server asked to wait \(Retry-After\) for longer than maxRetryAgeMs 200 ms, then for maxRetries 2 more\)/, msg);
    await c.close();
  });

  test('a Retry-After far above the bound is capped at maxRetryAgeMs (not waited for an hour); Retry-After: 0 is not a pacing (counts, no free spinning)', async () => {
    const g = await gate(() => s.url, () => tooMany('3600'));
    const c = new LookoutClient({ url: g.url, maxRetryAgeMs: 150, maxRetries: 1, backoff: { initialMs: 1, maxMs: 20 } });
    c.log(ev(2));
    const t0 = Date.now();
    await c.flush();
    assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
    assert.equal(c.stats().failed, 1);
    await c.close();

    const z = await gate(() => s.url, () => tooMany('0'));
    const c0 = new LookoutClient({ url: z.url, maxRetries: 2, backoff: { initialMs: 1, maxMs: 5 } });
    c0.log(ev(3));
    await c0.flush();
    assert.equal(z.log.length, 3, 'Retry-After: 0 retries use maxRetries');
    assert.equal(c0.stats().failed, 1);
    await c0.close();
  });

  test('413: the body size learned by splitting is kept for the later batches, which are sent without a 413 first (was: every batch 413 then split)', async () => {
    const limit = 8 * 1024;
    const g = await gate(() => s.url, (_n, _req, bytes) => (bytes > limit ? { status: 413, body: '<html>413 Request Entity Too Large</html>' } : undefined));
    const errors: LookoutClientError[] = [];
    const c = new LookoutClient({ url: g.url, maxBatch: 500, flushIntervalMs: 60_000, onError: (e) => errors.push(e) });
    const pad = 'p'.repeat(200);
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) ids.push(c.log(ev(i, { pad })));
    await c.flush();
    const first = g.log.length;
    assert.ok(g.log.some((r) => r.status === 413), 'the first batch taught the limit');
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 100; i++) ids.push(c.log(ev(i, { pad })));
      await c.flush();
    }
    const later = g.log.slice(first);
    assert.deepEqual(later.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.bytes}`), [], 'no 413 after the first batch');
    const bytes = later.reduce((a, r) => a + r.bytes, 0);
    // at least half the limit per request (the largest body that got through): not one row per request
    assert.ok(later.length <= Math.ceil(bytes / (limit / 2)) + 3, `${later.length} requests for ${bytes} bytes`);
    assert.deepEqual(errors.map((e) => e.message), []);
    assert.deepEqual(await stored(ids), [...ids].sort());
    await c.close();
  });

  test('label() refusals show the id and the label they got (was: "a label needs the prediction id", no value)', () => {
    const errors: LookoutClientError[] = [];
    const c = new LookoutClient({ url: 'http://127.0.0.1:1', onError: (e) => errors.push(e) });
    c.label(12345 as unknown as string, 1);
    c.label('', 1);
    c.label('x'.repeat(5000), 1);
    c.label(undefined as unknown as string, 1);
    c.label('pred-7', Number.NaN);
    c.label('pred-8', { a: 1 } as unknown as string);
    c.label('pred-9', null as unknown as string);
    c.label('pred-10', 5n as unknown as number);
    const m = errors.map((e) => e.message);
    assert.deepEqual(errors.map((e) => [e.kind, e.endpoint, e.count]), Array.from({ length: 8 }, () => ['invalid', 'labels', 1]));
    assert.match(m[0] ?? '', /prediction id must be a string of 1 to 128 characters \(got the number 12345: send String\(id\), "12345"\)/);
    assert.match(m[1] ?? '', /\(got ""\)$/);
    assert.match(m[2] ?? '', /\(got 5000 characters\)$/);
    assert.ok((m[2] ?? '').length < 300, 'a long id is not copied into the message');
    assert.match(m[3] ?? '', /\(got undefined\)$/);
    assert.match(m[4] ?? '', /^label of pred-7 must be a string, a finite number or a boolean \(got NaN\)$/);
    assert.match(m[5] ?? '', /label of pred-8 .* \(got an object\)$/);
    assert.match(m[6] ?? '', /label of pred-9 .* \(got null\)$/);
    assert.match(m[7] ?? '', /label of pred-10 .* \(got the bigint 5n: send Number\(label\) or String\(label\)\)$/);
    assert.equal(c.stats().labels.rejected, 8);
    void c.close();
  });

  test('failure reports count "1 event", "3 events", "1 label" (was: "1 events rows")', async () => {
    const g = await gate(() => s.url, (_n, req) => (req.url === '/v1/labels' ? { status: 400, body: '{"error":{"code":"bad","message":"no"}}' } : undefined));
    const errors: LookoutClientError[] = [];
    const c = new LookoutClient({ url: g.url, maxBatch: 3, onError: (e) => errors.push(e) });
    const ok = c.log({ ...ev(1), id: 'a25-w1' });
    c.log({ ...ev(2), model: 'nope' });
    await c.flush(); // 1 of 2 events rejected
    c.label(ok, '1');
    await c.flush(); // 1 label not delivered
    await c.close();
    c.log(ev(3)); // 1 event dropped: logged after close()
    c.label(ok, '0');
    const m = errors.map((e) => e.message);
    assert.match(m[0] ?? '', /^1 of 2 events rejected by the server/);
    assert.match(m[1] ?? '', /^1 label not delivered \(not retryable\)/);
    assert.match(m[2] ?? '', /^1 event dropped: logged after close\(\)/);
    assert.match(m[3] ?? '', /^1 label dropped: logged after close\(\)/);
    for (const msg of m) assert.doesNotMatch(msg, /\b(events?|labels?) rows?\b/, msg);
  });
});
