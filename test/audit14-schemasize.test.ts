import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../src/storage/open.js';
import { lookoutAsync, tempDir } from './helpers/cli.js';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { call } from './helpers/server.js';

const values = (n: number): string[] => Array.from({ length: n }, (_, i) => `v${i}`);
const features = (n: number): Record<string, unknown> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, { type: 'number', description: `feature ${i}` }]));

/**
 * A model's input schema is checked against draft-07's meta-schema and compiled by Ajv on the server's event loop. A
 * 200,000-value enum held the whole server 296 s (the meta-schema's uniqueness check is quadratic); 20,000 properties,
 * 500 levels of nesting or a chain of 3,000 $refs failed after seconds with "Maximum call stack size exceeded", and so
 * did 1,800 properties (a wide but real model). A real server process: before the fix the enum's request timed out.
 */
describe('input schemas beyond the documented limits are refused at once, naming the limit (real server process)', () => {
  let s: RunningServer;
  before(async () => {
    s = await spawnServe(['--data-dir', tempDir('lookout-schemasize-')]);
  });
  after(async () => {
    await s.stop('SIGKILL');
  });

  const declare = async (name: string, inputSchema: Record<string, unknown>): Promise<{ status: number; message: string }> => {
    const res = await fetch(`${s.url}/v1/models`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(5_000),
      body: JSON.stringify({ name, outputKind: 'regression', inputSchema }),
    });
    const body = await res.json() as { error?: { code: string; message: string } };
    if (res.status === 400) assert.equal(body.error?.code, 'validation_failed');
    return { status: res.status, message: body.error?.message ?? '' };
  };

  test('a 200,000-value enum answers 400 within seconds, and /healthz answers meanwhile', async () => {
    const sent = declare('big-enum', { type: 'object', properties: { plan: { enum: values(200_000) } } });
    const health = await fetch(`${s.url}/healthz`, { signal: AbortSignal.timeout(5_000) });
    assert.equal(health.status, 200);
    const r = await sent;
    assert.equal(r.status, 400, r.message);
    assert.match(r.message, /^inputSchema is not a valid input schema: properties\.plan\.enum has 200000 values, more than the 10,000 an enum may have/);
    // 10,000 values are fine
    assert.equal((await declare('enum-10k', { type: 'object', properties: { plan: { enum: values(10_000) } } })).status, 201);
  });

  test('20,000 properties, deep nesting, long or circular $ref chains are refused naming the path and the limit', async () => {
    const wide = await declare('wide', { type: 'object', properties: features(20_000) });
    assert.equal(wide.status, 400, wide.message);
    assert.match(wide.message, /more than 10,000 subschemas .*at most 10,000/);

    let deep: Record<string, unknown> = { type: 'number' };
    for (let i = 0; i < 2000; i++) deep = { type: 'object', properties: { x: deep } };
    const nested = await declare('deep', deep);
    assert.equal(nested.status, 400, nested.message);
    assert.match(nested.message, /^inputSchema is not a valid input schema: properties\.x\.properties\.x.* nests objects and arrays more than 100 levels deep/);

    const definitions: Record<string, unknown> = { d3000: { type: 'number' } };
    for (let i = 0; i < 3000; i++) definitions[`d${i}`] = { $ref: `#/definitions/d${i + 1}` };
    const chain = await declare('chain', { type: 'object', definitions, properties: { a: { $ref: '#/definitions/d0' } } });
    assert.equal(chain.status, 400, chain.message);
    assert.match(chain.message, /\$ref "#\/definitions\/d\d+" starts a chain of more than 32 \$refs/);

    const self = await declare('self', { type: 'object', definitions: { a: { $ref: '#/definitions/a' } }, properties: { a: { $ref: '#/definitions/a' } } });
    assert.equal(self.status, 400, self.message);
    assert.match(self.message, /\$ref "#\/definitions\/a" leads back to itself through \$refs only/);
  });

  test('what still overflows Ajv\'s compile is a clear 400, not "Maximum call stack size exceeded" alone', async () => {
    // 1,000 definitions each holding a $ref to the next: within every bound, compiled one inside the other
    const definitions: Record<string, unknown> = { d1000: { type: 'number' } };
    for (let i = 0; i < 1000; i++) definitions[`d${i}`] = { type: 'object', properties: { x: { $ref: `#/definitions/d${i + 1}` } } };
    const r = await declare('nested-refs', { type: 'object', definitions, properties: { a: { $ref: '#/definitions/d0' } } });
    assert.equal(r.status, 400, r.message);
    assert.match(r.message, /too large or too deeply nested to compile \(Maximum call stack size exceeded\): see the limits on input schemas/);
  });

  test('a wide real model (3,000 features) is declared and checks its events', async () => {
    assert.equal((await declare('wide-ok', { type: 'object', properties: features(3000) })).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/models/wide-ok/versions', { version: '1' })).status, 201);
    const good = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`f${i}`, i]));
    const res = await call(s.url, 'POST', '/v1/events', { events: [
      { model: 'wide-ok', version: '1', features: good, prediction: 1 },
      { model: 'wide-ok', version: '1', features: { ...good, f2999: 'x' }, prediction: 1 },
    ] });
    const results = res.body['results'] as Array<{ status: string; code?: string; message?: string }>;
    assert.deepEqual(results.map((r) => r.code ?? r.status), ['accepted', 'schema_violation'], JSON.stringify(results));
    assert.match(results[1]?.message ?? '', /\/f2999 must be number/);
  });
});

describe('the config file and a store written by an earlier release', () => {
  test('a config file model with an enum over the limit stops the server with one line, exit 2', async () => {
    const dir = tempDir('lookout-schemasize-');
    const file = join(dir, 'lookout.yaml');
    writeFileSync(file, JSON.stringify({ dataDir: join(dir, 'data'), models: [{ name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { plan: { enum: values(10_001) } } } }] }));
    // before, the server started (after seconds): killed at the timeout
    const r = await lookoutAsync(['serve', '--config', file, '--port', '0'], 20_000);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /models\[0\].*inputSchema is not a valid input schema: properties\.plan\.enum has 10001 values, more than the 10,000 an enum may have/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });

  test('a model stored with a 50,000-value enum still starts, checks its events, and is refused when declared again', async () => {
    const dataDir = tempDir('lookout-schemasize-');
    const store = await openStore(`duckdb:${join(dataDir, 'lookout.duckdb')}`);
    await store.init();
    await store.putModel({ name: 'old', outputKind: 'regression', inputSchema: { type: 'object', properties: { plan: { enum: values(50_000) } } }, segmentKeys: [], createdAt: 1, updatedAt: 1 });
    await store.putVersion({ model: 'old', version: '1', createdAt: 1 });
    await store.close();
    const s = await spawnServe(['--data-dir', dataDir], 60_000);
    try {
      const res = await call(s.url, 'POST', '/v1/events', { events: [
        { model: 'old', version: '1', features: { plan: 'v49999' }, prediction: 1 },
        { model: 'old', version: '1', features: { plan: 'nope' }, prediction: 1 },
      ] });
      const results = res.body['results'] as Array<{ status: string; code?: string }>;
      assert.deepEqual(results.map((r) => r.code ?? r.status), ['accepted', 'schema_violation']);
      const again = await call(s.url, 'POST', '/v1/models', { name: 'old', outputKind: 'regression', inputSchema: { type: 'object', properties: { plan: { enum: values(50_000) } } } });
      assert.equal(again.status, 400);
      assert.match((again.body['error'] as { message: string }).message, /properties\.plan\.enum has 50000 values/);
    } finally {
      await s.stop('SIGKILL');
    }
  });
});
