import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Server } from '../src/server.js';
import { call, testServer } from './helpers/server.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** A 40-feature input schema, a new object each time (as each request's parsed body is). */
function schema(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const properties = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, i % 2 === 0 ? { type: 'number', minimum: -1e9 } : { type: 'string', maxLength: 200 }]));
  return { type: 'object', properties, ...extra };
}

// Regression (audit 11, soak): every compile of a model's input schema (each POST /v1/models compiled it up to three
// times; each start once per model) stayed in Ajv's cache for the life of the process, keyed by the parsed body's object:
// ~6 KB per compile of a 10-feature schema, unbounded for a client that declares its models at each deploy. And a schema
// carrying "$id" was registered under it: declaring the model again, even unchanged, was a 400 "schema with key or id
// ... already exists", as was a second model whose schema has the same "$id".
describe('audit11: input schemas are compiled without being kept by the validator cache', { timeout: 120_000 }, () => {
  let server: Server;
  before(async () => {
    server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; c.server.warmUpDays = 0; } });
  });
  after(async () => {
    await server.close();
  });

  test('a model whose input schema has "$id" can be declared again, and another model can use the same schema', async () => {
    const body = { name: 'withid', outputKind: 'binary', classes: ['0', '1'], inputSchema: schema({ $id: 'https://example.com/schemas/churn.json' }) };
    assert.equal((await call(server.url, 'POST', '/v1/models', body)).status, 201);
    const again = await call(server.url, 'POST', '/v1/models', body);
    assert.equal(again.status, 200, JSON.stringify(again.body));
    const other = await call(server.url, 'POST', '/v1/models', { ...body, name: 'withid2' });
    assert.equal(other.status, 201, JSON.stringify(other.body));
    // the validator still checks events against the schema
    const ev = await call(server.url, 'POST', '/v1/events', { events: [{ model: 'withid', version: '1', features: { f0: 'text' }, prediction: '1', score: 0.9 }] });
    assert.equal(ev.status, 200, JSON.stringify(ev.body));
    assert.equal(ev.body['rejected'], 1, JSON.stringify(ev.body));
  });

  test('declaring one model again 300 times, its schema changed each time, does not grow the heap by what its validators take', async () => {
    let n = 0;
    const declare = async (): Promise<void> => {
      const r = await call(server.url, 'POST', '/v1/models', { name: 'again', outputKind: 'binary', classes: ['0', '1'], inputSchema: schema({ description: `revision ${n++}` }) });
      assert.ok(r.status === 200 || r.status === 201, JSON.stringify(r.body));
    };
    for (let i = 0; i < 20; i++) await declare(); // caches and JIT settle
    const before = heapAfterGc();
    for (let i = 0; i < 300; i++) await declare();
    const grown = heapAfterGc() - before;
    // before the fix: ~45 KB per declaration (13+ MB); a compiled validator of this schema is ~20 KB
    assert.ok(grown < 3 * 1024 * 1024, `the heap grew by ${(grown / 1048576).toFixed(1)} MB over 300 declarations of the same model`);
  });
});

// Regression (audit 11, soak): the registry's control state (aliases, serving, pauses, upstreams) was re-read from the
// store every 5 s (registry.refreshMs) one model at a time, four queries each, one of them every pause of every model:
// an idle server with 2,000 models took 74% of a core (17% with the refresh off), 8,000 queries per round, and a round
// slower than 5 s overlapped the next. Now a round reads the whole state in a few queries, whatever the number of models.
describe('audit11: the periodic registry refresh reads all models at once', { timeout: 120_000 }, () => {
  let server: Server;
  before(async () => {
    server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; c.server.warmUpDays = 0; } });
  });
  after(async () => {
    await server.close();
  });

  test('a refresh of 150 models makes a handful of store reads, and picks up what another node wrote', async () => {
    const inputSchema = { type: 'object', properties: { x: { type: 'number' } } };
    for (let i = 0; i < 150; i++) {
      const name = `m${String(i).padStart(3, '0')}`;
      assert.equal((await call(server.url, 'POST', '/v1/models', { name, outputKind: 'regression', inputSchema })).status, 201);
      assert.equal((await call(server.url, 'PUT', `/v1/models/${name}/versions/1.0.0`, { upstream: `http://127.0.0.1:9/${name}` })).status, 201);
      assert.equal((await call(server.url, 'PUT', `/v1/models/${name}/versions/2.0.0`, {})).status, 201);
    }
    const services = server.deps.registry;
    assert.ok(services);
    const registry = services.registry;
    const store = registry.store;
    // What another node sharing the store writes (this server only sees it through the refresh).
    const d = { model: 'm007', at: 1, by: 'node-b', reason: 'test', from: null };
    await store.setAlias({ model: 'm007', alias: 'production', to: '2.0.0' }, { ...d, id: 'dep-1', alias: 'production', to: '2.0.0', kind: 'set' });
    await store.pause({ model: 'm042', version: '1.0.0', at: 1, by: 'node-b', reason: 'test' }, { ...d, model: 'm042', id: 'dep-2', alias: '', to: '1.0.0', kind: 'pause' });
    await store.putServing('m099', { alias: 'production', timeoutMs: 250 }, 1);
    await store.updateVersion('m120', '2.0.0', { upstream: 'http://127.0.0.1:9/new' });

    // Counts the reads the refresh makes through the real store.
    let reads = 0;
    const counted = store as unknown as Record<string, unknown>;
    const originals: Array<[string, unknown]> = [];
    for (const k of ['listPauses', 'getServing', 'listServing', 'listVersions', 'getVersion', 'aliases', 'versionTargets', 'allAliases']) {
      const f = counted[k];
      if (typeof f !== 'function') continue;
      originals.push([k, f]);
      counted[k] = (...args: unknown[]) => {
        reads++;
        return (f as (...a: unknown[]) => unknown).apply(store, args);
      };
    }
    try {
      await registry.load();
    } finally {
      for (const [k, f] of originals) counted[k] = f;
    }
    assert.ok(reads <= 10, `one refresh of 150 models made ${reads} store reads`);
    assert.deepStrictEqual(registry.control('m007').aliases, { production: '2.0.0' });
    assert.deepStrictEqual([...registry.control('m042').pausedVersions], ['1.0.0']);
    assert.equal(registry.control('m042').modelPaused, false);
    assert.equal(registry.control('m099').serving.timeoutMs, 250);
    assert.equal(registry.control('m120').upstreams.get('2.0.0'), 'http://127.0.0.1:9/new');
    assert.equal(registry.control('m120').upstreams.get('1.0.0'), 'http://127.0.0.1:9/m120');
    assert.deepStrictEqual([...registry.control('m001').registered].sort(), ['1.0.0', '2.0.0']);
    assert.deepStrictEqual(registry.control('m001').aliases, {});
  });
});
