import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, test } from 'node:test';
import { defaultConfig } from '../src/config.js';
import type { RequestLogs } from '../src/http/request-log.js';
import { startServer } from '../src/server.js';
import { lookout, tempDir } from './helpers/cli.js';
import { call } from './helpers/server.js';

type Line = Record<string, unknown>;

/** A real server in this process whose log goes to a stream read here; answers 200, 404 and 400 once each. */
async function logLines(mode: RequestLogs | undefined): Promise<Line[]> {
  const c = defaultConfig();
  c.dataDir = tempDir('lookout-reqlog-');
  c.server.port = 0;
  c.server.warmUpDays = 0;
  if (mode !== undefined) c.server.requestLogs = mode;
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  const s = await startServer({ config: c, logger: true, logStream: stream });
  try {
    assert.equal((await call(s.url, 'GET', '/v1/models')).status, 200);
    assert.equal((await call(s.url, 'GET', '/v1/models/nope/drift')).status, 404);
    const bad = await fetch(`${s.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"events": [' });
    assert.equal(bad.status, 400);
  } finally {
    await s.close();
  }
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Line);
}

const requests = (lines: Line[]): Array<[unknown, unknown, unknown, unknown]> =>
  lines.filter((l) => l['msg'] === 'request').map((l) => [l['method'], l['url'], l['statusCode'], l['level']]);

describe('issue 5: request logs (server.requestLogs)', () => {
  test('errors (the default): one line per answer with status >= 400, none for the others; Fastify\'s own two lines per request are gone', async () => {
    const lines = await logLines(undefined);
    assert.deepEqual(requests(lines), [['GET', '/v1/models/nope/drift', 404, 40], ['POST', '/v1/events', 400, 40]]);
    assert.ok(!lines.some((l) => l['msg'] === 'incoming request' || l['msg'] === 'request completed'));
    const line = lines.find((l) => l['msg'] === 'request');
    assert.equal(typeof line?.['responseTimeMs'], 'number');
    assert.equal(typeof line?.['reqId'], 'string');
    // the rest of the log stays
    assert.ok(lines.some((l) => typeof l['msg'] === 'string' && l['msg'].startsWith('Server listening at')));
  });

  test('all: one access line per request, at info for a 200', async () => {
    assert.deepEqual(requests(await logLines('all')), [['GET', '/v1/models', 200, 30], ['GET', '/v1/models/nope/drift', 404, 40], ['POST', '/v1/events', 400, 40]]);
  });

  test('off: no request lines', async () => {
    const lines = await logLines('off');
    assert.deepEqual(requests(lines), []);
    assert.ok(lines.length > 0, 'the log itself is on');
  });

  test('`lookout serve` logs errors only by default, and --request-logs all logs every request', async () => {
    for (const [args, expected] of [[[], [404]], [['--request-logs', 'all'], [200, 404]]] as const) {
      const dir = tempDir('lookout-reqlog-cli-');
      const p = spawn(process.execPath, [join(process.cwd(), 'bin', 'lookout.js'), 'serve', '--data-dir', dir, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const url = await new Promise<string>((resolve, reject) => {
        p.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /listening on (http:\/\/[^\s]+)/.exec(err);
          if (m?.[1]) resolve(m[1]);
        });
        p.once('exit', (code) => reject(new Error(`serve exited (${code}): ${err}`)));
      });
      assert.equal((await call(url, 'GET', '/v1/models')).status, 200);
      assert.equal((await call(url, 'GET', '/v1/nothing-here')).status, 404);
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await exited;
      const statuses = out.split('\n').filter((l) => l.includes('"msg":"request"')).map((l) => (JSON.parse(l) as Line)['statusCode']);
      assert.deepEqual(statuses, expected, out);
    }
  });

  test('a request cut by server.requestTimeoutSeconds is logged like any error answer (its 408 was written to the socket, unlogged)', async () => {
    for (const mode of ['errors', 'off'] as const) {
      const c = defaultConfig();
      c.dataDir = tempDir('lookout-reqlog-timeout-');
      c.server.port = 0;
      c.server.warmUpDays = 0;
      c.server.requestTimeoutSeconds = 1;
      c.server.requestLogs = mode;
      const stream = new PassThrough();
      let text = '';
      stream.on('data', (d: Buffer) => (text += d.toString()));
      const s = await startServer({ config: c, logger: true, logStream: stream });
      try {
        const { hostname, port } = new URL(s.url);
        const answer = await new Promise<string>((resolve) => {
          let got = '';
          const socket = connect({ host: hostname, port: Number(port) }, () => {
            socket.write('POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"events":[');
          });
          socket.on('data', (d: Buffer) => (got += d.toString()));
          socket.on('error', () => undefined);
          socket.on('close', () => resolve(got));
        });
        assert.match(answer, /^HTTP\/1\.1 408 /);
      } finally {
        await s.close();
      }
      const lines = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Line).filter((l) => l['msg'] === 'request');
      if (mode === 'off') {
        assert.deepEqual(lines, []);
        continue;
      }
      assert.equal(lines.length, 1, text);
      const line = lines[0] as Line;
      assert.deepEqual([line['method'], line['url'], line['statusCode'], line['level'], line['reason']], ['POST', '/v1/events', 408, 40, 'the body did not arrive within 1 s']);
      assert.equal(typeof line['reqId'], 'string');
      assert.ok(typeof line['responseTimeMs'] === 'number' && line['responseTimeMs'] >= 900, String(line['responseTimeMs']));
    }
  });

  test('an unknown mode is refused, naming the known ones (flag and config file)', () => {
    const r = lookout(['serve', '--data-dir', tempDir(), '--request-logs', 'some']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /one of all, errors, off \(got "some"\)/);
    const dir = tempDir();
    const cfg = join(dir, 'lookout.yaml');
    writeFileSync(cfg, `dataDir: ${dir}/data\nserver: { port: 0, requestLogs: some }\n`);
    const c = lookout(['serve', '--config', cfg]);
    assert.notEqual(c.code, 0);
    assert.match(c.stderr, /requestLogs/);
  });
});
