/**
 * The reference proxy of bench:gateway, run as its own process: node:http in, undici out, nothing else (no framework,
 * no routing, no schema validation, no monitoring, no recording). It parses the request body and re-serialises its
 * features, as the gateway does, forwards them to the upstream with undici's dispatch API (as src/gateway/upstream.ts
 * does) and answers the upstream's answer. What the gateway adds beyond what this adds is Lookout's own cost; what
 * this adds is what two HTTP hops of Node cost on the machine. Args: the upstream URL. Prints "listening on URL" to stdout.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const upstream = new URL(process.argv[2] ?? '');
const pool = new Pool(upstream.origin, { connections: 128, pipelining: 1, keepAliveTimeout: 30_000 });
const headers = { 'content-type': 'application/json', accept: 'application/json' };

const server = http.createServer((req, res) => {
  const body: Buffer[] = [];
  req.on('data', (c: Buffer) => body.push(c));
  req.on('end', () => {
    let payload: string;
    try {
      payload = JSON.stringify({ features: (JSON.parse(Buffer.concat(body).toString('utf8')) as { features: unknown }).features });
    } catch {
      res.writeHead(400).end();
      return;
    }
    const answer: Buffer[] = [];
    // (The handler names undici's controller API by its onRequestStart / onResponseStart, as src/gateway/upstream.ts.)
    pool.dispatch({ path: upstream.pathname, method: 'POST', body: payload, headers }, {
      onRequestStart: () => undefined,
      onResponseStart: () => undefined,
      onResponseData: (_c, chunk) => {
        answer.push(chunk);
      },
      onResponseEnd: () => {
        const out = Buffer.concat(answer);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': out.length }).end(out);
      },
      onResponseError: (_c, e) => {
        res.writeHead(502).end(e.message);
      },
    });
  });
});
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}/\n`);
});
process.on('SIGTERM', () => {
  server.close(() => void pool.close().then(() => process.exit(0)));
});
