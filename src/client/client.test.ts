import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../config.js';
import { hashKey } from '../http/auth.js';
import { startServer, type Server } from '../server.js';
import { LookoutClient, type ClientEvent, type LookoutClientError } from './index.js';

const unhandled: unknown[] = [];
process.on('unhandledRejection', (e) => unhandled.push(e));

const FAR = 4_102_444_800_000; // 2100-01-01
const KEY = 'test-key-0123456789';

interface Loopback {
  url: string;
  close(): Promise<void>;
}

/** Every loopback server, closed after each suite even when a test fails (an open server would keep the runner alive). */
const servers: Loopback[] = [];
async function closeAll(): Promise<void> {
  await Promise.all(servers.splice(0).map((lb) => lb.close()));
}

/** A node:http server on a loopback port. */
async function listen(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<Loopback> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const lb = {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
  servers.push(lb);
  return lb;
}

/** A fake Lookout that accepts every row and records it. */
async function recorder(opts: { before?: (n: number, res: ServerResponse) => boolean } = {}): Promise<Loopback & { rows: Array<Record<string, unknown>>; requests: number[]; maxConcurrent: number }> {
  const rows: Array<Record<string, unknown>> = [];
  const requests: number[] = [];
  let concurrent = 0;
  const state = { maxConcurrent: 0 };
  const lb = await listen((req, res, body) => {
    concurrent++;
    state.maxConcurrent = Math.max(state.maxConcurrent, concurrent);
    requests.push(Date.now());
    if (opts.before?.(requests.length, res)) {
      concurrent--;
      return;
    }
    const field = req.url === '/v1/labels' ? 'labels' : 'events';
    const batch = (JSON.parse(body) as Record<string, Array<Record<string, unknown>>>)[field] ?? [];
    rows.push(...batch);
    setTimeout(() => {
      concurrent--;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ accepted: batch.length, rejected: 0, results: batch.map((r, index) => ({ index, id: r['id'], status: 'accepted' })) }));
    }, 5);
  });
  return { ...lb, rows, requests, get maxConcurrent() { return state.maxConcurrent; } };
}

/** A port nothing listens on (connections are refused at once). */
async function deadUrl(): Promise<string> {
  const lb = await listen(() => undefined);
  await lb.close();
  return lb.url;
}

