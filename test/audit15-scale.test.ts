import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Dataset } from '../src/io/dataset.js';
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
    try {
      const t0 = performance.now();
      const ds = await Dataset.load(conn, path, 'reference');
      const ms = performance.now() - t0;
      assert.equal(ds.columns.length, n);
      assert.deepEqual(ds.columns.filter((c) => c.cls === 'numerical').map((c) => c.name), cols.filter((_c, i) => i % 2 === 0));
      assert.ok(ms < 15_000, `Dataset.load took ${Math.round(ms)} ms`);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});
