import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { hungReceiver } from '../../../test/helpers/hung-receiver.js';
import { createNotifier } from './registry.js';
import type { NotificationPayload } from './types.js';

const payload: NotificationPayload = { version: '1', groupKey: 'model=churn', groupLabels: { model: 'churn' }, status: 'firing', receiver: 'n', sentAt: 0, alerts: [] };

describe('alerting: a stop cuts a notifier attempt in flight short', { timeout: 60_000 }, () => {
  let hung: Awaited<ReturnType<typeof hungReceiver>>;
  let url = '';
  before(async () => {
    hung = await hungReceiver();
    url = hung.url;
  });
  after(() => hung.close());

  for (const kind of ['webhook', 'slack', 'alertmanager'] as const) {
    test(`${kind}: the request hangs (timeout 30 s); the stop signal fails it at once, saying why`, async () => {
      const n = createNotifier({ id: 'n', kind, url: `${url}/hook`, timeoutMs: 30_000 });
      const stop = new AbortController();
      const before = hung.connections();
      const sent = n.send(payload, stop.signal);
      for (let i = 0; i < 200 && hung.connections() === before; i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(hung.connections() > before, 'the request reached the receiver');
      const t0 = performance.now();
      stop.abort();
      await assert.rejects(sent, /cut short: the server is stopping/);
      assert.ok(performance.now() - t0 < 1000, `took ${Math.round(performance.now() - t0)} ms`);
      await assert.rejects(n.send(payload, stop.signal), /not sent: the server is stopping/, 'a stopped signal sends nothing');
    });
  }

  test('webhook without a stop: the timeout still ends the attempt, and says so', async () => {
    const n = createNotifier({ id: 'n', kind: 'webhook', url: `${url}/hook`, timeoutMs: 300 });
    const t0 = performance.now();
    await assert.rejects(n.send(payload), /no answer within 300 ms/);
    assert.ok(performance.now() - t0 < 5000);
  });
});
