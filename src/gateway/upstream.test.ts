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
  });
});
