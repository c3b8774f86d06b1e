import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, test } from 'node:test';
import { UpstreamClients, UpstreamError } from './upstream.js';

describe('issue 5: upstream client', () => {
  const clients = new UpstreamClients();
  const servers: http.Server[] = [];
  after(async () => {
    await clients.close();
    for (const s of servers) s.closeAllConnections();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });
  const serve = async (handler: http.RequestListener): Promise<string> => {
    const s = http.createServer(handler);
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(s.address() as AddressInfo).port}/p`;
  };
  const kind = async (p: Promise<unknown>): Promise<string> => {
    try {
      await p;
      return 'ok';
    } catch (e) {
      return e instanceof UpstreamError ? e.kind : `other: ${String(e)}`;
    }
  };

  test('answers are parsed; errors are classified; a hung upstream is cut at the deadline', async () => {
    const ok = await serve((req, res) => req.resume().on('end', () => res.end('{"prediction":"yes","score":0.8,"scores":[0.2,0.8]}')));
    const r = await clients.predict(ok, '{"features":{}}', 1000);
    assert.deepStrictEqual({ ...r, latencyMs: 0 }, { prediction: 'yes', score: 0.8, scores: [0.2, 0.8], latencyMs: 0 });
    const hang = await serve(() => undefined);
    const t0 = performance.now();
    assert.equal(await kind(clients.predict(hang, '{}', 150)), 'timeout');
    const took = performance.now() - t0;
    assert.ok(took >= 140 && took < 400, `${took} ms`);
    assert.equal(await kind(clients.predict(await serve((_q, res) => res.writeHead(500).end('boom')), '{}', 500)), 'status');
    assert.equal(await kind(clients.predict(await serve((_q, res) => res.end('{"nope":1}')), '{}', 500)), 'invalid_response');
    assert.equal(await kind(clients.predict(await serve((_q, res) => res.end('not json')), '{}', 500)), 'invalid_response');
    assert.equal(await kind(clients.predict('http://127.0.0.1:1/p', '{}', 500)), 'connection');
    assert.equal(await kind(clients.predict('not a url', '{}', 500)), 'connection');
    assert.equal(await kind(clients.predict('ftp://127.0.0.1/p', '{}', 500)), 'connection');
  });

  test('the deadline also covers a body that never ends and a wait for a pooled connection; oversized answers are refused', async () => {
    // Headers at once, then the body stalls.
    const stalls = await serve((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"prediction":');
    });
    let t0 = performance.now();
    assert.equal(await kind(clients.predict(stalls, '{}', 150)), 'timeout');
    assert.ok(performance.now() - t0 < 400, 'cut at the deadline');
    // One connection, held by a hung request: the next one waits in the pool and must still fail at its deadline.
    const one = new UpstreamClients({ connections: 1 });
    try {
      const hang = await serve(() => undefined);
      const first = kind(one.predict(hang, '{}', 600));
      t0 = performance.now();
      assert.equal(await kind(one.predict(hang, '{}', 150)), 'timeout');
      const took = performance.now() - t0;
      assert.ok(took >= 140 && took < 400, `${took} ms`);
      assert.equal(await first, 'timeout');
    } finally {
      await one.close();
    }
    const huge = await serve((_q, res) => res.end(`{"prediction":"${'x'.repeat(5 * 1024 * 1024)}"}`));
    const e = await clients.predict(huge, '{}', 5000).catch((x: unknown) => x);
    assert.ok(e instanceof UpstreamError && e.kind === 'invalid_response' && /too large/.test(e.message), String(e));
    // Status errors quote the start of the body.
    const e500 = await clients.predict(await serve((_q, res) => res.writeHead(503).end('overloaded')), '{}', 500).catch((x: unknown) => x);
    assert.ok(e500 instanceof UpstreamError && /HTTP 503: overloaded/.test(e500.message), String(e500));
  });
});
