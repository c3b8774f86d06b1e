import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { StorageBackend } from './backend.js';
import { commitContract } from './contract-commit.js';
import { ev, eventContract, rej, sortById } from './contract-events.js';
import { T0, plain, summaryContract } from './contract-summaries.js';
import type { ModelRecord, VersionRecord } from './types.js';

export { checkHeadsAfterMigration, checkWindowValuesAfterMigration } from './contract-summaries.js';
export { checkLabelTimesAfterMigration, OLD_LABEL_ROWS } from './contract-migrations.js';

/**
 * The shared contract every StorageBackend must pass. `open` is called once before the tests and again by the
 * reopen test (after close), so it must open the same place (file, schema) each time; `cleanup` runs at the end.
 */
export interface ContractOptions {
  /** When set, the throughput test fails below this many event rows per second through commit(). */
  minEventsPerSecond?: number;
}

const MB = 'ü€😀x'.repeat(1 << 18).slice(0, 1 << 20);

export function storageContract(
  name: string, open: () => Promise<StorageBackend>, cleanup?: () => Promise<void>, opts: ContractOptions = {},
): void {
  describe(`storage contract: ${name}`, () => {
    let s: StorageBackend;
    before(async () => {
      s = await open();
      await s.init();
      await s.init(); // idempotent
    });
    after(async () => {
      await s?.close();
      await cleanup?.();
    });

    test('models: put, get, list, update (JSON fields exact, optional fields absent)', async () => {
      const a: ModelRecord = {
        name: 'mdl-a', outputKind: 'multiclass', segmentKeys: ['country', 'tier'], classes: ['cat', 'dog', ''],
        inputSchema: { type: 'object', properties: { x: { type: 'number', minimum: -1.5 } }, required: ['x'] },
        description: 'first', createdAt: T0, updatedAt: T0 + 1,
      };
      const b: ModelRecord = { name: 'mdl-b', outputKind: 'regression', inputSchema: {}, segmentKeys: [], createdAt: T0, updatedAt: T0 };
      await s.putModel(b);
      await s.putModel(a);
      assert.deepStrictEqual(await s.getModel('mdl-a'), a);
      assert.deepStrictEqual(await s.getModel('mdl-b'), b);
      assert.equal(await s.getModel('mdl-missing'), null);
      const a2: ModelRecord = { ...a, outputKind: 'binary', classes: ['no', 'yes'], segmentKeys: [], updatedAt: T0 + 99 };
      delete a2.description;
      await s.putModel(a2);
      assert.deepStrictEqual(await s.getModel('mdl-a'), a2);
      assert.deepStrictEqual((await s.listModels()).filter((m) => m.name.startsWith('mdl-')), [a2, b]);
    });

    test('versions: put, get, list, update', async () => {
      const v1: VersionRecord = {
        model: 'ver', version: 'v1', createdAt: T0 + 5,
        reference: { profile: { x: [1, 2.5, null, true, 'z'] }, n: 1e21 }, metadata: { git: 'abc' },
      };
      const v2: VersionRecord = { model: 'ver', version: 'v2', createdAt: T0 + 10 };
      const other: VersionRecord = { model: 'ver-other', version: 'v1', createdAt: T0 };
      for (const v of [v2, other, v1]) await s.putVersion(v);
      assert.deepStrictEqual(await s.getVersion('ver', 'v1'), v1);
      assert.deepStrictEqual(await s.getVersion('ver', 'v2'), v2);
      assert.equal(await s.getVersion('ver', 'v3'), null);
      assert.deepStrictEqual(await s.listVersions('ver'), [v1, v2]);
      const v1b: VersionRecord = { model: 'ver', version: 'v1', createdAt: T0 + 5, reference: { n: 2 } };
      await s.putVersion(v1b);
      assert.deepStrictEqual(await s.getVersion('ver', 'v1'), v1b);
      assert.deepStrictEqual(await s.listVersions('nobody'), []);
      // without a model: every model's, by model
      assert.deepStrictEqual((await s.listVersions()).filter((v) => v.model.startsWith('ver')), [v1b, v2, other]);
    });

    eventContract(() => s);

    summaryContract(() => s);

    commitContract(name, () => s, opts.minEventsPerSecond);

    test('state: get/set/overwrite', async () => {
      assert.equal(await s.getState('st-missing'), null);
      await s.setState('st-a', 'one');
      await s.setState('st-a', 'two');
      await s.setState('st-empty', '');
      assert.equal(await s.getState('st-a'), 'two');
      assert.equal(await s.getState('st-empty'), '');
      await s.setState('st-b.x', 'three');
      await s.setState('st_a', 'not this'); // '_' is no wildcard
      assert.deepStrictEqual(await s.statesWithPrefix('st-'), new Map([['st-a', 'two'], ['st-b.x', 'three'], ['st-empty', '']]));
      assert.deepStrictEqual(await s.statesWithPrefix('st-b.'), new Map([['st-b.x', 'three']]));
      assert.deepStrictEqual(await s.statesWithPrefix('none-such.'), new Map());
    });

    test('values round trip: unicode, empty, 1 MB strings, extreme numbers, nulls', async () => {
      const m = 'val-ü😀';
      const e1 = ev('v-😀-1', m, {
        version: 'βeta', segment: 'country=%C3%BC&tier=gold', prediction: '', error: MB, costUsd: -0.000123456789,
        score: 5e-324, latencyMs: 1.7976931348623157e308, scores: [0.1, 0.2, 0.7000000000000001, 0, 1e-300],
        features: { 'ключ': 'значение 😀', empty: '', big: MB, n: [1, -2.5, 1e300, null], b: false, nested: { z: null } },
      });
      const e2 = ev('v-2', m, { segment: '', prediction: null, score: null, scores: null, latencyMs: null, error: null, costUsd: null, features: null });
      await s.appendEvents([e1, e2]);
      assert.deepStrictEqual(sortById(await s.getEvents([e1.id, e2.id])), sortById([e1, e2]));
      assert.deepStrictEqual(await s.queryEvents({ model: m, from: T0, to: T0 + 1, version: 'βeta' }), [e1]);
      await s.appendRejects([rej(m, { excerpt: MB, reason: '', version: '' })]);
      assert.equal(await s.countRejects(m), 1);
      await s.setState('st-big-😀', MB);
      assert.equal(await s.getState('st-big-😀'), MB);
      const model: ModelRecord = {
        name: m, outputKind: 'binary', inputSchema: { title: '模型', big: MB }, segmentKeys: ['ü'], classes: ['', '😀'],
        description: '', createdAt: 0, updatedAt: Number.MAX_SAFE_INTEGER,
      };
      await s.putModel(model);
      assert.deepStrictEqual(await s.getModel(m), model);
    });

    test('reopen: close and open again, data is still there', async () => {
      const model = await s.getModel('mdl-a');
      const summaries = (await s.querySummaries({ model: 'sum', granularity: 'hour', from: 0, to: T0 * 2 })).map(plain);
      const events = await s.queryEvents({ model: 'evq', from: 0, to: T0 * 2 });
      const total = await s.countEvents();
      await s.setState('st-reopen', 'yes');
      await s.close();
      await s.close(); // idempotent
      s = await open();
      await s.init();
      assert.deepStrictEqual(await s.getModel('mdl-a'), model);
      assert.deepStrictEqual((await s.querySummaries({ model: 'sum', granularity: 'hour', from: 0, to: T0 * 2 })).map(plain), summaries);
      assert.deepStrictEqual(await s.queryEvents({ model: 'evq', from: 0, to: T0 * 2 }), events);
      assert.equal(await s.countEvents(), total);
      assert.equal(await s.getState('st-reopen'), 'yes');
    });
  });
}
