import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Dataset } from '../src/io/dataset.js';
import { SegmentCap } from '../src/ingest/segment-cap.js';
import { ModelCatalog, segmentKeysState } from '../src/monitoring/catalog.js';
import type { StorageBackend } from '../src/storage/backend.js';
import { openStore } from '../src/storage/open.js';
import { tempDir } from './helpers/cli.js';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { call } from './helpers/server.js';

const features = (n: number): Record<string, unknown> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i % 4 === 0 ? { type: 'string' } : { type: 'number' }]));
const values = (n: number, j = 0): Record<string, unknown> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i % 4 === 0 ? `c${j % 5}` : i + j]));

/**
 * Audit 15 (scale): what a deployment that grows meets. A real server process throughout.
 */
describe('wide models (real server process)', () => {
  let s: RunningServer;
  before(async () => {
    s = await spawnServe(['--data-dir', tempDir('lookout-audit15-scale-')]);
  });
  after(async () => {
    await s.stop('SIGKILL');
  });

  // Ajv compiled a schema of 1,700-2,400 properties (allErrors off) into one function nesting a block per property:
  // compiling it passed, but V8's parser overflowed its stack when the validator first ran, so every event of such a
  // model answered 500 "internal error" (the whole batch). 1,500 and 3,000 properties worked (the latter compiled flat).
  for (const n of [1_700, 2_000, 2_400]) {
    test(`a model of ${n.toLocaleString('en-US')} features checks its events (500 internal error before)`, async () => {
      const name = `wide${n}`;
      const declared = await call(s.url, 'POST', '/v1/models', { name, outputKind: 'binary', inputSchema: { type: 'object', properties: features(n) } });
      assert.equal(declared.status, 201, JSON.stringify(declared.body).slice(0, 300));
      assert.equal((await call(s.url, 'POST', `/v1/models/${name}/versions`, { version: '1' })).status, 201);
      const good = values(n);
      const res = await call(s.url, 'POST', '/v1/events', { events: [
        { model: name, version: '1', features: good, prediction: 'yes', score: 0.7 },
        { model: name, version: '1', features: { ...good, f1: 'x' }, prediction: 'no', score: 0.2 },
      ] });
      assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
      const results = res.body['results'] as Array<{ status: string; code?: string; message?: string }>;
      assert.deepEqual(results.map((r) => r.code ?? r.status), ['accepted', 'schema_violation'], JSON.stringify(results).slice(0, 300));
      assert.match(results[1]?.message ?? '', /\/f1 must be number/);
    });
  }
});


