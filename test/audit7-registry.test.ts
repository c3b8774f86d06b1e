import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { lookoutAsync, tempDir, type CliResult } from './helpers/cli.js';
import { CHURN_SCHEMA, declareChurn } from './helpers/registry.js';
import { rolloutFixture } from './helpers/rollout.js';
import { call, testServer } from './helpers/server.js';

type Json = Record<string, unknown>;
const MiB = 1024 * 1024;

/** The --json error answer on stdout: exactly one {error: {code, message, details}} object. */
function jsonError(r: CliResult): { code: string; message: string; details: Json } {
  const parsed = JSON.parse(r.stdout) as Json;
  assert.deepEqual(Object.keys(parsed), ['error'], r.stdout);
  const e = parsed['error'] as { code: string; message: string; details: Json };
  assert.deepEqual(Object.keys(e).sort(), ['code', 'details', 'message'], r.stdout);
  assert.equal(typeof e.message, 'string');
  assert.ok(r.stderr.includes(e.message), `stderr ${r.stderr} lacks ${e.message}`);
  return e;
}

describe('audit 7: --json failures the CLI raises itself print {error:{code,message,details}} on stdout', { timeout: 90_000 }, () => {
  let server: Server;
  before(async () => {
    server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0, maxArtifactMb: 1 }; } });
    await declareChurn(server.url, [{ version: '1.0.0' }]);
  });
  after(async () => {
    await server.close();
  });

  test('audit 7: unreachable server, artifact pre-check, bad option values, refusals before a request: a JSON error with --json, exit codes as before', async () => {
    const dir = tempDir('lookout-audit7-json-');
    const big = join(dir, 'big.bin');
    writeFileSync(big, Buffer.alloc(2 * MiB, 7));
    // unreachable server (port 1: nothing listens)
    const down = await lookoutAsync(['models', 'list', '--url', 'http://127.0.0.1:1', '--json']);
    assert.equal(down.code, 2, down.stderr);
    const de = jsonError(down);
    assert.equal(de.code, 'unreachable');
    assert.equal(de.details['url'], 'http://127.0.0.1:1');
    // the artifact size pre-check
    const tooBig = await lookoutAsync(['versions', 'register', 'churn', '1.5.0', '--url', server.url, '--artifact', big, '--json']);
    assert.equal(tooBig.code, 2, tooBig.stderr);
    const te = jsonError(tooBig);
    assert.equal(te.code, 'payload_too_large');
    assert.deepEqual(te.details, { size: 2 * MiB, maxArtifactBytes: MiB, registered: false });
    // refusals of option combinations before any request
    const both = await lookoutAsync(['versions', 'register', 'churn', '1.5.0', '--url', server.url, '--artifact', big, '--artifact-uri', 's3://b/k', '--json']);
    assert.equal(both.code, 2, both.stderr);
    assert.equal(jsonError(both).code, 'bad_input');
    const nothing = await lookoutAsync(['versions', 'update', 'churn', '1.0.0', '--url', server.url, '--json']);
    assert.equal(nothing.code, 2, nothing.stderr);
    assert.match(jsonError(nothing).message, /nothing to change/);
    // a bad option value (commander's own refusal) and an unknown option
    const badJson = await lookoutAsync(['versions', 'register', 'churn', '1.5.0', '--url', server.url, '--hyperparameters', 'not json', '--json']);
    assert.equal(badJson.code, 2, badJson.stderr);
    const be = jsonError(badJson);
    assert.equal(be.code, 'usage');
    assert.match(be.message, /--hyperparameters/);
    const unknown = await lookoutAsync(['rollout', 'history', 'churn', '--url', server.url, '--json', '--bogus']);
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.equal(jsonError(unknown).code, 'usage');
    // the alert commands: a server refusal (an invalid state) and an unreachable server
    const alerts = await lookoutAsync(['alerts', 'list', '--url', server.url, '--state', 'sideways', '--json']);
    assert.equal(alerts.code, 2, alerts.stderr);
    assert.equal(jsonError(alerts).code, 'bad_request');
    const silences = await lookoutAsync(['silences', 'list', '--url', 'http://127.0.0.1:1', '--json']);
    assert.equal(silences.code, 2, silences.stderr);
    assert.equal(jsonError(silences).code, 'unreachable');
    // a local command: drift with a missing file
    const drift = await lookoutAsync(['drift', '--reference', join(dir, 'none.csv'), '--current', join(dir, 'none.csv'), '--json']);
    assert.equal(drift.code, 2, drift.stderr);
    assert.equal(jsonError(drift).code, 'bad_input');
    // without --json: stdout stays empty, stderr as before
    const plain = await lookoutAsync(['models', 'list', '--url', 'http://127.0.0.1:1']);
    assert.equal(plain.code, 2);
    assert.equal(plain.stdout, '');
    assert.match(plain.stderr, /^lookout: error: cannot reach the Lookout server at http:\/\/127\.0\.0\.1:1/);
    // a server error with --json is printed as before
    const missing = await lookoutAsync(['versions', 'show', 'churn', '9.9.9', '--url', server.url, '--json']);
    assert.equal(missing.code, 2);
    assert.equal(jsonError(missing).code, 'unknown_version');
  });
});

