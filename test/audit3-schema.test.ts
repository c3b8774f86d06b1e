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
