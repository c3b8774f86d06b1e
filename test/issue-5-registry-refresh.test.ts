import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { call, testServer } from './helpers/server.js';

/**
 * The registry's control state (aliases, pauses, serving, each version's upstream) is read again every refreshMs (5 s
 * by default), so a server sees what another node wrote. Until this test it read every version's full record (lineage,
 * tags, notes, artifact) and parsed it, for the upstream alone: with 5,000 versions of ~1 KB of lineage, ~170-210 ms of
 * each refresh (DuckDB), most of it on the event loop, and it grows with every version a retraining job registers.
 */
describe('issue 5: the registry refresh reads each version\'s upstream, not its whole record', { timeout: 120_000 }, () => {
  let server: Server;
  before(async () => {
    server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; c.server.warmUpDays = 0; } });
  });
  after(async () => {
    await server.close();
  });

  test('load() and refresh(model) read no version record, and still pick up an upstream another node changed', async () => {
    const inputSchema = { type: 'object', properties: { x: { type: 'number' } } };
    const lineage = { gitCommit: 'a'.repeat(40), hyperparameters: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`p${i}`, i / 7])) };
    for (const name of ['alpha', 'beta']) {
      assert.equal((await call(server.url, 'POST', '/v1/models', { name, outputKind: 'regression', inputSchema })).status, 201);
      for (let v = 0; v < 6; v++) {
        const r = await call(server.url, 'PUT', `/v1/models/${name}/versions/1.${v}.0`, { lineage, upstream: `http://127.0.0.1:9/${name}/${v}` });
        assert.equal(r.status, 201, JSON.stringify(r.body));
      }
    }
    const registry = server.deps.registry?.registry;
    assert.ok(registry);
    const store = registry.store;
    // What another node sharing the store writes: this server sees it only through a refresh.
    await store.updateVersion('alpha', '1.2.0', { upstream: 'http://127.0.0.1:9/alpha/moved' });
    await store.updateVersion('beta', '1.4.0', { upstream: 'http://127.0.0.1:9/beta/moved' });
    assert.equal(registry.control('alpha').upstreams.get('1.2.0'), 'http://127.0.0.1:9/alpha/2', 'not seen before a refresh');

    // The real store, its reads of whole version records counted.
    const calls: string[] = [];
    const s = store as unknown as Record<string, unknown>;
    const originals: Array<[string, unknown]> = [];
    for (const k of ['getVersion', 'listVersions', 'versionTargets']) {
      const f = s[k];
      assert.equal(typeof f, 'function', k);
      originals.push([k, f]);
      s[k] = (...args: unknown[]) => {
        calls.push(k);
        return (f as (...a: unknown[]) => unknown).apply(store, args);
      };
    }
    try {
      await registry.load();
      assert.equal(registry.control('alpha').upstreams.get('1.2.0'), 'http://127.0.0.1:9/alpha/moved');
      await store.updateVersion('alpha', '1.2.0', { upstream: 'http://127.0.0.1:9/alpha/back' });
      await registry.refresh('alpha');
    } finally {
      for (const [k, f] of originals) s[k] = f;
    }
    assert.deepStrictEqual(calls.filter((k) => k !== 'versionTargets'), [], `the refresh read whole version records: ${calls.join(', ')}`);
    assert.equal(registry.control('alpha').upstreams.get('1.2.0'), 'http://127.0.0.1:9/alpha/back');
    assert.equal(registry.control('beta').upstreams.get('1.4.0'), 'http://127.0.0.1:9/beta/moved');
    assert.equal(registry.control('beta').upstreams.get('1.0.0'), 'http://127.0.0.1:9/beta/0');
    assert.deepStrictEqual([...registry.control('alpha').registered].sort(), ['1.0.0', '1.1.0', '1.2.0', '1.3.0', '1.4.0', '1.5.0']);

    // The versions API still answers every version with its lineage.
    const listed = await call(server.url, 'GET', '/v1/models/alpha/versions');
    assert.equal(listed.status, 200);
    const versions = listed.body['versions'] as Array<Record<string, unknown>>;
    assert.equal(versions.length, 6);
    assert.deepStrictEqual(versions.find((v) => v['version'] === '1.0.0')?.['lineage'], lineage);
  });
});
