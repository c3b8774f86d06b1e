import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WindowSummary } from '../core/summary/window.js';
import { DuckDbStore } from '../storage/duckdb/store.js';
import type { ModelRecord } from '../storage/types.js';
import { ModelCatalog, segmentKeysState, specFor, summarySeed } from './catalog.js';

// A real DuckDB store (in memory).

const DAY = 86_400_000;
const model = (segmentKeys: string[]): ModelRecord => ({
  name: 'm', outputKind: 'regression', segmentKeys, createdAt: 0, updatedAt: 0, inputSchema: { type: 'object', properties: { x: { type: 'number' } } },
});

test('segment keys declared before stay known: across putModel, a reload, and from the stored segments of a store that did not keep them', async () => {
  const store = await DuckDbStore.open(':memory:');
  try {
    await store.init();
    const catalog = new ModelCatalog(store);
    await catalog.putModel(model(['region', 'tier']));
    await catalog.putVersion({ model: 'm', version: '1', createdAt: 0 });
    await catalog.putModel(model(['region', 'channel']));
    assert.deepEqual(catalog.segmentKeysEver('m'), ['region', 'channel', 'tier']);
    assert.deepEqual(catalog.model('m')?.model.segmentKeys, ['region', 'channel']);
    const reloaded = new ModelCatalog(store);
    await reloaded.load();
    assert.deepEqual(reloaded.segmentKeysEver('m'), ['region', 'channel', 'tier']);
    assert.deepEqual(reloaded.segmentKeysEver('unknown'), []);

    // A store written before the keys were kept: they come from the segments its windows are stored under.
    await store.setState(segmentKeysState('m'), 'not kept');
    await store.putModel(model(['region']));
    const w = new WindowSummary(specFor(model([]), null), summarySeed('m', '1', 'colour=red&region=eu', 'day', DAY));
    await store.putSummaries([{ model: 'm', version: '1', segment: 'colour=red&region=eu', granularity: 'day', windowStart: DAY, data: w.toBytes() }]);
    const seeded = new ModelCatalog(store);
    await seeded.load();
    assert.deepEqual(seeded.segmentKeysEver('m'), ['region', 'colour']);
    assert.equal(await store.getState(segmentKeysState('m')), '["region","colour"]');
  } finally {
    await store.close();
  }
});

test('audit 14: an input schema stops at an event\'s first error (2,000,000 wrong items: one error object, not 2,000,000); a schema too wide for that (3,000 properties) compiles collecting them all', async () => {
  const store = await DuckDbStore.open(':memory:');
  try {
    await store.init();
    const catalog = new ModelCatalog(store);
    const narrow = catalog.compileSchema({ type: 'object', properties: { a: { type: 'array', items: { type: 'number' } } }, additionalProperties: false });
    assert.equal(narrow({ a: Array<string>(2_000_000).fill('x') }), false);
    assert.equal(narrow.errors?.length, 1);
    const properties = Object.fromEntries(Array.from({ length: 3_000 }, (_, i) => [`f${i}`, { type: 'number' }]));
    const wide = catalog.compileSchema({ type: 'object', properties });
    assert.equal(wide({ f0: 1, f2999: 2 }), true);
    assert.equal(wide({ f0: 'x', f1: 'y' }), false);
    assert.equal(wide.errors?.length, 2);
  } finally {
    await store.close();
  }
});