async function waitFor(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const ev = (i: number, model = 'm'): ClientEvent => ({ model, version: '1', features: { x: i }, prediction: i % 2 === 0 ? '0' : '1', score: 0.5 });

describe('LookoutClient with the real Lookout server', { timeout: 60_000 }, () => {
  let s: Server;
  const post = async (path: string, body: unknown): Promise<number> => {
    const res = await fetch(s.url + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: JSON.stringify(body) });
    await res.text();
    return res.status;
  };

  before(async () => {
    const c = defaultConfig();
    c.dataDir = mkdtempSync(join(tmpdir(), 'lookout-client-'));
    c.server.port = 0;
    c.auth.keys = [{ name: 'test', sha256: hashKey(KEY), scopes: ['admin'] }];
    s = await startServer({ config: c });
    for (const name of ['m', 'p']) {
      assert.equal(await post('/v1/models', { name, outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } }), 201);
      assert.equal(await post(`/v1/models/${name}/versions`, { version: '1' }), 201);
    }
  });
  after(async () => {
    await closeAll();
    await s.close();
  });

  test('5,000 events and their labels (queued right after them) are stored exactly once; a bad row is rejected, not retried', async () => {
    const errors: LookoutClientError[] = [];
    const client = new LookoutClient({ url: s.url, apiKey: KEY, onError: (e) => errors.push(e) });
    const ids: string[] = [];
    for (let i = 0; i < 5000; i++) ids.push(client.log(ev(i)));
    client.log({ model: 'm', version: '9', features: { x: 1 }, prediction: '1' });
    // Labels right away: the client sends them only once the events before them are settled.
    ids.forEach((id, i) => client.label(id, i % 3 === 0 ? '1' : '0'));
    assert.equal(new Set(ids).size, 5000);
    // issue 3: ids the client fills in are time-ordered (UUID version 7): the store's id index stays small
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    await client.flush();
    const st = client.stats();
    assert.deepEqual(st.events, { queued: 0, inFlight: 0, sent: 5000, rejected: 1, dropped: 0, failed: 0, retries: 0 });
    assert.deepEqual(st.labels, { queued: 0, inFlight: 0, sent: 5000, rejected: 0, dropped: 0, failed: 0, retries: 0 });
    assert.equal(await s.deps.store.countEvents('m'), 5000);
    assert.equal((await s.deps.store.labelledEvents({ model: 'm', from: 0, to: FAR })).length, 5000);
    const day = 86_400_000;
    const health = await fetch(`${s.url}/v1/models/m/health?from=${Date.now() - day}&to=${Date.now() + day}`, { headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(((await health.json()) as Record<string, unknown>)['events'], 5000);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.kind, 'rejected');
    assert.equal(errors[0]?.rejections[0]?.code, 'unknown_version');
    await client.close();
  });

  test('a wrong API key fails the batch at once (401 is not retried)', async () => {
    const errors: LookoutClientError[] = [];
    const client = new LookoutClient({ url: s.url, apiKey: 'wrong', onError: (e) => errors.push(e) });
    for (let i = 0; i < 10; i++) client.log(ev(i));
    await client.close();
    assert.deepEqual([client.stats().failed, client.stats().retries, client.stats().sent], [10, 0, 0]);
    assert.equal(errors[0]?.kind, 'failed');
    assert.match(errors[0]?.message ?? '', /HTTP 401 unauthorized/);
  });

  test('through a flaky proxy (503s, then a lost answer): every event stored exactly once, retries carry the same ids', async () => {
    let n = 0;
    const forwarded: string[] = [];
    const proxy = await listen((req, res, body) => {
      n++;
      if (n <= 3) {
        res.statusCode = 503;
        res.end(JSON.stringify({ error: { code: 'unavailable', message: 'try later' } }));
        return;
      }
      for (const e of (JSON.parse(body) as { events: Array<{ id: string }> }).events) forwarded.push(e.id);
      void fetch(s.url + (req.url ?? ''), { method: 'POST', headers: { 'content-type': 'application/json', authorization: req.headers['authorization'] ?? '' }, body })
        .then(async (up) => {
          const text = await up.text();
          if (n === 4) res.destroy(); // stored upstream, but the answer is lost: the client must retry
          else {
            res.statusCode = up.status;
            res.end(text);
          }
        });
    });
    const client = new LookoutClient({ url: proxy.url, apiKey: KEY, maxBatch: 500, backoff: { initialMs: 5, maxMs: 20 } });
    const ids = new Set<string>();
    for (let i = 0; i < 2000; i++) ids.add(client.log(ev(i, 'p')));
    await client.flush();
    const st = client.stats();
    assert.deepEqual([st.sent, st.rejected, st.failed, st.dropped], [2000, 0, 0, 0]);
    assert.ok(st.retries >= 4, `retries ${st.retries}`);
    assert.equal(await s.deps.store.countEvents('p'), 2000);
    assert.deepEqual(new Set(forwarded), ids);
    assert.equal(forwarded.length, 2500, 'the batch whose answer was lost was sent twice, with the same ids');
    await client.close();
    await proxy.close();
  });
});

