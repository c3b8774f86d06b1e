import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { LookoutClient, type LookoutClientError } from '../src/client/index.js';
import { defaultConfig, type LookoutConfig } from '../src/config.js';
import { startServer, type Server } from '../src/server.js';
import { tempDir } from './helpers/cli.js';
import { call } from './helpers/server.js';

/** A loopback port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('audit8: ingest through the client against a real server that is down, then started', () => {
  const servers: Server[] = [];
  after(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  test('a batch holding one id twice, retried because the server was down: the client counts 1 sent and 1 rejected, as the server stored 1', async () => {
    const port = await freePort();
    const config: LookoutConfig = defaultConfig();
    config.dataDir = tempDir('lookout-audit8-ingest-');
    config.server.port = port;
    config.server.host = '127.0.0.1';
    let s = await startServer({ config });
    servers.push(s);
    const base = s.url;
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
    await s.close();
    servers.pop();

    const errors: LookoutClientError[] = [];
    const client = new LookoutClient({ url: base, flushIntervalMs: 10, backoff: { initialMs: 20, maxMs: 100 }, maxRetries: 1000, onError: (e) => errors.push(e) });
    const row = { id: 'twice', model: 'm', version: '1', features: { x: 1 }, prediction: '1' };
    client.log({ ...row });
    client.log({ ...row });
    // The first attempts find nothing listening (connection refused): the batch is retried.
    for (let i = 0; i < 100 && client.stats().events.retries < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(client.stats().events.retries >= 2, JSON.stringify(client.stats()));
    s = await startServer({ config });
    servers.push(s);
    await client.close();

    const now = Date.now();
    const health = await call(base, 'GET', `/v1/models/m/health?from=${now - 3_600_000}&to=${now + 60_000}`);
    assert.equal(health.status, 200, JSON.stringify(health.body));
    assert.equal(health.body['events'], 1);
    const st = client.stats().events;
    // Before: the retry's answer (row 0 accepted, row 1 duplicate_id "appears twice in this batch") counted both as sent.
    assert.deepEqual({ sent: st.sent, rejected: st.rejected, failed: st.failed, dropped: st.dropped }, { sent: 1, rejected: 1, failed: 0, dropped: 0 });
    assert.deepEqual(errors.map((e) => [e.kind, e.count]), [['rejected', 1]]);
  });
});
