import type { Server } from '../../src/server.js';
import { tempDir } from './cli.js';
import { Receiver } from './receiver.js';
import { poster, testServer } from './server.js';

/** A server a test restarts on one data dir, with a clock it moves and a webhook receiver (wait 1m, interval 5m, repeat 4h). */
export async function restartable(prefix: string): Promise<{
  now: number; hook: Receiver; start: () => Promise<void>; stop: () => Promise<void>; post: ReturnType<typeof poster>;
  /** `rounds` evaluation rounds, the clock moved by `stepMs` before each. */
  runEvery: (stepMs: number, rounds: number) => Promise<void>;
  /** The webhook's notifications so far, each as its alerts' `status:severity` joined by commas. */
  sent: () => string[];
}> {
  const dataDir = tempDir(prefix);
  let s: Server | null = null;
  const r = {
    now: Date.UTC(2026, 0, 26, 10),
    hook: await Receiver.start(),
    start: async (): Promise<void> => {
      s = await testServer({
        clock: () => r.now,
        configure: (c) => {
          c.dataDir = dataDir;
          c.alerting = { evaluationInterval: 0, groupWait: '1m', groupInterval: '5m', repeatInterval: '4h', notifiers: [{ id: 'hook', kind: 'webhook', url: `${r.hook.url}/hook` }] };
        },
      });
    },
    stop: async (): Promise<void> => {
      await s?.close();
      s = null;
    },
    post: poster(() => (s as Server).url),
    runEvery: async (stepMs: number, rounds: number): Promise<void> => {
      for (let i = 0; i < rounds; i++) {
        r.now += stepMs;
        await r.post('/v1/monitors/run', {});
      }
    },
    sent: (): string[] => r.hook.received.map((m) => (m.body as { alerts: Array<{ severity: string; status: string }> }).alerts.map((a) => `${a.status}:${a.severity}`).join(',')),
  };
  return r;
}
