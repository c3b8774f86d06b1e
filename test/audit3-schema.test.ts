import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { tempDir } from './helpers/cli.js';
import { call, testServer } from './helpers/server.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const FROM = NOW - HOUR;
const RANGE = `from=${FROM}&to=${NOW}`;

const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };
const REFERENCE = `x\n${Array.from({ length: 40 }, (_, i) => `${i}`).join('\n')}\n`;

/** A model's declaration changing while its data is stored (real server, DuckDB file, restarted on the same data dir). */
describe('a model whose segment keys change keeps its history queryable by the old keys (real server, DuckDB file)', () => {
  const dataDir = tempDir('lookout-schema-');
  let s: Server;
  let base = '';
  let n = 0;
  const start = async (models: Array<Record<string, unknown>> = []): Promise<void> => {
    s = await testServer({ clock: () => NOW, configure: (c) => {
      c.dataDir = dataDir;
      c.models = models as unknown as typeof c.models;
    } });
    base = s.url;
  };
  const send = async (segments: Array<Record<string, string>>): Promise<void> => {
    const events = segments.map((segment) => ({
      id: `e${n}`, model: 'keys', version: '1', timestamp: FROM + 5 * MINUTE + (n++) * MINUTE, features: { x: n % 40 }, prediction: 1, segment,
    }));
    const res = await call(base, 'POST', '/v1/events', { events });
    assert.equal(res.body['accepted'], events.length, JSON.stringify(res.body));
  };
  const eventsOf = async (segment: string): Promise<unknown> => {
    const res = await call(base, 'GET', `/v1/models/keys/health?${RANGE}&segment=${encodeURIComponent(segment)}`);
    assert.equal(res.status, 200, `${segment}: ${JSON.stringify(res.body)}`);
    return res.body['events'];
  };

  before(async () => {
    await start();
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'keys', outputKind: 'regression', segmentKeys: ['region', 'tier'], inputSchema: SCHEMA })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/keys/versions', { version: '1' })).status, 201);
    assert.equal((await call(base, 'PUT', '/v1/models/keys/versions/1/reference', REFERENCE, { 'content-type': 'text/csv' })).status, 200);
    await send([
      ...Array.from({ length: 3 }, () => ({ region: 'eu', tier: 'gold' })),
      ...Array.from({ length: 2 }, () => ({ region: 'eu', tier: 'silver' })),
      ...Array.from({ length: 4 }, () => ({ region: 'us', tier: 'gold' })),
    ]);
    // tier dropped (the API): new events are stored under region alone.
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'keys', outputKind: 'regression', segmentKeys: ['region'], inputSchema: SCHEMA })).status, 200);
    await send(Array.from({ length: 5 }, () => ({ region: 'eu', tier: 'gold' })));
  });
  after(async () => {
    await s.close();
  });

  test('after a key is dropped via the API: its segments answer from the stored history, the kept key counts old and new events', async () => {
    assert.equal(await eventsOf('tier=gold'), 7);
    assert.equal(await eventsOf('region=eu,tier=silver'), 2);
    // "region=eu" names every key declared now, but events stored before hold it under region and tier.
    assert.equal(await eventsOf('region=eu'), 10);
    assert.equal(await eventsOf('region=us'), 4);
    const events = await call(base, 'GET', `/v1/models/keys/events?${RANGE}&segment=tier%3Dgold`);
    assert.equal(events.status, 200, JSON.stringify(events.body));
    // A key never declared is still refused, naming the keys declared now and before.
    const res = await call(base, 'GET', `/v1/models/keys/health?${RANGE}&segment=colour%3Dred`);
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.match((res.body['error'] as { message: string }).message, /"colour".*region.*tier/);
  });

  test('after a restart whose config declares other keys, the keys declared before still query the history', async () => {
    await s.close();
    await start([{ name: 'keys', outputKind: 'regression', segmentKeys: ['region', 'channel'], inputSchema: SCHEMA, versions: [{ version: '1' }] }]);
    await send([{ region: 'eu', channel: 'web' }]);
    assert.equal(await eventsOf('tier=gold'), 7);
    assert.equal(await eventsOf('region=eu'), 11);
    assert.equal(await eventsOf('region=eu,channel=web'), 1);
    const seg = await call(base, 'GET', `/v1/models/keys/drift?${RANGE}&segment=tier%3Dsilver`);
    assert.equal(seg.status, 200, JSON.stringify(seg.body));
  });
});

