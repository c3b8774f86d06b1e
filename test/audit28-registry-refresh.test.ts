import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { call, testServer } from './helpers/server.js';

/*
 * Audit 28 (registry): an alias change was answered before the registry's control state showed it when a load() of
 * every model (the periodic refresh, registry.refreshMs) started while the change's own refresh read: that refresh
 * saw it was superseded and returned at once, and the answer went out with the old alias still in memory until the
 * load ended. A rollout started right after moving `production` took the old version as its primary and ended at once
 * ("moved off 1.0.0 during the rollout"): dashboard.test under load. The interleaving is forced here with the real
 * DuckDB store, two of its reads held at gates (only their timing is changed).
 */
describe('audit 28: an alias change is answered only once the registry\'s state shows it', () => {
  let server: Server;
  before(async () => {
    server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
    const inputSchema = { type: 'object', properties: { x: { type: 'number' } } };
    assert.equal((await call(server.url, 'POST', '/v1/models', { name: 'm', outputKind: 'regression', inputSchema })).status, 201);
    for (const v of ['1.0.0', '2.0.0']) assert.equal((await call(server.url, 'PUT', `/v1/models/m/versions/${v}`, { upstream: 'http://127.0.0.1:9/m' })).status, 201);
    assert.equal((await call(server.url, 'PUT', '/v1/models/m/aliases/production', { version: '1.0.0', reason: 'first' })).status, 200);
  });
  after(() => server?.close());

  test('a load() starting while the change\'s refresh reads: the change waits for it, and answers with the new alias in place', async () => {
    const registry = server.deps.registry?.registry;
    assert.ok(registry);
    const store = registry.store as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const gate = () => {
      let open!: () => void;
      let entered!: () => void;
      let returned!: () => void;
      const opened = new Promise<void>((r) => { open = r; });
      const inside = new Promise<void>((r) => { entered = r; });
      const back = new Promise<void>((r) => { returned = r; });
      return { open, opened, entered, inside, returned, back };
    };
    const g1 = gate(); // the refresh after the alias change: its read of the model's aliases
    const g2 = gate(); // the load: its read of every alias
    const original = { aliases: store['aliases'] as (...a: unknown[]) => Promise<unknown>, allAliases: store['allAliases'] as (...a: unknown[]) => Promise<unknown> };
    store['aliases'] = async (...a) => {
      g1.entered();
      await g1.opened;
      const v = await original.aliases.apply(registry.store, a);
      g1.returned();
      return v;
    };
    store['allAliases'] = async (...a) => {
      g2.entered();
      await g2.opened;
      return original.allAliases.apply(registry.store, a);
    };
    try {
      let atAnswer: string | undefined;
      const change = registry.setAlias('m', 'production', '2.0.0', { reason: 'move', by: 'test' }).then(() => {
        atAnswer = registry.control('m').aliases['production'];
      });
      await g1.inside; // the change is stored; its refresh reads the aliases
      const load = registry.load();
      await g2.inside; // the load started after it (a newer generation)
      g1.open();
      await g1.back;
      // what remains of the refresh and of setAlias is microtasks: all run before the next turn of the event loop
      await new Promise((r) => setImmediate(r));
      g2.open();
      await Promise.all([change, load]);
      assert.equal(atAnswer, '2.0.0', 'the alias change was answered while the registry still held the old alias');
    } finally {
      store['aliases'] = original.aliases;
      store['allAliases'] = original.allAliases;
    }
  });

  test('over HTTP: a rollout started right after the alias moved takes the new version as its primary', async () => {
    assert.equal((await call(server.url, 'PUT', '/v1/models/m/versions/3.0.0', { upstream: 'http://127.0.0.1:9/m' })).status, 201);
    assert.equal((await call(server.url, 'PUT', '/v1/models/m/aliases/production', { version: '2.0.0', reason: 'again' })).status, 200);
    const r = await call(server.url, 'POST', '/v1/models/m/rollout', { candidate: '3.0.0', reason: 'next', steps: [10, 100] });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal((r.body['rollout'] as { primary: string }).primary, '2.0.0');
  });
});
