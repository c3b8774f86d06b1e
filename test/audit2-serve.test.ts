import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { spawnServe } from './helpers/process.js';

/*
 * `lookout serve` as an operator meets it: configuration mistakes, API keys and the process's start and stop.
 * Everything runs the real binary (bin/lookout.js) or a real server over HTTP.
 */

/** Runs `lookout serve` on a config file and expects it to refuse to start: exit 2, one clear line, no stack trace. */
async function refused(yaml: string, extra: string[] = []): Promise<string> {
  const dir = tempDir('lookout-audit2-serve-');
  const file = join(dir, 'lookout.yaml');
  writeFileSync(file, yaml);
  const r = await lookoutAsync(['serve', '--quiet', '--port', '0', '--data-dir', join(dir, 'data'), '--config', file, ...extra], 20_000);
  assert.equal(r.code, 2, `exit 2 for ${JSON.stringify(yaml)}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /listening on|internal error|\n\s+at /, r.stderr);
  return r.stderr;
}

describe('lookout.yaml mistakes: exit 2 with the key path named, before anything starts', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['a typo at the top level', 'servr: { port: 1 }\n', /config key "servr" is unknown.*known keys: server, dataDir/],
    ['a typo in server', 'server: { prot: 1 }\n', /server\.prot is unknown.*known keys: host, port/],
    ['a typo in ingest', 'ingest: { sampleRatio: 0.1 }\n', /ingest\.sampleRatio is unknown/],
    ['a typo in a key entry', 'auth: { keys: [{ name: a, sha256: "' + '0'.repeat(64) + '", scopes: [read], scope: [admin] }] }\n', /auth\.keys\[0\]\.scope is unknown/],
    ['a typo in a model', 'models: [{ name: a, outputKind: binary, inputSchema: {}, classs: [x] }]\n', /models\[0\]\.classs is unknown/],
    ['a typo in a version', 'models: [{ name: a, outputKind: binary, inputSchema: {}, versions: [{ version: "1", referense: { file: x } }] }]\n', /models\[0\]\.versions\[0\]\.referense is unknown/],
    ['a wrong type', 'server: { port: "eighty" }\n', /server\.port must be integer \(got "eighty"\)/],
    ['a negative port', 'server: { port: -1 }\n', /server\.port must be >= 0 \(got -1\)/],
    ['a huge port', 'server: { port: 70000 }\n', /server\.port must be <= 65535 \(got 70000\)/],
    ['a wrong enum value', 'server: { requestLogs: some }\n', /server\.requestLogs must be one of all, errors, off \(got "some"\)/],
    ['a wrong scope', 'auth: { keys: [{ name: a, sha256: "' + '0'.repeat(64) + '", scopes: [raed] }] }\n', /auth\.keys\[0\]\.scopes\[0\] must be one of ingest, read, admin \(got "raed"\)/],
    ['a sample rate over 1', 'ingest: { sampleRate: 2 }\n', /ingest\.sampleRate must be <= 1/],
    ['an empty data dir', 'dataDir: ""\n', /dataDir must NOT have fewer than 1 characters/],
    ['a list instead of a mapping', '- server\n', /the config must be a mapping of keys \(got a list\)/],
    ['invalid YAML', 'server: { port: 1\n', /cannot read config .*lookout\.yaml/],
  ];
  for (const [what, yaml, expected] of cases) {
    test(what, async () => {
      const err = await refused(yaml);
      assert.match(err, expected);
    });
  }

  test('a missing config file', async () => {
    const r = await lookoutAsync(['serve', '--quiet', '--port', '0', '--config', '/nonexistent/lookout.yaml']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /cannot read config \/nonexistent\/lookout\.yaml: ENOENT/);
  });
});

/** Runs `lookout serve ARGS` expecting a refusal at start: exit 2, one clear line, no stack trace. */
async function startRefused(args: string[]): Promise<string> {
  const r = await lookoutAsync(['serve', '--quiet', ...args], 60_000);
  assert.equal(r.code, 2, `exit 2 for ${args.join(' ')}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /listening on|internal error|\n\s+at /, r.stderr);
  return r.stderr;
}

describe('lookout serve start-up failures: a clear line and exit 2, not an internal error with a stack trace', () => {
  test('a data dir that is a file, or under a file', async () => {
    const dir = tempDir('lookout-audit2-serve-');
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'x');
    assert.match(await startRefused(['--port', '0', '--data-dir', file]), new RegExp(`cannot use data dir ${file}: not a directory`));
    assert.match(await startRefused(['--port', '0', '--data-dir', join(file, 'sub')]), /cannot use data dir .*plain-file\/sub: not a directory/);
  });

  test('a second server on the same data dir names the process holding the store', async () => {
    const dir = tempDir('lookout-audit2-serve-');
    const first = await spawnServe(['--data-dir', dir]);
    try {
      const err = await startRefused(['--port', '0', '--data-dir', dir]);
      assert.match(err, new RegExp(`cannot open the store .*lookout\\.duckdb: another process holds it \\(PID ${first.proc.pid}\\b`));
      assert.match(err, /one server per data dir/);
    } finally {
      assert.equal(await first.stop(), 0);
    }
  });

  test('a store URL of an unknown kind, and a PostgreSQL server that does not answer', async () => {
    const dir = tempDir('lookout-audit2-serve-');
    assert.match(await startRefused(['--port', '0', '--data-dir', dir, '--store', 'mysql://db/x']), /cannot open the store mysql:\/\/db\/x: unsupported store URL scheme: mysql/);
    const err = await startRefused(['--port', '0', '--data-dir', dir, '--store', 'postgres://lookout:s3cret@127.0.0.1:1/x']);
    assert.match(err, /cannot open the store postgres:\/\/lookout:\*\*\*@127\.0\.0\.1:1\/x: connect ECONNREFUSED/);
    assert.doesNotMatch(err, /s3cret/, 'the password is not printed');
  });
});

describe('lookout serve: the port and host it listens on', () => {
  test('a port already in use: a clear line and exit 2, and the store is left closed', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const dir = tempDir('lookout-audit2-serve-');
    try {
      const err = await startRefused(['--port', String(port), '--data-dir', dir]);
      assert.match(err, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`));
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    // The refused start released the store: the next start on the same data dir works.
    const srv = await spawnServe(['--data-dir', dir]);
    await srv.stop();
  });

  test('--port out of range, or not a number', async () => {
    for (const p of ['70000', '-1', '65536']) {
      assert.match(await startRefused(['--port', p, '--data-dir', tempDir('lookout-audit2-serve-')]), /--port.* must be an integer from 0 to 65535/);
    }
    assert.match(await startRefused(['--port', 'http', '--data-dir', tempDir('lookout-audit2-serve-')]), /--port.*"http" is not a number/);
  });

  test('a host that is not an address of this machine', async () => {
    const err = await startRefused(['--port', '0', '--host', 'no-such-host.invalid', '--data-dir', tempDir('lookout-audit2-serve-')]);
    assert.match(err, /cannot listen on no-such-host\.invalid:0: cannot resolve host no-such-host\.invalid/);
  });
});