/**
 * A proxy in front of `target` that answers GET /v1/registry/limits with `limits` (what the server said before its
 * limit was lowered: the pre-check and the upload race) and forwards everything else as it is.
 */
async function limitsProxy(target: string, limits: Json): Promise<{ url: string; close: () => Promise<void> }> {
  const t = new URL(target);
  const proxy = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.startsWith('/v1/registry/limits')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(limits));
      return;
    }
    const fwd = httpRequest({ host: t.hostname, port: t.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    fwd.on('error', () => res.destroy());
    req.pipe(fwd);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => { proxy.closeAllConnections(); proxy.close(() => resolve()); }) };
}

describe('audit 7: an artifact upload refused after the version was registered', { timeout: 90_000 }, () => {
  let server: Server;
  let proxy: { url: string; close: () => Promise<void> };
  before(async () => {
    server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0, maxArtifactMb: 1 }; } });
    await declareChurn(server.url, [{ version: '1.0.0' }]);
    proxy = await limitsProxy(server.url, { maxArtifactBytes: 4 * MiB });
  });
  after(async () => {
    await proxy.close();
    await server.close();
  });

  test('audit 7: register --artifact whose upload is refused (413) says the version is registered without its artifact and how to attach one; the re-run does', async () => {
    const dir = tempDir('lookout-audit7-race-');
    const big = join(dir, 'big.bin');
    writeFileSync(big, Buffer.alloc(2 * MiB, 7));
    const r = await lookoutAsync(['versions', 'register', 'churn', '1.5.0', '--url', proxy.url, '--artifact', big, '--tags', 'gbm', '--json']);
    assert.equal(r.code, 2, r.stderr);
    // the half state is real: the version is there, without its artifact
    const v = await call(server.url, 'GET', '/v1/models/churn/versions/1.5.0');
    assert.equal(v.status, 200, JSON.stringify(v.body));
    assert.equal((v.body['version'] as Json)['artifact'], null);
    // and the CLI says so, and how to go on
    assert.match(r.stderr, /churn@1\.5\.0 is registered without its artifact: the upload of .*big\.bin was refused/);
    assert.match(r.stderr, /larger than this server's limit of 1 MiB/);
    assert.match(r.stderr, /re-run this command with an artifact the server accepts/);
    const e = jsonError(r);
    assert.equal(e.code, 'payload_too_large');
    assert.equal(e.details['registered'], true);
    assert.equal(e.details['artifact'], null);
    assert.equal(e.details['version'], '1.5.0');
    // the re-run with a file within the limit attaches it
    const small = join(dir, 'small.bin');
    writeFileSync(small, Buffer.alloc(MiB, 8));
    const again = await lookoutAsync(['versions', 'register', 'churn', '1.5.0', '--url', proxy.url, '--artifact', small, '--tags', 'gbm']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /churn@1\.5\.0 already registered; artifact attached:/);
    const after2 = await call(server.url, 'GET', '/v1/models/churn/versions/1.5.0');
    assert.equal(((after2.body['version'] as Json)['artifact'] as { size: number }).size, MiB);
  });
});

