import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import type { StorageBackend } from '../src/storage/backend.js';
import { SummaryReader } from '../src/monitoring/query.js';
import type { VersionContext } from '../src/monitoring/catalog.js';
import { call, testServer } from './helpers/server.js';

/*
 * Issue 3 (a dashboard's "last 24 h" a minute later): a range merge whose parts have windows cached reads their keys in
 * one statement (querySummaryKeysOf), not one read per part, and merges exactly what a cold merge of that range merges.
 */
const MIN = 60_000;
const H = 60 * MIN;
const NOW = Math.floor(Date.now() / MIN) * MIN;
let s: Server;

before(async () => {
  s = await testServer({ clock: () => NOW });
  assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'rk', outputKind: 'regression', inputSchema: { type: 'object', properties: { a: { type: 'number' } } } })).status, 201);
  assert.equal((await call(s.url, 'POST', '/v1/models/rk/versions', { version: '1' })).status, 201);
  // An event every 7 minutes over the last 26 hours: minute, 10-minute, hour and 6-hour windows at both ends of a day.
  const events = Array.from({ length: Math.floor((26 * 60) / 7) }, (_, i) => ({ model: 'rk', version: '1', timestamp: NOW - 26 * H + i * 7 * MIN + 1_000, features: { a: i % 13 }, prediction: i, latencyMs: 1 + (i % 5) }));
  assert.equal((await call(s.url, 'POST', '/v1/events', { events })).body['accepted'], events.length);
  // Every acknowledged event checkpointed into the stored windows (a read syncs first).
  assert.equal((await call(s.url, 'GET', `/v1/models/rk/health?from=${NOW - 27 * H}&to=${NOW}`)).body['events'], events.length);
});
after(async () => s?.close());

/** The store, counting the summary reads made through it (the real DuckDB store underneath). */
function counted(store: StorageBackend): { store: StorageBackend; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const proxy = new Proxy(store, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        if (typeof prop === 'string' && prop.startsWith('querySummar')) calls.set(prop, (calls.get(prop) ?? 0) + 1);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

test('issue 3: a range merge with windows cached reads the keys of all its parts in one statement, and merges the same windows', async () => {
  const { store, calls } = counted(s.deps.store);
  const reader = new SummaryReader(store, s.deps.catalog, () => NOW);
  const v = reader.resolveVersion('rk', '1') as VersionContext;
  const fresh = (): SummaryReader => new SummaryReader(s.deps.store, s.deps.catalog, () => NOW);
  // Ranges from 13 minutes past an hour: parts of every granularity at both ends.
  const from = Math.floor((NOW - 25 * H) / H) * H + 13 * MIN;
  await reader.merged(v, '', from, from + 24 * H);
  assert.equal(calls.get('querySummaryKeysOf') ?? 0, 0, 'a cold merge reads rows, no keys');
  for (const shift of [1, 2, 17]) {
    calls.clear();
    const [a, b] = [from + shift * MIN, from + 24 * H + shift * MIN];
    const warm = await reader.merged(v, '', a, b);
    assert.equal(calls.get('querySummaryKeysOf'), 1, `shifted ${shift} min: one key read for every part with windows cached`);
    assert.equal(calls.get('querySummaryKeys') ?? 0, 0, `shifted ${shift} min: no key read per part`);
    const cold = await fresh().merged(v, '', a, b);
    assert.ok(warm.events > 0);
    assert.equal(warm.events, cold.events);
    assert.deepEqual(warm.toBytes(), cold.toBytes(), `shifted ${shift} min: the same merged summary as a cold merge`);
  }
});
