import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hungReceiver } from '../../../test/helpers/hung-receiver.js';
import { createNotifier } from './registry.js';
import type { NotificationPayload } from './types.js';

const payload: NotificationPayload = { version: '1', groupKey: 'model=churn', groupLabels: { model: 'churn' }, status: 'firing', receiver: 'n', sentAt: 0, alerts: [] };

/** Running (a zombie waiting for its reaper does not count). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

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

  test('command: the command (and what it started) is killed when the stop signal aborts', { skip: process.platform === 'win32' }, async () => {
    const pidFile = join(mkdtempSync(join(tmpdir(), 'lookout-cmd-stop-')), 'pid');
    const n = createNotifier({ id: 'c', kind: 'command', command: ['sh', '-c', `sleep 30 & echo $! > "${pidFile}"; wait`], timeoutMs: 30_000 });
    const stop = new AbortController();
    const sent = n.send(payload, stop.signal);
    let pid = 0;
    for (let i = 0; i < 500 && !(pid > 0); i++) {
      await new Promise((r) => setTimeout(r, 10));
      try {
        pid = Number(readFileSync(pidFile, 'utf8'));
      } catch {
        // not written yet
      }
    }
    assert.ok(pid > 0 && alive(pid), 'the command started its child');
    const t0 = performance.now();
    stop.abort();
    await assert.rejects(sent, /cut short: the server is stopping \(killed\)/);
    assert.ok(performance.now() - t0 < 1000);
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(alive(pid), false, `the command's child ${pid} still runs`);
    await assert.rejects(n.send(payload, stop.signal), /not run: the server is stopping/);
  });
});