describe('audit 7: promote --test-set lines that are JSON but not objects', { timeout: 60_000 }, () => {
  let server: Server;
  before(async () => {
    server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
    await declareChurn(server.url, [{ version: '1.0.0' }, { version: '1.1.0' }], '1.0.0');
  });
  after(async () => {
    await server.close();
  });

  test('audit 7: a test set line null, 42 or [1,2] is bad input naming the line (exit 2), not an internal error; nothing promoted', async () => {
    const dir = tempDir('lookout-audit7-testset-');
    for (const [bad, what] of [['null', 'null'], ['42', 'a number'], ['[1,2]', 'an array'], ['"x"', 'a string']] as const) {
      const file = join(dir, 'test.jsonl');
      writeFileSync(file, `{"x": 1, "label": "yes"}\n${bad}\n`);
      const r = await lookoutAsync(['promote', 'churn', '1.1.0', '--url', server.url, '--reason', 'try', '--test-set', file, '--json']);
      assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
      assert.equal(r.stderr, `lookout: error: ${file}:2 is ${what}, not a JSON object ({"features": {...}, "label": ...} or a flat row)\n`);
      assert.equal(jsonError(r).code, 'bad_input');
    }
    const a = await call(server.url, 'GET', '/v1/models/churn/aliases');
    assert.deepEqual(a.body['aliases'], { production: '1.0.0' });
  });
});

describe('audit 7: promote and update, the no-op and the clearing cases', { timeout: 60_000 }, () => {
  let server: Server;
  before(async () => {
    server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
    await declareChurn(server.url, [{ version: '1.0.0' }, { version: '1.1.0' }], '1.0.0');
  });
  after(async () => {
    await server.close();
  });

  test('audit 7: promote --force of the version the alias already names says nothing changed (not "1.0.0 -> 1.0.0"), and nothing is recorded', async () => {
    const history = async (): Promise<unknown[]> => (await call(server.url, 'GET', '/v1/models/churn/deployments')).body['deployments'] as unknown[];
    const before1 = await history();
    const r = await lookoutAsync(['promote', 'churn', '1.0.0', '--url', server.url, '--reason', 'again', '--force']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'churn production: already 1.0.0 (nothing changed, nothing recorded)\n');
    assert.deepEqual(await history(), before1);
    const j = await lookoutAsync(['promote', 'churn', '1.0.0', '--url', server.url, '--reason', 'again', '--force', '--json']);
    assert.equal(j.code, 0, j.stderr);
    assert.deepEqual(JSON.parse(j.stdout), { alias: 'production', version: '1.0.0', previous: '1.0.0', comparison: null });
    // a real promotion still prints the change
    const moved = await lookoutAsync(['promote', 'churn', '1.1.0', '--url', server.url, '--reason', 'better', '--force']);
    assert.equal(moved.code, 0, moved.stderr);
    assert.equal(moved.stdout, 'churn production: 1.0.0 -> 1.1.0\n');
  });
});

