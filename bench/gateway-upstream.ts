/**
 * The upstream model server of bench:gateway, run as its own process: POST {features} -> a fixed binary
 * answer, keep-alive, no work beyond reading the body. Prints "listening on URL" to stdout.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const answer = Buffer.from('{"prediction":"1","score":0.73}');
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
    res.end(answer);
  });
});
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}/predict\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
