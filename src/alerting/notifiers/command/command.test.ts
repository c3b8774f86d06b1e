import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createNotifier } from '../registry.js';
import type { NotificationPayload } from '../types.js';

const payload: NotificationPayload = { version: '1', groupKey: 'model=churn', groupLabels: { model: 'churn' }, status: 'firing', receiver: 'c', sentAt: 0, alerts: [] };

/** Running (a zombie waiting for its reaper does not count). */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
};

describe('audit (alerting): the command notifier timeout bounds a hanging command', { skip: process.platform === 'win32' }, () => {
  for (const [what, script] of [
    ['a shell waiting on a child that holds stderr open', 'sleep 30 & echo $! > "$PIDFILE"; wait; true'],
    ['a command that ignores SIGTERM', 'trap "" TERM; sleep 30 & echo $! > "$PIDFILE"; wait; true'],
  ] as const) {
    test(`${what}: fails when timeoutMs is over, and what it started is killed`, async () => {
      const pidFile = join(mkdtempSync(join(tmpdir(), 'lookout-cmd-timeout-')), 'pid');
      process.env['PIDFILE'] = pidFile;
      const n = createNotifier({ id: 'c', kind: 'command', command: ['sh', '-c', script], timeoutMs: 400 });
      const t0 = Date.now();
      await assert.rejects(n.send(payload), /timed out after 400 ms/);
      const took = Date.now() - t0;
      assert.ok(took < 5_000, `took ${took} ms with a 400 ms timeout`);
      const pid = Number(readFileSync(pidFile, 'utf8'));
      for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(alive(pid), false, `the command's child ${pid} still runs`);
    });
  }
});

describe('alerting: a stop cuts a command notifier in flight short', { skip: process.platform === 'win32' }, () => {
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