test('audit 7: versions update --tags \'\' clears the tags (as \'\' clears notes and upstream), instead of being refused', { timeout: 60_000 }, async () => {
  const server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
  try {
    await declareChurn(server.url, [{ version: '1.0.0' }]);
    const tagged = await lookoutAsync(['versions', 'update', 'churn', '1.0.0', '--url', server.url, '--tags', 'gbm,candidate']);
    assert.equal(tagged.code, 0, tagged.stderr);
    const cleared = await lookoutAsync(['versions', 'update', 'churn', '1.0.0', '--url', server.url, '--tags', '']);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.equal(cleared.stdout, 'churn@1.0.0 updated\n');
    const v = await call(server.url, 'GET', '/v1/models/churn/versions/1.0.0');
    assert.deepEqual((v.body['version'] as Json)['tags'], []);
    // a list of nothing but commas is still refused (a typo, not a request to clear)
    const commas = await lookoutAsync(['versions', 'update', 'churn', '1.0.0', '--url', server.url, '--tags', ',,']);
    assert.equal(commas.code, 2, commas.stderr);
  } finally {
    await server.close();
  }
});

test('audit 7: rollout history --before a rollout of another model says whose it is (not "no rollout"), 400', { timeout: 120_000 }, async () => {
  const f = await rolloutFixture({}, {});
  try {
    await f.start({ steps: [10, 100], reason: 'churn try' });
    const churnId = String((await f.rollout())['id']);
    assert.equal((await call(f.url, 'POST', '/v1/models/churn/rollout/abort', { reason: 'stop' })).status, 200);
    const m = await call(f.url, 'POST', '/v1/models', { name: 'fraud', outputKind: 'binary', inputSchema: CHURN_SCHEMA, classes: ['no', 'yes'] });
    assert.ok(m.status === 201 || m.status === 200, JSON.stringify(m.body));
    for (const [v, up] of [['1.0.0', f.v1.url], ['1.1.0', f.v2.url]] as const) {
      assert.equal((await call(f.url, 'PUT', `/v1/models/fraud/versions/${v}`, { upstream: up, lineage: {} })).status, 201);
    }
    assert.equal((await call(f.url, 'PUT', '/v1/models/fraud/aliases/production', { version: '1.0.0', reason: 'first' })).status, 200);
    const fr = await call(f.url, 'POST', '/v1/models/fraud/rollout', { candidate: '1.1.0', reason: 'fraud try' });
    assert.equal(fr.status, 201, JSON.stringify(fr.body));
    const r = await call(f.url, 'GET', `/v1/models/fraud/rollouts?before=${churnId}`);
    assert.equal(r.status, 400, JSON.stringify(r.body));
    const msg = (r.body['error'] as { message: string }).message;
    assert.equal(msg, `"before" must be a rollout of model "fraud" (the previous page's "next"); rollout "${churnId}" is one of model "churn"`);
    const unknown = await call(f.url, 'GET', '/v1/models/fraud/rollouts?before=nope');
    assert.match((unknown.body['error'] as { message: string }).message, /; no rollout "nope"$/);
    const cli = await lookoutAsync(['rollout', 'history', 'fraud', '--before', churnId, '--url', f.url, '--json']);
    assert.equal(cli.code, 2, cli.stderr);
    assert.equal(jsonError(cli).message, msg);
  } finally {
    await f.close();
  }
});

test('audit 7: rollout start with both --step-duration and --step-minutes is refused (exit 2), not one silently dropped; nothing started', { timeout: 120_000 }, async () => {
  const f = await rolloutFixture({}, {});
  try {
    const r = await lookoutAsync(['rollout', 'start', 'churn', '1.1.0', '--url', f.url, '--reason', 'try', '--step-duration', '10m', '--step-minutes', '1', '--json']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /give --step-duration or --step-minutes \(its older form\), not both/);
    assert.equal(jsonError(r).code, 'bad_input');
    assert.equal(await f.rollout(), null);
    const ok = await lookoutAsync(['rollout', 'start', 'churn', '1.1.0', '--url', f.url, '--reason', 'try', '--step-minutes', '2', '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((await f.rollout())['stepDurationMs'], 120_000);
  } finally {
    await f.close();
  }
});
