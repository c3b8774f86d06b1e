import assert from 'node:assert/strict';
import { createServer, request, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { lookoutAsync } from './helpers/cli.js';
import { testServer } from './helpers/server.js';

/**
 * A reverse proxy that serves the Lookout server under /lookout/ and only for ?tenant=a (as an ingress that routes by
 * path prefix and query might); anything else is 404. It records every path it was asked for.
 */
function prefixProxy(target: string): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const upstream = new URL(target);
  const proxy: HttpServer = createServer((req, res) => {
    const asked = new URL(req.url ?? '/', 'http://proxy');
    seen.push(`${req.method} ${asked.pathname}${asked.search}`);
    if (!asked.pathname.startsWith('/lookout/') || asked.searchParams.get('tenant') !== 'a') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such route');
      return;
    }
    asked.searchParams.delete('tenant');
    const fwd = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: `${asked.pathname.slice('/lookout'.length)}${asked.search}`, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    req.pipe(fwd);
  });
  return new Promise((resolve) => proxy.listen(0, '127.0.0.1', () => {
    const { port } = proxy.address() as AddressInfo;
    resolve({ url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => proxy.close(() => r())) });
  }));
}

describe('audit 2: the CLI behind a proxy', { timeout: 60_000 }, () => {
  let server: Server;
  let proxy: Awaited<ReturnType<typeof prefixProxy>>;
  before(async () => {
    server = await testServer();
    proxy = await prefixProxy(server.url);
  });
  after(async () => {
    await proxy.close();
    await server.close();
  });

  test('audit 2: a --url with a path prefix and a query string reaches the API under the prefix, with the query kept', async () => {
    const url = `${proxy.url}/lookout/?tenant=a`;
    // One command of each API helper: models (cli/api.ts), alerts and silences (cli/http.ts).
    const models = await lookoutAsync(['models', 'list', '--url', url, '--json']);
    assert.equal(models.code, 0, models.stderr);
    assert.deepEqual(JSON.parse(models.stdout), { models: [] });
    const alerts = await lookoutAsync(['alerts', 'list', '--url', url, '--state', 'all']);
    assert.equal(alerts.code, 0, alerts.stderr);
    const silences = await lookoutAsync(['silences', 'list', '--url', url.replace('/?', '?')]);
    assert.equal(silences.code, 0, silences.stderr);
    // models list reads pages (audit 16: limit=500, and after= for the next ones)
    assert.deepEqual(proxy.seen, ['GET /lookout/v1/models?tenant=a&limit=500', 'GET /lookout/v1/alerts?tenant=a&state=all', 'GET /lookout/v1/silences?tenant=a&state=active%2Cpending']);
  });
});
