import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { call, testServer } from './helpers/server.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);

describe('audit6: ingest rejects and per-segment quality (real server, DuckDB file)', () => {
  let s: Server;
  let base = '';
  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => (c.ingest.sampleRate = 1) });
    base = s.url;
  });
  after(async () => {
    await s.close();
  });

  test('a rejected row counts under its own segment and timestamp when they are valid; else under "" / arrival time; totals unchanged', async () => {
    const schema = { type: 'object', properties: { x: { type: 'number' } }, required: ['x'] };
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'rq', outputKind: 'regression', segmentKeys: ['region'], inputSchema: schema })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/rq/versions', { version: '1' })).status, 201);
    const old = NOW - 5 * HOUR;
    const row = (id: string, o: Record<string, unknown>) => ({ id, model: 'rq', version: '1', prediction: 1, features: { x: 1 }, ...o });
    const events = [
      row('ok-1', { timestamp: old, segment: { region: 'eu' } }),
      row('ok-2', { timestamp: old, segment: { region: 'us' } }),
      // back-filled rows of segment eu with a schema violation: counted at their own time, in eu
      ...[1, 2, 3, 4].map((i) => row(`bad-eu-${i}`, { timestamp: old + i * 60_000, segment: { region: 'eu' }, features: { x: 'text' } })),
      // a bad segment: counted at its own time, in no segment ('' only)
      row('bad-seg', { timestamp: old, segment: { region: { nested: true } } }),
      // a bad timestamp: counted now (arrival), in its valid segment eu
      row('bad-ts', { timestamp: '2026-01-31', segment: { region: 'eu' } }),
      // an unknown version: not counted in any version's windows
      row('bad-version', { version: '9', timestamp: old, segment: { region: 'eu' } }),
    ];
    const r = await call(base, 'POST', '/v1/events', { events });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body['accepted'], 2, JSON.stringify(r.body));
    const rejected = async (from: number, to: number, segment = ''): Promise<{ n: number; byCode: Record<string, number> }> => {
      const q = await call(base, 'GET', `/v1/models/rq/quality?from=${from}&to=${to}${segment && `&segment=${encodeURIComponent(segment)}`}`);
      assert.equal(q.status, 200, JSON.stringify(q.body));
      return { n: q.body['rejected'] as number, byCode: q.body['rejectedByCode'] as Record<string, number> };
    };
    const all = { from: NOW - 6 * HOUR, to: NOW + HOUR };
    // totals: every rejected row of the known version once (4 + 1 + 1)
    assert.deepEqual(await rejected(all.from, all.to), { n: 6, byCode: { schema_violation: 4, invalid_segment: 1, invalid_timestamp: 1 } });
    assert.deepEqual(await rejected(all.from, all.to, 'region=eu'), { n: 5, byCode: { schema_violation: 4, invalid_timestamp: 1 } });
    assert.deepEqual(await rejected(all.from, all.to, 'region=us'), { n: 0, byCode: {} });
    // by time: the back-filled rows in their own hour, the bad timestamp at arrival
    assert.deepEqual(await rejected(old - HOUR, old + HOUR), { n: 5, byCode: { schema_violation: 4, invalid_segment: 1 } });
    assert.deepEqual(await rejected(old - HOUR, old + HOUR, 'region=eu'), { n: 4, byCode: { schema_violation: 4 } });
    assert.deepEqual(await rejected(NOW - HOUR, NOW + HOUR), { n: 1, byCode: { invalid_timestamp: 1 } });
    // the rejected series (hour windows) agrees with /quality
    const ts = await call(base, 'GET', `/v1/models/rq/timeseries?metric=rejected&from=${all.from}&to=${all.to}&granularity=hour&segment=region%3Deu`);
    assert.equal(ts.status, 200, JSON.stringify(ts.body));
    const points = ts.body['points'] as Array<{ start: number; value: number | null }>;
    const sum = points.reduce((a, p) => a + (p.value ?? 0), 0);
    assert.equal(sum, 5, JSON.stringify(points));
  });
});