describe('LookoutClient when things go wrong', { timeout: 60_000 }, () => {
  after(closeAll);

  test('a server that never answers: log() stays fast, close() ends within the retry budget, rows count as failed', async () => {
    const hang = await listen(() => undefined);
    const opts = { maxBatch: 10_000, maxRetries: 1, timeoutMs: 80, backoff: { initialMs: 10, maxMs: 20 } };
    // log() must not wait for the network nor do work that grows with the queue. Timing on a shared CI machine is
    // noisy (this is not a benchmark), so the bound is loose: 20 µs a call; an O(queue) log() would take minutes.
    const boundMs = 2000;
    const runs: Array<{ client: LookoutClient; errors: LookoutClientError[]; ms: number }> = [];
    while (runs.length < 3 && !runs.some((r) => r.ms < boundMs)) {
      const errors: LookoutClientError[] = [];
      const client = new LookoutClient({ url: hang.url, ...opts, onError: (e) => errors.push(e) });
      for (let i = 0; i < 10_000; i++) client.log(ev(i)); // warm-up; fills one batch, which hangs
      await waitFor(() => client.stats().inFlight === 10_000);
      const events = Array.from({ length: 100_000 }, (_, i) => ev(i)); // built beforehand: only log() is timed
      const t0 = performance.now();
      for (const e of events) client.log(e);
      runs.push({ client, errors, ms: performance.now() - t0 });
    }
    assert.ok(runs.some((r) => r.ms < boundMs), `100k log() calls took ${runs.map((r) => r.ms.toFixed(0)).join(', ')} ms`);
    const t1 = Date.now();
    await Promise.all(runs.map((r) => r.client.close()));
    const closeMs = Date.now() - t1;
    // 11 batches of 10,000 rows each, each at most 2 attempts x 80 ms + 20 ms of backoff (the clients close in parallel).
    const budget = 11 * (2 * opts.timeoutMs + opts.backoff.maxMs);
    assert.ok(closeMs < budget + 3000, `close() took ${closeMs} ms (budget ${budget} ms)`);
    for (const { client, errors } of runs) {
      const st = client.stats();
      assert.deepEqual([st.failed, st.sent, st.dropped, st.queued, st.inFlight, st.retries], [110_000, 0, 0, 0, 0, 11]);
      assert.ok(errors.length === 11 && errors.every((e) => e.kind === 'failed'));
      assert.match(errors[0]?.message ?? '', /gave up after 2 attempts/);
      assert.equal(client.log(ev(0)).length, 36, 'log() after close() still returns an id');
      assert.equal(client.stats().dropped, 1, 'and counts the event as dropped');
    }
    await hang.close();
  });

  test('close({ timeoutMs }) abandons what a hanging server has not taken by the deadline', async () => {
    const hang = await listen(() => undefined);
    const errors: LookoutClientError[] = [];
    const client = new LookoutClient({ url: hang.url, maxBatch: 100, onError: (e) => errors.push(e) }); // default retry budget: minutes
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) ids.push(client.log(ev(i)));
    for (const id of ids.slice(0, 10)) client.label(id, '1');
    await waitFor(() => client.stats().inFlight === 100);
    const t0 = Date.now();
    await client.close({ timeoutMs: 200 });
    const ms = Date.now() - t0;
    assert.ok(ms >= 150 && ms < 3000, `close took ${ms} ms`);
    const st = client.stats();
    assert.deepEqual([st.events.failed, st.labels.failed, st.sent, st.queued, st.inFlight], [1000, 10, 0, 0, 0]);
    assert.ok(errors.every((e) => e.kind === 'failed'));
    assert.ok(errors.some((e) => /deadline/.test(e.message)));
    await hang.close();
  });

  test('queue overflow: maxQueue bounds memory, the oldest events are dropped', async () => {
    const rec = await recorder();
    const client = new LookoutClient({ url: rec.url, maxQueue: 100, flushIntervalMs: 60_000 });
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) ids.push(client.log(ev(i)));
    assert.deepEqual([client.stats().queued, client.stats().dropped], [100, 900]);
    await client.close();
    assert.deepEqual(rec.rows.map((r) => r['id']), ids.slice(900), 'the newest 100 were kept');
    assert.deepEqual([client.stats().sent, client.stats().dropped], [100, 900]);
    await rec.close();

    const errors: LookoutClientError[] = [];
    const down = new LookoutClient({ url: await deadUrl(), maxQueue: 100, maxRetries: 1, backoff: { initialMs: 1, maxMs: 5 }, onError: (e) => errors.push(e) });
    for (let i = 0; i < 1000; i++) down.log(ev(i));
    await down.close();
    const st = down.stats();
    assert.deepEqual([st.dropped, st.failed, st.sent, st.queued], [900, 100, 0, 0]);
    assert.deepEqual(errors.map((e) => [e.kind, e.count]).sort(), [['dropped', 900], ['failed', 100]]);
  });

  test('garbage never throws: it is refused and counted as rejected; good rows still go out', async () => {
    const rec = await recorder();
    let calls = 0;
    const client = new LookoutClient({ url: rec.url, onError: () => { calls++; throw new Error('handler bug'); } });
    const circular: Record<string, unknown> = { x: 1 };
    circular['self'] = circular;
    const getter = Object.defineProperty({}, 'id', { enumerable: true, get() { throw new Error('boom'); } });
    const proxy = new Proxy({}, { get() { throw new Error('trap'); }, ownKeys() { throw new Error('trap'); } });
    const garbage: unknown[] = [undefined, null, 42, 'text', [], Symbol('s'), () => 1, getter, proxy,
      { model: 'm', version: '1', features: circular, prediction: '1' }, { model: 'm', version: '1', features: { n: 10n }, prediction: '1' }];
    const log = client.log.bind(client) as (e: unknown) => string;
    for (const g of garbage) assert.doesNotThrow(() => log(g));
    assert.equal(log(undefined), '');
    const label = client.label.bind(client) as (id: unknown, l: unknown) => void;
    for (const [id, l] of [[undefined, '1'], ['', '1'], ['x'.repeat(200), '1'], ['a', {}], ['a', Number.NaN], ['a', undefined]]) assert.doesNotThrow(() => label(id, l));
    const good = client.log(ev(1));
    client.label(good, '1');
    await client.close();
    const st = client.stats();
    assert.deepEqual([st.events.rejected, st.events.sent, st.labels.rejected, st.labels.sent], [garbage.length + 1, 1, 6, 1]);
    // One call per refused row, except that rows refused while forming a batch (circular, BigInt) are reported together.
    assert.equal(calls, garbage.length + 1 + 6 - 1);
    assert.deepEqual(rec.rows.map((r) => r['id']), [good, good]);
    await rec.close();
  });

  test('429 with Retry-After: the client waits as asked, then delivers', async () => {
    const rec = await recorder({
      before: (n, res) => {
        if (n > 1) return false;
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'rate_limited', message: 'slow down' } }));
        return true;
      },
    });
    const client = new LookoutClient({ url: rec.url, backoff: { initialMs: 1, maxMs: 10_000 } });
    for (let i = 0; i < 20; i++) client.log(ev(i));
    await client.flush();
    const [first, second] = rec.requests;
    const gap = (second ?? 0) - (first ?? 0);
    assert.ok(gap >= 900 && gap < 5000, `retried after ${gap} ms`);
    assert.deepEqual([client.stats().sent, client.stats().retries], [20, 1]);
    await client.close();
    await rec.close();
  });

  test('batches: maxBatch rows go out at once, a partial batch after flushIntervalMs, one request in flight', async () => {
    const rec = await recorder();
    const client = new LookoutClient({ url: rec.url, maxBatch: 50, flushIntervalMs: 100 });
    for (let i = 0; i < 1000; i++) client.log(ev(i));
    await waitFor(() => rec.rows.length === 1000);
    assert.equal(rec.requests.length, 20);
    assert.equal(rec.maxConcurrent, 1);
    const before = rec.requests.length;
    const t0 = Date.now();
    client.log(ev(0));
    await waitFor(() => rec.requests.length === before + 1, 3000); // no flush(): the interval timer sends it
    assert.ok(Date.now() - t0 >= 80, 'a partial batch waits for the interval');
    await client.close();
    await rec.close();
  });

  test('a 400 answer is not retried', async () => {
    const rec = await recorder({ before: (_n, res) => { res.statusCode = 400; res.end('{"error":{"code":"bad_request","message":"no"}}'); return true; } });
    const client = new LookoutClient({ url: rec.url });
    client.log(ev(1));
    await client.close();
    assert.deepEqual([client.stats().failed, client.stats().retries, rec.requests.length], [1, 0, 1]);
    await rec.close();
  });

  test("the timer does not keep the process alive; 'lookout/client' resolves", async () => {
    const url = await deadUrl();
    const code = `import { LookoutClient } from 'lookout/client';
      const c = new LookoutClient({ url: '${url}', flushIntervalMs: 60000 });
      c.log({ model: 'm', version: '1', features: {}, prediction: '1' });
      console.log(c.stats().queued);`;
    const t0 = Date.now();
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', code], { timeout: 20_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    });
    assert.equal(out.trim(), '1');
    assert.ok(Date.now() - t0 < 10_000);
  });

  test('no unhandled rejections', () => {
    assert.deepEqual(unhandled, []);
  });
});
