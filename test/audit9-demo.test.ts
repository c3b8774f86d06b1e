import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { lookoutAsync, tempDir } from './helpers/cli.js';

describe('lookout serve --demo: the first run', () => {
  test('issue 3: --demo on a port already in use says so at once, before a minute or two of demo fill', async () => {
    // Before: the demo filled its 30 days (1-2 minutes) and only then found the port taken, exit 2 after the wait.
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const dir = tempDir('lookout-audit9-demo-');
    try {
      const t0 = Date.now();
      const r = await lookoutAsync(['serve', '--quiet', '--demo', '--port', String(port), '--data-dir', dir], 240_000);
      const ms = Date.now() - t0;
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use`));
      assert.doesNotMatch(r.stderr, /demo: models/, 'no demo data filled for a server that cannot listen');
      assert.ok(ms < 20_000, `refused after ${ms} ms`);
      assert.ok(!existsSync(join(dir, 'demo')), 'nothing of the demo written');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
