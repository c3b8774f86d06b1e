import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { tempDir } from './helpers/cli.js';
import { testSchemas } from './helpers/pg-schemas.js';
import { call, succeeding, testServer } from './helpers/server.js';

// Audit 21: segments, the leftovers of audit 20 (real server, DuckDB file, and PostgreSQL where storage is involved).
const MINUTE = 60_000;
const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);
const FROM = NOW - HOUR;
const RANGE = `from=${FROM}&to=${NOW}`;

const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };

const pgUrl = process.env['LOOKOUT_TEST_PG_URL'];
const schemaUrl = testSchemas('lookout_audit21', pgUrl).url;
const BACKENDS = ['DuckDB file', 'PostgreSQL'] as const;
const skipOf = (backend: (typeof BACKENDS)[number]): string | false => (backend === 'PostgreSQL' && !pgUrl ? 'LOOKOUT_TEST_PG_URL not set' : false);

/** A real server on `dataDir` (and, for PostgreSQL, the schema `store`), the segment limit `cap`; restartable on the same store. */
function starter(backend: (typeof BACKENDS)[number], cap: number, clock: () => number): { start: () => Promise<Server> } {
  const dataDir = tempDir('lookout-a21-');
  const store = backend === 'PostgreSQL' ? schemaUrl(`cap${cap}`) : undefined;
  return {
    start: () => testServer({
      clock,
      configure: (c) => {
        c.dataDir = dataDir;
        c.ingest.maxSegmentsPerModel = cap;
        if (store !== undefined) c.storage = store;
      },
    }),
  };
}

const event = (id: string, region: string, i: number, x: unknown = i): Record<string, unknown> => ({
  id, model: 'cap', version: '1', timestamp: FROM + 2 * MINUTE + i * 1000, features: { x }, prediction: i, segment: { region },
});

for (const backend of BACKENDS) {
  describe(`audit 21: rejected rows and the segment limit (real server, ${backend})`, { skip: skipOf(backend) }, () => {
    test('rows refused by validation take no slot of ingest.maxSegmentsPerModel: valid segments after a flood of bad ones keep theirs, across a restart', async () => {
      // Until audit 21 SegmentCap placed a rejected row's segment as an accepted event's: 5 rows of new regions refused for
      // their features took the model's 4 slots, and every valid region after them went under "__other__".
      const srv = starter(backend, 4, () => NOW);
      let s = await srv.start();
      try {
        const ok = succeeding(() => s.url);
        await ok('POST', '/v1/models', { name: 'cap', outputKind: 'regression', segmentKeys: ['region'], inputSchema: SCHEMA });
        await ok('POST', '/v1/models/cap/versions', { version: '1' });
        const bad = ['b1', 'b2', 'b3', 'b4', 'b5'].map((r, i) => event(`bad-${r}`, r, i, 'not a number'));
        const flood = await ok('POST', '/v1/events', { events: bad });
        assert.equal(flood['rejected'], 5, JSON.stringify(flood));
        const good = await ok('POST', '/v1/events', { events: ['eu', 'us', 'asia'].map((r, i) => event(`ok-${r}`, r, 10 + i)) });
        assert.equal(good['accepted'], 3, JSON.stringify(good));
        // a refused row of a segment with accepted events still counts under its segment
        assert.equal((await ok('POST', '/v1/events', { events: [event('bad-eu', 'eu', 20, 'nope')] }))['rejected'], 1);
        const segments = async (): Promise<string[]> => ((await ok('GET', `/v1/models/cap/segments?${RANGE}`))['segments'] as string[]).slice().sort();
        assert.deepEqual(await segments(), ['region=asia', 'region=eu', 'region=us']);
        assert.equal((await ok('GET', `/v1/models/cap/health?${RANGE}&segment=region=eu`))['events'], 1);
        assert.equal((await ok('GET', `/v1/models/cap/quality?${RANGE}&segment=region=eu`))['rejected'], 1);
        // every refused row still counts in the model's totals
        assert.equal((await ok('GET', `/v1/models/cap/quality?${RANGE}`))['rejected'], 6);
        await s.close();
        // after a restart the stored segments are counted again (seeded): the refused rows' regions are not among them
        s = await srv.start();
        assert.equal((await ok('POST', '/v1/events', { events: [event('ok-latam', 'latam', 30), event('ok-africa', 'africa', 31)] }))['accepted'], 2);
        assert.deepEqual(await segments(), ['region=__other__', 'region=asia', 'region=eu', 'region=latam', 'region=us']);
        assert.equal((await ok('GET', `/v1/models/cap/health?${RANGE}&segment=region=latam`))['events'], 1);
        assert.equal((await ok('GET', `/v1/models/cap/quality?${RANGE}`))['rejected'], 6);
      } finally {
        await s.close();
      }
    });
  });
}