describe('a declaration change that stored data cannot follow is refused, naming the conflict (real server, DuckDB file)', () => {
  const dataDir = tempDir('lookout-schema-kinds-');
  let s: Server;
  let base = '';
  const declare = (m: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> => call(base, 'POST', '/v1/models', m);
  const message = (res: { body: Record<string, unknown> }): string => (res.body['error'] as { message: string } | undefined)?.message ?? JSON.stringify(res.body);
  const F = { name: 'f', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' }, c: { type: 'string' } } } };
  const MC = { name: 'mc', outputKind: 'multiclass', classes: ['a', 'b', 'c'], inputSchema: SCHEMA };
  const BIN = { name: 'bin', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA };

  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => (c.dataDir = dataDir) });
    base = s.url;
    for (const m of [F, MC, BIN, { ...F, name: 'empty' }]) {
      assert.equal((await declare(m)).status, 201);
      assert.equal((await call(base, 'POST', `/v1/models/${m.name}/versions`, { version: '1' })).status, 201);
    }
    const events = [
      ...Array.from({ length: 10 }, (_, i) => ({ id: `f${i}`, model: 'f', version: '1', timestamp: FROM + i * MINUTE, features: { x: i, c: 'k' }, prediction: i })),
      ...Array.from({ length: 9 }, (_, i) => ({
        id: `mc${i}`, model: 'mc', version: '1', timestamp: FROM + i * MINUTE, features: { x: i }, prediction: 'abc'[i % 3], scores: [0, 1, 2].map((k) => (k === i % 3 ? 0.8 : 0.1)),
      })),
      ...Array.from({ length: 4 }, (_, i) => ({ id: `bin${i}`, model: 'bin', version: '1', timestamp: FROM + i * MINUTE, features: { x: i }, prediction: String(i % 2), score: 0.4 })),
    ];
    assert.equal((await call(base, 'POST', '/v1/events', { events })).body['accepted'], events.length);
  });
  after(async () => {
    await s.close();
  });

  test('a feature whose kind changes, or a prediction that stops or starts being a class, is refused while events are stored', async () => {
    const kind = await declare({ ...F, inputSchema: { type: 'object', properties: { x: { type: 'string' }, c: { type: 'string' } } } });
    assert.equal(kind.status, 400, JSON.stringify(kind.body));
    assert.match(message(kind), /feature "x" .*numerical.*categorical/);
    const coded = await declare({ ...F, inputSchema: { type: 'object', properties: { x: { type: 'number' }, c: { type: 'integer', 'x-lookout-kind': 'numerical' } } } });
    assert.equal(coded.status, 400, JSON.stringify(coded.body));
    assert.match(message(coded), /feature "c" .*categorical.*numerical/);
    const output = await declare({ ...F, outputKind: 'binary', classes: ['0', '1'] });
    assert.equal(output.status, 400, JSON.stringify(output.body));
    assert.match(message(output), /outputKind.*regression.*binary/);
    // Still as declared: its drift and distributions read.
    assert.equal(((await call(base, 'GET', '/v1/models/f')).body['inputSchema'] as { properties: { x: { type: string } } }).properties.x.type, 'number');
    // Features added and removed, and a model without data, change freely.
    assert.equal((await declare({ ...F, inputSchema: { type: 'object', properties: { x: { type: 'number' }, y: { type: 'number' } } } })).status, 200);
    assert.equal((await declare({ ...F, name: 'empty', outputKind: 'binary', inputSchema: { type: 'object', properties: { x: { type: 'string' } } } })).status, 200);
  });

  test('a multiclass model\'s classes may be appended to, not reordered or removed, while events carry scores in their order', async () => {
    const reordered = await declare({ ...MC, classes: ['c', 'b', 'a'] });
    assert.equal(reordered.status, 400, JSON.stringify(reordered.body));
    assert.match(message(reordered), /classes.*a, b, c.*c, b, a/);
    assert.equal((await declare({ ...MC, classes: ['a', 'c'] })).status, 400);
    const perf = await call(base, 'GET', `/v1/models/mc/performance?${RANGE}&ci=false&segments=false`);
    assert.deepEqual((await call(base, 'GET', '/v1/models/mc')).body['classes'], ['a', 'b', 'c'], JSON.stringify(perf.body));
    assert.equal((await declare({ ...MC, classes: ['a', 'b', 'c', 'd'] })).status, 200);
  });

  test('a classifier\'s classes that stored events name may not be removed (their labels would be refused)', async () => {
    const renamed = await declare({ ...BIN, classes: ['no', 'yes'] });
    assert.equal(renamed.status, 400, JSON.stringify(renamed.body));
    assert.match(message(renamed), /classes 0, 1 .*removed/);
    assert.equal((await call(base, 'POST', '/v1/labels', { labels: [{ id: 'bin1', label: '1' }] })).body['accepted'], 1);
    assert.equal((await declare({ ...BIN, classes: ['1', '0'] })).status, 200);
  });

  test('a restart whose config changes a feature\'s kind stops with the conflict named', async () => {
    await s.close();
    const refused = await testServer({ clock: () => NOW, configure: (c) => {
      c.dataDir = dataDir;
      c.models = [{ ...F, outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'string' } } } }];
    } }).then(async (started) => {
      await started.close();
      return 'started';
    }, (e: unknown) => String(e));
    assert.match(refused, /model "f".*feature "x" .*numerical.*categorical/);
    s = await testServer({ clock: () => NOW, configure: (c) => (c.dataDir = dataDir) });
    base = s.url;
    assert.equal(((await call(base, 'GET', '/v1/models/f')).body['inputSchema'] as { properties: { x: { type: string } } }).properties.x.type, 'number');
  });
});

