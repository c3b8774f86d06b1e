import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LookoutClient, type ClientEvent, type LookoutClientError } from '../src/client/index.js';

interface Loopback {
  url: string;
  requests: number;
  close(): Promise<void>;
}

const servers: Loopback[] = [];

/** A node:http server on a loopback port; `handler` gets the request number (1, 2, ...). */
async function listen(handler: (n: number, req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<Loopback> {
  const state = { requests: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(++state.requests, req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const lb: Loopback = {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  servers.push(lb);
  return lb;
}

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const ev = (i: number): ClientEvent => ({ model: 'm', version: '1', features: { x: i }, prediction: '1' });

describe('lookout/client audit', { timeout: 60_000 }, () => {
  after(() => Promise.all(servers.splice(0).map((s) => s.close())));

  test('close({ timeoutMs }) reached while a batch waits for its retry: no new request is made, close keeps its deadline', async () => {
    // The first attempt is answered 503 with Retry-After: 2 s; any later request hangs (longer than the deadline).
    const srv = await listen((n, _req, res) => {
      if (n === 1) {
        res.writeHead(503, { 'retry-after': '2', 'content-type': 'application/json' });
        res.end('{"error":{"code":"unavailable","message":"busy"}}');
      }
    });
    const errors: LookoutClientError[] = [];
    const timeoutMs = 8000;
    const client = new LookoutClient({ url: srv.url, flushIntervalMs: 1, timeoutMs, onError: (e) => errors.push(e) });
    for (let i = 0; i < 10; i++) client.log(ev(i));
    await waitFor(() => client.stats().retries === 1); // the batch now sleeps before its retry
    const deadline = 200;
    const t0 = Date.now();
    await client.close({ timeoutMs: deadline });
    const ms = Date.now() - t0;
    assert.ok(ms < deadline + 1500, `close({ timeoutMs: ${deadline} }) took ${ms} ms`);
    assert.equal(srv.requests, 1, 'no request is started after the deadline');
    const st = client.stats();
    assert.deepEqual([st.failed, st.sent, st.queued, st.inFlight], [10, 0, 0, 0]);
    assert.ok(errors.some((e) => e.kind === 'failed' && /deadline/.test(e.message)), errors.map((e) => e.message).join('; '));
  });

  test('an async onError that rejects does not become an unhandled rejection (which would end the process)', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => void unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const srv = await listen((_n, _req, res) => {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end('{"error":{"code":"bad_request","message":"no"}}');
      });
      let calls = 0;
      const client = new LookoutClient({
        url: srv.url,
        onError: async () => {
          calls++;
          await Promise.resolve();
          throw new Error('the logger is down');
        },
      });
      assert.equal(client.log(null as unknown as ClientEvent), ''); // refused synchronously, in the caller's path
      client.log(ev(1)); // failed in the background (400)
      await client.close();
      client.log(ev(2)); // dropped: closed
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(calls, 3);
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  test('a 2xx answer that is not a Lookout ingest answer (wrong url) counts the rows as failed, not as sent', async () => {
    // e.g. the url of another service, or of a proxy's catch-all page, that answers 200 to any POST and stores nothing
    for (const [type, body] of [['text/html', '<html><body>Welcome</body></html>'], ['application/json', '{"ok":true}'], ['text/plain', '']]) {
      const srv = await listen((_n, _req, res) => {
        res.writeHead(200, { 'content-type': type as string });
        res.end(body);
      });
      const errors: LookoutClientError[] = [];
      const client = new LookoutClient({ url: srv.url, onError: (e) => errors.push(e) });
      for (let i = 0; i < 5; i++) client.log(ev(i));
      await client.close();
      const st = client.stats();
      assert.deepEqual([st.sent, st.failed, st.retries], [0, 5, 0], `answer ${JSON.stringify(body)}`);
      assert.equal(errors.length, 1);
      assert.equal(errors[0]?.kind, 'failed');
      assert.equal(errors[0]?.count, 5);
      assert.match(errors[0]?.message ?? '', /HTTP 200/);
      await srv.close();
    }
  });

  test('a url fetch can never request (no http(s) scheme, credentials) makes the constructor throw, as a malformed one', async () => {
    // 'lookout:8080' parses as a URL of scheme "lookout:"; before, every batch was retried maxRetries times and then failed.
    for (const url of ['lookout:8080', 'localhost:8080', 'ftp://lookout:8080', 'http://user:secret@lookout:8080']) {
      assert.throws(() => new LookoutClient({ url }), TypeError, url);
    }
    for (const url of ['http://lookout:8080', 'HTTPS://lookout.example.com/base/']) assert.doesNotThrow(() => new LookoutClient({ url }));
  });

  test('audit 23: an API path as the url (the events endpoint) makes the constructor throw, naming the part to drop', () => {
    // before, it posted to /v1/events/v1/events: a 404 "no route" at every flush, every row failed
    for (const [url, part] of [['http://lookout:8080/v1/events', '/v1/events'], ['http://lookout:8080/v1/labels/', '/v1/labels'], ['http://proxy/lookout/v1', '/v1']] as const) {
      assert.throws(() => new LookoutClient({ url }), (e: unknown) => e instanceof TypeError && e.message.includes(`drop "${part}"`) && e.message.includes('base URL'), url);
    }
    // a prefix that only looks like one is a prefix
    for (const url of ['http://proxy/v1x/', 'http://proxy/v1/events-proxy', 'http://proxy/api/v2']) assert.doesNotThrow(() => new LookoutClient({ url }), url);
  });

  test('413 from a proxy with a smaller body limit (nginx: 1 MB): the batch is split and delivered, only a row too large alone fails', async () => {
    const limit = 8 * 1024; // bytes of body the "proxy" lets through
    const stored: string[] = [];
    let tooLarge = 0;
    const srv = await listen((_n, _req, res, body) => {
      if (Buffer.byteLength(body) > limit) {
        tooLarge++;
        res.writeHead(413, { 'content-type': 'text/html' });
        res.end('<html><head><title>413 Request Entity Too Large</title></head></html>');
        return;
      }
      const rows = (JSON.parse(body) as { events: Array<{ id: string }> }).events;
      stored.push(...rows.map((r) => r.id));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ accepted: rows.length, rejected: 0, results: rows.map((r, index) => ({ index, id: r.id, status: 'accepted' })) }));
    });
    const errors: LookoutClientError[] = [];
    const client = new LookoutClient({ url: srv.url, maxBatch: 500, flushIntervalMs: 60_000, onError: (e) => errors.push(e) });
    const pad = 'x'.repeat(200);
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) ids.push(client.log({ ...ev(i), features: { x: i, pad } }));
    const big = client.log({ ...ev(100), features: { x: 100, pad: 'y'.repeat(limit) } }); // larger than the limit on its own
    for (let i = 101; i < 150; i++) ids.push(client.log({ ...ev(i), features: { x: i, pad } }));
    await client.close();
    assert.ok(tooLarge > 0, 'the server refused the first, whole batch');
    assert.deepEqual(stored, ids, 'every row that fits is stored once, in order');
    const st = client.stats();
    assert.deepEqual([st.sent, st.failed, st.rejected, st.queued, st.inFlight], [149, 1, 0, 0, 0]);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.kind, 'failed');
    assert.equal(errors[0]?.count, 1);
    assert.match(errors[0]?.message ?? '', /413/);
    assert.ok(!stored.includes(big));
  });

  test('an event whose timestamp is an invalid Date or a non-finite number is refused, not stored at the time the server receives it', async () => {
    // JSON turns both into null, which the server reads as "no timestamp": now, its own clock, maybe minutes later.
    const bodies: string[] = [];
    const srv = await listen((_n, _req, res, body) => {
      bodies.push(body);
      const rows = (JSON.parse(body) as { events: Array<{ id: string }> }).events;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ accepted: rows.length, rejected: 0, results: rows.map((r, index) => ({ index, id: r.id, status: 'accepted' })) }));
    });
    const errors: LookoutClientError[] = [];
    const client = new LookoutClient({ url: srv.url, onError: (e) => errors.push(e) });
    const bad = [new Date('not a date'), Number.NaN, Number.POSITIVE_INFINITY];
    for (const timestamp of bad) assert.doesNotThrow(() => client.log({ ...ev(1), timestamp }));
    const when = new Date(Date.UTC(2026, 0, 31, 12));
    const good = [client.log({ ...ev(2), timestamp: when }), client.log({ ...ev(3), timestamp: when.getTime() }), client.log(ev(4))];
    await client.close();
    const st = client.stats();
    assert.deepEqual([st.rejected, st.sent], [bad.length, good.length]);
    assert.equal(errors.length, bad.length);
    assert.ok(errors.every((e) => e.kind === 'invalid' && e.count === 1 && /timestamp/.test(e.message)), errors.map((e) => e.message).join('; '));
    const rows = bodies.flatMap((b) => (JSON.parse(b) as { events: Array<{ id: string; timestamp: unknown }> }).events);
    assert.deepEqual(rows.map((r) => r.id), good);
    assert.deepEqual(rows.slice(0, 2).map((r) => r.timestamp), [when.toISOString(), when.getTime()]);
  });
});
