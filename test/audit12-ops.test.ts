import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { tempDir } from './helpers/cli.js';
import { call } from './helpers/server.js';

/*
 * Operating `lookout serve` as a platform engineer does: signals, data dirs, backups, as real processes.
 */

const MODEL = { name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } };
const HOUR = 3_600_000;

async function declare(srv: RunningServer): Promise<void> {
  assert.equal((await call(srv.url, 'POST', '/v1/models', MODEL)).status, 201);
  assert.equal((await call(srv.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
}

async function post(srv: RunningServer, prefix: string, n: number): Promise<void> {
  const events = Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, model: 'm', version: '1', timestamp: Date.now() - 60_000, features: { x: i }, prediction: i / 2 }));
  const r = await call(srv.url, 'POST', '/v1/events', { events });
  assert.equal(r.body['accepted'], n, JSON.stringify(r.body).slice(0, 300));
}

/** Events counted by the server's window summaries (what every query reports). */
async function summarised(srv: RunningServer): Promise<unknown> {
  const h = await call(srv.url, 'GET', `/v1/models/m/health?from=${Date.now() - HOUR}&to=${Date.now() + HOUR}`);
  assert.equal(h.status, 200, JSON.stringify(h.body));
  return h.body['events'];
}

describe('signals', () => {
  test('SIGHUP (the terminal closed, an ssh session ended) stops the server cleanly as SIGTERM does: exit 0, checkpointed, nothing replayed at the next start', async () => {
    // Node's default for SIGHUP ended the process at once (exit by signal, code null), without its last checkpoint.
    const dir = tempDir('lookout-audit12-ops-');
    const srv = await spawnServe(['--data-dir', dir]);
    await declare(srv);
    await post(srv, 'a', 300);
    const code = await srv.stop('SIGHUP');
    assert.equal(code, 0, `exit code ${String(code)}; stderr:\n${srv.stderr()}`);
    assert.match(srv.stderr(), /shutting down/);
    const again = await spawnServe(['--data-dir', dir]);
    try {
      assert.doesNotMatch(again.stderr(), /recovered the summaries/, 'a clean stop leaves nothing to replay');
      assert.equal(await summarised(again), 300);
    } finally {
      assert.equal(await again.stop(), 0);
    }
  });
});
