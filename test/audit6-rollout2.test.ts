import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RegistryServices } from '../src/gateway/services.js';
import { RolloutController } from '../src/rollout/controller.js';
import { MemoryNotifier } from '../src/rollout/notifier.js';
import { rolloutFixture, T0 } from './helpers/rollout.js';
import { call } from './helpers/server.js';

/** Counts the rollout rows the registry store hands out (instrumentation of the real store, which still answers). */
function countRolloutRows(svc: RegistryServices): { rows: number } {
  const counter = { rows: 0 };
  const store = svc.registry.store as unknown as Record<string, unknown>;
  for (const name of ['listRollouts', 'listRolloutPage', 'latestRollouts', 'getRollout']) {
    const orig = store[name];
    if (typeof orig !== 'function') continue;
    store[name] = async (...args: unknown[]): Promise<unknown> => {
      const out: unknown = await (orig as (...a: unknown[]) => Promise<unknown>).apply(svc.registry.store, args);
      counter.rows += Array.isArray(out) ? out.length : out ? 1 : 0;
      return out;
    };
  }
  return counter;
}

describe('audit 6 (rollout, second pass): a long rollout history', { timeout: 300_000 }, () => {
  test('with 5,000 past rollouts stored, loading the controller and GET /v1/models/:name/rollout read the newest rollout of each model, not the whole history (5,001 rows before)', async (t) => {
    const f = await rolloutFixture({}, {});
    try {
      const svc = f.server.deps.registry as RegistryServices;
      await f.start({ steps: [10, 100], stepDurationMs: 60_000 });
      const running = await f.rollout();
      const rec = await svc.registry.store.getRollout(String(running.id));
      assert.ok(rec);
      for (let i = 0; i < 5_000; i++) {
        const id = `past-${String(i).padStart(5, '0')}`;
        const createdAt = T0 - 10_000_000 + i * 1_000;
        await svc.registry.store.putRollout({ id, model: 'churn', state: 'rolled_back', createdAt, updatedAt: createdAt, data: { ...rec.data, id, state: 'rolled_back', createdAt, updatedAt: createdAt } });
      }
      const counter = countRolloutRows(svc);
      // a controller loading from this store (as at a restart): the running rollout, the newest, is taken up again
      const ctl = new RolloutController({ registry: svc.registry, stats: svc.stats, clock: () => T0 + 1_000, newId: () => 'x', notifier: new MemoryNotifier(), log: () => undefined });
      let t0 = performance.now();
      await ctl.load();
      t.diagnostic(`load(): ${counter.rows} rollout rows read in ${(performance.now() - t0).toFixed(1)} ms`);
      assert.ok(counter.rows <= 1, `load() read ${counter.rows} rollout rows for the one model with rollouts`);
      assert.equal((await ctl.current('churn'))?.id, running.id);
      assert.equal((await ctl.current('churn'))?.state, 'running');
      // the server's controller: once the rollout is over, GET .../rollout reads the store for the most recent one
      assert.equal((await call(f.url, 'POST', '/v1/models/churn/rollout/abort', { reason: 'test', by: 'audit' })).status, 200);
      counter.rows = 0;
      t0 = performance.now();
      const after = await f.rollout();
      t.diagnostic(`GET rollout: ${counter.rows} rollout rows read in ${(performance.now() - t0).toFixed(1)} ms`);
      assert.equal(after.id, running.id);
      assert.equal(after.state, 'rolled_back');
      assert.ok(counter.rows <= 1, `GET /v1/models/churn/rollout read ${counter.rows} rollout rows`);
      assert.equal(await new RolloutController({ registry: svc.registry, stats: svc.stats, clock: () => T0, newId: () => 'y', notifier: new MemoryNotifier() }).current('nobody'), null);
    } finally {
      await f.close();
    }
  });
});
