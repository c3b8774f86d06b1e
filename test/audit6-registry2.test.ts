import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { declareChurn } from './helpers/registry.js';
import { call, testServer } from './helpers/server.js';

type Json = Record<string, unknown>;
const MiB = 1024 * 1024;

describe('audit 6b: register --artifact over the server\'s artifact limit', { timeout: 60_000 }, () => {
  let server: Server;
  before(async () => {
    server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0, maxArtifactMb: 1 }; } });
    await declareChurn(server.url, [{ version: '1.0.0' }]);
  });
  after(async () => {
    await server.close();
  });

  test('audit 6b: versions register --artifact of a 2 MiB file on a 1 MiB server is refused before registering: no version left without its artifact', async () => {
    const dir = tempDir('lookout-audit6b-limit-');
    const big = join(dir, 'big.bin');
    writeFileSync(big, Buffer.alloc(2 * MiB, 7));
    const r = await lookoutAsync(['versions', 'register', 'churn', '1.5.0', '--url', server.url, '--artifact', big, '--tags', 'gbm']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`the artifact \\(${2 * MiB} bytes\\) is larger than this server's limit of 1 MiB \\(${MiB} bytes`));
    assert.match(r.stderr, /nothing was registered/);
    const v = await call(server.url, 'GET', '/v1/models/churn/versions/1.5.0');
    assert.equal(v.status, 404, JSON.stringify(v.body));
    // the limit is readable by any client
    const lim = await call(server.url, 'GET', '/v1/registry/limits');
    assert.deepStrictEqual([lim.status, lim.body], [200, { maxArtifactBytes: MiB }]);
    // a file within the limit is registered and uploaded as before
    const small = join(dir, 'small.bin');
    writeFileSync(small, Buffer.alloc(MiB, 8));
    const ok = await lookoutAsync(['versions', 'register', 'churn', '1.5.0', '--url', server.url, '--artifact', small, '--json']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(((JSON.parse(ok.stdout) as Json)['version'] as { artifact: { size: number } }).artifact.size, MiB);
  });

  test('audit 6b: with no limit (maxArtifactMb 0) GET /v1/registry/limits answers maxArtifactBytes null', async () => {
    const s = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0, maxArtifactMb: 0 }; } });
    try {
      const lim = await call(s.url, 'GET', '/v1/registry/limits');
      assert.deepStrictEqual([lim.status, lim.body], [200, { maxArtifactBytes: null }]);
    } finally {
      await s.close();
    }
  });
});
