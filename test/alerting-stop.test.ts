import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { tempDir } from './helpers/cli.js';
import { hungReceiver } from './helpers/hung-receiver.js';
import { Receiver } from './helpers/receiver.js';
import { call, poster, testServer } from './helpers/server.js';

const NOW = Date.UTC(2026, 0, 26, 10);
const MIN = 60_000;
const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };

// Found and left by earlier sessions: a stop waited for the delivery attempt in flight, up to the notifier's timeoutMs
// (10 s by default, here 30 s), so a SIGTERM could take that long to stop the server.
describe('alerting: the server stops at once while a notifier attempt hangs, and sends it after the restart', { timeout: 90_000 }, () => {
  test('a webhook that never answers (timeoutMs 30 s): close() takes well under a second; the next start sends the page', async (t) => {
    const hung = await hungReceiver();
    const hook = await Receiver.start();
    const dataDir = tempDir('lookout-alerting-stop-');
    let clock = NOW;
    const start = (url: string): Promise<Server> => testServer({
      clock: () => clock,
      configure: (c) => {
        c.dataDir = dataDir;
        c.alerting = { evaluationInterval: 0, groupWait: '1m', groupInterval: '5m', repeatInterval: '4h', notifiers: [{ id: 'hook', kind: 'webhook', url: `${url}/hook`, timeoutMs: 30_000 }] };
      },
    });
    let s: Server | null = await start(hung.url);
    try {
      const post = poster(() => (s as Server).url);
      await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
      await post('/v1/alerts', { source: 'pipeline', model: 'churn', severity: 'page', summary: 'late' });
      clock += 2 * MIN;
      // /run answers once its notifications are sent: not awaited, its flush hangs on the receiver
      void call(s.url, 'POST', '/v1/monitors/run', {}).catch(() => undefined);
      for (let i = 0; i < 200 && hung.connections() === 0; i++) await new Promise((r) => setTimeout(r, 25));
      assert.ok(hung.connections() > 0, 'the page went to the hung receiver');
      const t0 = performance.now();
      await s.close();
      s = null;
      const took = performance.now() - t0;
      t.diagnostic(`stop took ${Math.round(took)} ms while the attempt hung`);
      assert.ok(took < 1500, `stopping took ${Math.round(took)} ms while the attempt hung (it waited for the attempt's 30 s timeout before)`);

      // the cut delivery was recorded as failed: the next start (the receiver now answering) sends it at its first flush
      s = await start(hook.url);
      for (let i = 0; i < 3 && hook.received.length === 0; i++) {
        clock += MIN;
        await post('/v1/monitors/run', {});
      }
      const statuses = hook.received.map((m) => (m.body as { alerts: Array<{ status: string; severity: string }> }).alerts.map((a) => `${a.status}:${a.severity}`).join(','));
      assert.deepEqual(statuses, ['firing:page'], 'sent once after the restart');
      const log = (await call(s.url, 'GET', '/v1/notifications')).body['notifications'] as Array<{ status: string; error?: string }>;
      assert.deepEqual(log.map((n) => n.status).sort(), ['failed', 'sent'], JSON.stringify(log));
      assert.match(log.find((n) => n.status === 'failed')?.error ?? '', /^POST \S+ cut short: the server is stopping \(the next start sends it again\)$/);
    } finally {
      await s?.close();
      await hung.close();
      await hook.close();
    }
  });
});
