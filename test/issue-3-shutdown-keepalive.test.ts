import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { tempDir } from './helpers/cli.js';
import { spawnServe } from './helpers/process.js';
import { call } from './helpers/server.js';

/*
 * A SIGTERM while a kept-alive connection has a request in flight: the request is answered, then the connection is
 * closed and the process exits. Before, Node's server.close() closed only the connections idle at that moment; this one
 * stayed open after its answer until Fastify's keepAliveTimeout (72 s), and `lookout serve` with it: under steady
 * ingest (every client keeps its connections alive) a stop took 72 s, past Kubernetes' 30 s grace period.
 */

const waitFor = async (what: string, ok: () => boolean, ms: number): Promise<void> => {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

test('issue 3: SIGTERM with a kept-alive request in flight: answered, its connection closed, the process exits in seconds, not after the 72 s keep-alive', async () => {
  const srv = await spawnServe(['--data-dir', tempDir('lookout-shutdown-keepalive-')]);
  const model = { name: 'm', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } };
  assert.equal((await call(srv.url, 'POST', '/v1/models', model)).status, 201);
  assert.equal((await call(srv.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);

  const body = JSON.stringify({ events: [{ id: 'in-flight-1', model: 'm', version: '1', features: { x: 1 }, prediction: '1', score: 0.7 }] });
  const { hostname, port } = new URL(srv.url);
  const socket = connect(Number(port), hostname);
  let answer = '';
  let socketClosed = false;
  socket.on('data', (d: Buffer) => (answer += d.toString('utf8')));
  socket.on('close', () => (socketClosed = true));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  // The request's head and half its body: in flight (not idle) when the server starts to close.
  socket.write(`POST /v1/events HTTP/1.1\r\nhost: ${hostname}\r\nconnection: keep-alive\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`);
  socket.write(body.slice(0, 20));
  await new Promise((r) => setTimeout(r, 300));

  let exitCode: number | null | undefined;
  const signalledAt = Date.now();
  void srv.stop('SIGTERM').then((code) => (exitCode = code));
  await waitFor('"shutting down" on stderr', () => /shutting down/.test(srv.stderr()), 10_000);
  await new Promise((r) => setTimeout(r, 300)); // the server's close has begun: idle connections were closed then
  socket.write(body.slice(20));

  await waitFor('the in-flight request answered', () => /\r\n\r\n/.test(answer), 20_000);
  assert.match(answer, /^HTTP\/1\.1 200 /, answer.slice(0, 300));
  assert.match(answer, /"accepted"/);
  await waitFor('the kept-alive connection closed by the server after its answer', () => socketClosed, 10_000);
  await waitFor('the process to exit', () => exitCode !== undefined, 20_000);
  assert.equal(exitCode, 0, srv.stderr());
  assert.ok(Date.now() - signalledAt < 30_000, `exited ${Date.now() - signalledAt} ms after SIGTERM`);
});
