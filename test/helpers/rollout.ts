import assert from 'node:assert/strict';
import { defaultConfig } from '../../src/config.js';
import { MemoryNotifier } from '../../src/rollout/notifier.js';
import { startServer, type Server } from '../../src/server.js';
import { tempDir } from './cli.js';
import { many, predict } from './predict.js';
import { Receiver } from './receiver.js';
import { declareChurn } from './registry.js';
import { call } from './server.js';
import { startModelServer, type ModelBehaviour } from './upstream.js';

export const T0 = Date.UTC(2026, 0, 5, 12);

export type RolloutFixture = Awaited<ReturnType<typeof rolloutFixture>>;

/** A real server (injected clock, explicit ticks, alerts sent to a webhook receiver; DuckDB unless `storage` names another store) with churn 1.0.0 in production and 1.1.0. */
export async function rolloutFixture(primary: ModelBehaviour, candidate: ModelBehaviour, opts: { storage?: string } = {}) {
  let now = T0;
  const rx = await Receiver.start();
  const c = defaultConfig();
  c.dataDir = tempDir('lookout-rollout-');
  if (opts.storage !== undefined) c.storage = opts.storage;
  c.server.port = 0;
  c.registry = { tickMs: 0, refreshMs: 0 };
  c.alerting = { evaluationInterval: 0, groupWait: '1m', groupInterval: '5m', notifiers: [{ id: 'hook', kind: 'webhook', url: `${rx.url}/hook` }] };
  const notifier = new MemoryNotifier();
  const boot = (): Promise<Server> => startServer({ config: c, clock: () => now, rolloutNotifier: notifier });
  let server = await boot();
  const v1 = await startModelServer(primary);
  const v2 = await startModelServer(candidate);
  await declareChurn(server.url, [{ version: '1.0.0', upstream: v1.url }, { version: '1.1.0', upstream: v2.url }], '1.0.0');
  return {
    get server(): Server { return server; },
    get url(): string { return server.url; },
    notifier, rx, v1, v2,
    /** Stops the server and starts a new one on the same store, config and clock (its URL changes). */
    restart: async (): Promise<void> => {
      await server.close();
      server = await boot();
    },
    advance: (ms: number) => { now += ms; },
    /** Resolves once every mirrored call (a compared canary's, a shadow's) has answered and is in the statistics. */
    settle: async (): Promise<void> => server.deps.registry?.gateway.mirrorsSettled(),
    tick: async (advanceMs: number): Promise<void> => {
      now += advanceMs;
      const r = await call(server.url, 'POST', '/v1/rollouts/tick', {});
      assert.equal(r.status, 200, JSON.stringify(r.body));
    },
    rollout: async (): Promise<Record<string, unknown>> => (await call(server.url, 'GET', '/v1/models/churn/rollout')).body.rollout as Record<string, unknown>,
    start: async (body: Record<string, unknown>): Promise<void> => {
      const s = await call(server.url, 'POST', '/v1/models/churn/rollout', { candidate: '1.1.0', reason: 'audit', ...body });
      assert.equal(s.status, 201, JSON.stringify(s.body));
    },
    /** Requests of sticky users on the primary (`canary` false) or on a 10% canary, `c` in flight. */
    send: async (users: string[], c: number, x: (i: number) => number = () => 1): Promise<string[]> =>
      (await many(users.length, c, (i) => predict(server.url, { x: x(i), user: users[i] as string }))).map((a) => `${a.status} ${String(a.version)}`),
    close: async (): Promise<void> => {
      await server.close();
      await rx.close();
      await v1.close();
      await v2.close();
    },
  };
}