describe('reference files of many columns', () => {
  // Which text columns hold numbers was one DuckDB query of three aggregates per text column, planned in time growing
  // faster than their number: 500 text columns 9.3 s, 1,000 40 s, on a loaded 2-core machine (a reference upload of a
  // 2,000-feature model spent 11 of its 24 s there). Now 16 columns a query: 1,000 in ~2 s.
  test('reading a file of 1,200 text columns classifies them in seconds (over a minute before), the same way', async () => {
    const dir = tempDir('lookout-audit15-ref-');
    const path = join(dir, 'wide.csv');
    const n = 1_200;
    const cols = Array.from({ length: n }, (_, i) => `t${i}`);
    // odd columns categories; even ones numbers with a missing-value text first (DuckDB reads them as text)
    const rows = Array.from({ length: 20 }, (_, j) => cols.map((_c, i) => (i % 2 === 1 ? `c${j % 3}` : j === 0 ? 'n/a' : String(j))).join(','));
    writeFileSync(path, [cols.join(','), ...rows].join('\n') + '\n');
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    // The statements run are counted, not timed (CI time, 2026-12-07: the 15 s bound this had failed at 20.4 s on a loaded
    // machine): 16 text columns a query is 75 queries for these 1,200 columns (116 statements in all, 2026-12-07), one
    // query per column (the slow way) 1,200 and more.
    let statements = 0;
    const counting = new Proxy(conn, {
      get(target, key, receiver) {
        const v: unknown = Reflect.get(target, key, receiver);
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          if (typeof key === 'string' && /^(run|stream|prepare|start)/.test(key)) statements++;
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    try {
      const t0 = performance.now();
      const ds = await Dataset.load(counting, path, 'reference');
      const ms = performance.now() - t0;
      assert.equal(ds.columns.length, n);
      assert.deepEqual(ds.columns.filter((c) => c.cls === 'numerical').map((c) => c.name), cols.filter((_c, i) => i % 2 === 0));
      assert.ok(statements <= n / 4, `Dataset.load ran ${statements} statements for ${n} text columns (took ${Math.round(ms)} ms)`);
      assert.ok(statements > 0, 'the statements were counted');
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});

/** The store, counting the calls made of each of its methods. */
function counted(store: StorageBackend): { store: StorageBackend; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const proxy = new Proxy(store, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        calls.set(String(key), (calls.get(String(key)) ?? 0) + 1);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, calls };
}

describe('start-up with many models', () => {
  // A server's start read each model's versions and segment keys one model at a time, then scanned the day windows once
  // per model and version for the segments the cap counts: ~5 reads per model of 3 versions, 1,500 models 11-13 s of
  // start (DuckDB, an empty store; the scans grow with the store). Now a few reads in all.
  test('300 models of 3 versions load with a few store reads (over 1,500 before), with the same versions, keys and segments', async () => {
    const dir = tempDir('lookout-audit15-start-');
    const raw = await openStore(`duckdb:${join(dir, 'lookout.duckdb')}`);
    await raw.init();
    try {
      const n = 300;
      for (let i = 0; i < n; i++) {
        const name = `m${i}`;
        await raw.putModel({ name, outputKind: 'binary', inputSchema: { type: 'object', properties: { x: { type: 'number' } } }, segmentKeys: ['region'], createdAt: 1, updatedAt: 1 });
        for (let v = 0; v < 3; v++) await raw.putVersion({ model: name, version: `1.${v}.0`, createdAt: 10 + v });
        // the segment keys ever declared, as a declaration keeps them (on every other model 'tier' too, dropped since)
        await raw.setState(segmentKeysState(name), JSON.stringify(i % 2 === 0 ? ['region', 'tier'] : ['region']));
      }
      const day = 86_400_000;
      // day windows of two segments for m0 (versions 1.0.0 and 1.2.0), of a version no longer declared for m1
      await raw.putSummaries([
        { model: 'm0', version: '1.0.0', segment: 'region=eu', granularity: 'day', windowStart: day, data: new Uint8Array([1]) },
        { model: 'm0', version: '1.2.0', segment: 'region=us', granularity: 'day', windowStart: 2 * day, data: new Uint8Array([1]) },
        { model: 'm1', version: 'gone', segment: 'region=eu', granularity: 'day', windowStart: day, data: new Uint8Array([1]) },
      ]);
      const { store, calls } = counted(raw);
      const catalog = new ModelCatalog(store);
      await catalog.load();
      const cap = new SegmentCap(2);
      await cap.seedFrom(store, catalog);
      const reads = [...calls.values()].reduce((a, b) => a + b, 0);
      assert.ok(reads <= 6, `start-up made ${reads} store calls: ${JSON.stringify([...calls])}`);
      assert.equal(catalog.models().length, n);
      assert.deepEqual(catalog.versions('m7').map((v) => v.record.version), ['1.0.0', '1.1.0', '1.2.0']);
      assert.deepEqual(catalog.segmentKeysEver('m4'), ['region', 'tier']);
      assert.deepEqual(catalog.segmentKeysEver('m5'), ['region']);
      // m0 holds two segments already: a third is folded; m1's only stored segment is of an undeclared version
      assert.deepEqual(cap.place({ model: 'm0', segment: { region: 'eu' } }).segment, { region: 'eu' });
      assert.deepEqual(cap.place({ model: 'm0', segment: { region: 'apac' } }).segment, { region: '__other__' });
      assert.deepEqual(cap.place({ model: 'm1', segment: { region: 'us' } }).segment, { region: 'us' });
      assert.deepEqual(cap.place({ model: 'm1', segment: { region: 'apac' } }).segment, { region: 'apac' });
      assert.deepEqual(cap.place({ model: 'm1', segment: { region: 'x' } }).segment, { region: '__other__' });
    } finally {
      await raw.close();
    }
  });
});
