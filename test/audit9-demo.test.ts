import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { spawnServe } from './helpers/process.js';
import { defaultConfig } from '../src/config.js';
import { fillDemo } from '../src/demo/fill.js';
import { startServer } from '../src/server.js';

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

describe('lookout serve --demo on a demo store filled days ago', () => {
  test('issue 3: the start\'s `try:` drift request is the demo\'s incident, dated from the fill, not from today', { timeout: 600_000 }, async () => {
    // Before: a second `--demo` days later added nothing (right) but printed a drift request for 10 to 7 days before
    // today, which missed the incident (10 to 7 days before the fill): the example showed no drift.
    const DAY = 86_400_000;
    const filledAt = Date.now() - 3 * DAY;
    const c = defaultConfig();
    c.dataDir = tempDir('lookout-audit9-demo-');
    c.server.port = 0;
    c.server.warmUpDays = 0;
    const s = await startServer({ config: c, listen: false, beforeListen: async (deps) => {
      assert.equal(await fillDemo(deps, filledAt, { days: 12, churnPerMinute: 0.2, etaPerMinute: 0.2 }), true);
    } });
    await s.close();
    const srv = await spawnServe(['--demo', '--data-dir', c.dataDir], 120_000);
    try {
      for (let i = 0; i < 100 && !/try: /.test(srv.stderr()); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      const err = srv.stderr();
      assert.match(err, new RegExp(`not adding demo data \\(the demo's, made ${new Date(filledAt).toISOString().replace(/\./g, '\\.')}`), err);
      const m = /drift\?from=([^&]+)&to=([^']+)'/.exec(err);
      assert.ok(m, err);
      assert.equal(Date.parse(m[1] as string), filledAt - 10 * DAY);
      assert.equal(Date.parse(m[2] as string), filledAt - 7 * DAY);
      const drift = await fetch(`${srv.url}/v1/models/churn/drift?from=${m[1] as string}&to=${m[2] as string}`);
      assert.equal(drift.status, 200);
      const body = await drift.json() as { features: Array<{ name: string; drifted: boolean }> };
      assert.ok(body.features.some((f) => f.name === 'monthly_spend' && f.drifted), JSON.stringify(body.features.map((f) => [f.name, f.drifted])));
    } finally {
      assert.equal(await srv.stop(), 0);
    }
  });
});