describe('a reference uploaded again with other columns (real server, DuckDB file)', () => {
  let s: Server;
  let base = '';
  const upload = (csv: string): Promise<{ status: number; body: Record<string, unknown> }> => call(base, 'PUT', '/v1/models/r/versions/1/reference', csv, { 'content-type': 'text/csv' });

  before(async () => {
    s = await testServer({ clock: () => NOW });
    base = s.url;
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'r', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' }, c: { type: 'string' } } } })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/r/versions', { version: '1' })).status, 201);
    assert.equal((await upload(`x,c\n${Array.from({ length: 40 }, (_, i) => `${i},k${i % 3}`).join('\n')}\n`)).status, 200);
    const events = Array.from({ length: 10 }, (_, i) => ({ id: `r${i}`, model: 'r', version: '1', timestamp: FROM + i * MINUTE, features: { x: i, c: 'k1' }, prediction: i }));
    assert.equal((await call(base, 'POST', '/v1/events', { events })).body['accepted'], events.length);
  });
  after(async () => {
    await s.close();
  });

  test('a numerical feature\'s column holding no number is refused naming it; the reference stays as it was', async () => {
    const res = await upload(`x,c\n${Array.from({ length: 40 }, (_, i) => `v${i},${i}`).join('\n')}\n`);
    assert.equal(res.status, 422, JSON.stringify(res.body));
    assert.match((res.body['error'] as { message: string }).message, /"x".*numerical/);
    const drift = await call(base, 'GET', `/v1/models/r/drift?${RANGE}`);
    const x = (drift.body['features'] as Array<{ name: string; score: number | null }>).find((f) => f.name === 'x');
    assert.notEqual(x?.score ?? null, null, JSON.stringify(drift.body));
    // Categories that look like numbers are categories: accepted.
    assert.equal((await upload(`x,c\n${Array.from({ length: 40 }, (_, i) => `${i},${i % 3}`).join('\n')}\n`)).status, 200);
  });

  test('a feature added after the reference: its distribution says the reference lacks it, not that there is none', async () => {
    const declared = await call(base, 'POST', '/v1/models', { name: 'r', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' }, c: { type: 'string' }, added: { type: 'number' } } } });
    assert.equal(declared.status, 200, JSON.stringify(declared.body));
    const res = await call(base, 'GET', `/v1/models/r/features/added/distribution?${RANGE}`);
    assert.equal(res.status, 422, JSON.stringify(res.body));
    assert.match((res.body['error'] as { message: string }).message, /reference of version 1 .*has no feature "added".*upload/);
    assert.equal((await call(base, 'GET', `/v1/models/r/features/x/distribution?${RANGE}`)).status, 200);
  });
});
