import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { call } from './helpers/server.js';
import { declareChurn } from './helpers/registry.js';
import { predict } from './helpers/predict.js';
import { startModelServer, type ModelServer } from './helpers/upstream.js';

/*
 * Slowloris: requests that never finish arriving, against a real `lookout serve` and real sockets.
 */

interface Outcome { closedAfterMs: number | 'still open'; answer: string }

/**
 * Opens a connection, writes `first`, then `drip` every 500 ms (if given) and nothing else; resolves when the server
 * closes it, or with 'still open' after `waitMs` (then it is closed by us).
 */
function slowClient(url: string, first: string, waitMs: number, drip?: string): Promise<Outcome> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const t0 = Date.now();
    let answer = '';
    let timer: NodeJS.Timeout | undefined;
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.write(first);
      if (drip !== undefined) timer = setInterval(() => { if (!socket.destroyed) socket.write(drip); }, 500);
    });
    const giveUp = setTimeout(() => {
      clearInterval(timer);
      socket.destroy();
      resolve({ closedAfterMs: 'still open', answer });
    }, waitMs);
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(giveUp);
      clearInterval(timer);
      resolve({ closedAfterMs: Date.now() - t0, answer });
    });
  });
}

// The two suites run side by side (the first mostly waits for timeouts, the second for CLI processes to load), as do
// the first's tests (each on its own connections).
describe('audit 13: timeouts and ports', { concurrency: true }, () => {
  describe('a request that never finishes arriving (server.requestTimeoutSeconds: 2)', { concurrency: true }, () => {
    let srv: RunningServer;
    let upstream: ModelServer;
    before(async () => {
      const dir = tempDir('lookout-audit13-timeouts-');
      const config = join(dir, 'lookout.yaml');
      writeFileSync(config, 'server:\n  requestTimeoutSeconds: 2\nregistry: { tickMs: 0, refreshMs: 0 }\n');
      srv = await spawnServe(['--data-dir', join(dir, 'data'), '--config', config]);
      upstream = await startModelServer({ delayMs: 4_000 });
      await declareChurn(srv.url, [{ version: '1.0.0', upstream: upstream.url }], '1.0.0');
    });
    after(async () => {
      await upstream.close();
      assert.equal(await srv.stop(), 0, srv.stderr());
    });

    test('a body that stalls, headers that stall and headers sent a line at a time: each answered 408 request_timeout and closed (they stayed open for minutes)', async () => {
      // Before: the stalled body was still open after 200 s (a manual check: until the client gave up), the stalled
      // headers for Node's 60 s headersTimeout plus up to 30 s; here all three were 'still open' after 15 s.
      const wait = 15_000;
      const [body, headers, drip] = await Promise.all([
        slowClient(srv.url, 'POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"events":[', wait),
        slowClient(srv.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n', wait),
        slowClient(srv.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\n', wait, 'X-Slow: 1\r\n'),
      ]);
      for (const [what, o] of [['stalled body', body], ['stalled headers', headers], ['dripped headers', drip]] as const) {
        assert.notEqual(o.closedAfterMs, 'still open', `${what}: still open after ${wait} ms`);
        assert.ok((o.closedAfterMs as number) >= 1_900, `${what}: closed after ${String(o.closedAfterMs)} ms, before the 2 s timeout`);
        assert.match(o.answer, /^HTTP\/1\.1 408 Request Timeout\r\n/, `${what}: ${o.answer}`);
        assert.match(o.answer, /\r\nConnection: close\r\n/i);
        const json = JSON.parse(o.answer.slice(o.answer.indexOf('\r\n\r\n') + 4)) as { error: { code: string; message: string } };
        assert.equal(json.error.code, 'request_timeout');
      }
      assert.equal((await call(srv.url, 'GET', '/healthz')).status, 200, 'the server still answers');
    });

    test('a JSON body that trickles in for longer than the timeout is cut (the bound is the whole body); an artifact upload that keeps arriving is not, one that stops is', async () => {
      const wait = 15_000;
      const head = (method: string, path: string, type: string, length: number): string => `${method} ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: ${length}\r\n\r\n`;
      const artifact = '/v1/models/churn/versions/1.0.0/artifact';
      // 10 bytes every 500 ms: 1,000 bytes take 50 s.
      const [json, stalledUpload] = await Promise.all([
        slowClient(srv.url, head('POST', '/v1/events', 'application/json', 1000), wait, ' '.repeat(10)),
        slowClient(srv.url, `${head('PUT', artifact, 'application/octet-stream', 1000)}${'a'.repeat(100)}`, wait),
      ]);
      assert.notEqual(json.closedAfterMs, 'still open', 'trickled JSON body: still open');
      assert.match(json.answer, /^HTTP\/1\.1 408 /, json.answer);
      assert.match(json.answer, /"code":"request_timeout".*the body did not arrive within 2 s \(server\.requestTimeoutSeconds\)/);
      assert.notEqual(stalledUpload.closedAfterMs, 'still open', 'stalled upload: still open');
      assert.match(stalledUpload.answer, /^HTTP\/1\.1 408 .*no byte of the upload arrived for 2 s/s, stalledUpload.answer);
      // An upload of 40 chunks sent 100 ms apart (4 s, twice the timeout), then its last bytes: stored.
      const { hostname, port } = new URL(srv.url);
      const answer = await new Promise<string>((resolve, reject) => {
        let got = '';
        const socket = connect({ host: hostname, port: Number(port) }, () => {
          socket.write(head('PUT', artifact, 'application/octet-stream', 4_100));
          let sent = 0;
          const timer = setInterval(() => {
            socket.write('b'.repeat(100));
            if (++sent === 41) clearInterval(timer);
          }, 100);
        });
        socket.on('data', (d: Buffer) => {
          got += d.toString();
          if (got.includes('\r\n\r\n{') && got.trimEnd().endsWith('}')) {
            socket.destroy();
            resolve(got);
          }
        });
        socket.on('error', reject);
        socket.on('close', () => resolve(got));
      });
      assert.match(answer, /^HTTP\/1\.1 20[01] /, answer);
      assert.match(answer, /"size":4100/, answer);
    });

    test('the time taken to answer is not bounded by it: a predict whose upstream takes 4 s (model timeoutMs 10 s) is answered 200', async () => {
      assert.equal((await call(srv.url, 'PUT', '/v1/models/churn/serving', { alias: 'production', timeoutMs: 10_000 })).status, 200);
      const a = await predict(srv.url, { x: 1, user: 'u1' });
      assert.equal(a.status, 200, JSON.stringify(a.body));
      assert.equal(a.version, '1.0.0');
      assert.ok(a.ms >= 3_900, `answered in ${Math.round(a.ms)} ms: the upstream's delay was not waited for`);
    });
  });

  /** Runs the CLI with each argument list, three at a time (each loads the whole server: on a busy machine, seconds). */
  async function inBatches(runs: string[][]): Promise<Array<Awaited<ReturnType<typeof lookoutAsync>>>> {
    const out: Array<Awaited<ReturnType<typeof lookoutAsync>>> = [];
    for (let i = 0; i < runs.length; i += 3) out.push(...await Promise.all(runs.slice(i, i + 3).map((args) => lookoutAsync(args, 60_000))));
    return out;
  }

  describe('ports written otherwise than in decimal digits', () => {
    test('--port 0x50, 1e3, " 80", 80.0, +80 (read as 80 or 1000 until audit 13) and 65536: one line naming the option and the value, exit 2', async () => {
      const dir = tempDir('lookout-audit13-port-');
      const values = ['0x50', '1e3', ' 80', '80.0', '+80', '65536'];
      const results = await inBatches(values.map((v) => ['serve', `--port=${v}`, '--data-dir', join(dir, 'data'), '--quiet']));
      for (const [i, r] of results.entries()) {
        const v = values[i] as string;
        assert.equal(r.code, 2, `--port ${JSON.stringify(v)}: exit ${r.code}; ${r.stderr}`);
        assert.equal(r.stderr, `error: option '--port <n>' argument '${v}' is invalid. "${v}" is not a port: a decimal integer from 0 to 65535 is expected.\n`);
      }
    });

    test('server.port: 0x50, 80.0 in lookout.yaml, 1e3 in lookout.json: refused in one line naming the key and the value as written, exit 2', async () => {
      const dir = tempDir('lookout-audit13-port-');
      const files: Array<[string, string, string]> = [
        ['a.yaml', 'server:\n  port: 0x50\n', '0x50'], ['b.yaml', 'server: { port: 80.0 }\n', '80.0'], ['c.json', '{"server": {"port": 1e3}}\n', '1e3'],
      ];
      const lines = [2, 1, 1]; // the line of server.port, named since audit 27
      for (const [name, text] of files) writeFileSync(join(dir, name), text);
      const results = await inBatches(files.map(([name]) => ['serve', '--config', join(dir, name), '--data-dir', join(dir, 'data'), '--quiet']));
      for (const [i, r] of results.entries()) {
        const [name, , written] = files[i] as [string, string, string];
        assert.equal(r.code, 2, `${name}: exit ${r.code}; ${r.stderr}`);
        assert.equal(r.stderr, `lookout: error: invalid config ${join(dir, name)}: server.port must be a decimal integer from 0 to 65535 (got ${written}) (line ${lines[i]})\n`);
      }
    });
  });
});
