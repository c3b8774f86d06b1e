import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, testServer } from './helpers/server.js';

// Regression (audit 10, issue 3): minute and 10-minute window summaries were kept for ever although no query reads them
// once they are past the minute-window retention (2 days): ~20 MB a day for the demo's two models, without bound.
const DAY = 86_400_000;
const model = { name: 'm', outputKind: 'regression', segmentKeys: ['region'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } };

describe('audit10: minute windows past the retention are pruned', () => {
  test('a day past the 2-day minute retention, minute and 10-minute windows go; queries of that time answer the same from hour windows; recent windows stay', async () => {
    let now = Date.UTC(2026, 10, 2, 12, 30);
    const srv = await testServer({ clock: () => now });
    try {
      const { deps } = srv;
      assert.equal((await call(srv.url, 'POST', '/v1/models', model)).status, 201);
      assert.equal((await call(srv.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
      const send = async (t: number, n: number): Promise<void> => {
        const events = Array.from({ length: n }, (_, i) => ({ model: 'm', version: '1', timestamp: t + i * 7_000, features: { x: i }, prediction: i, segment: { region: i % 2 ? 'eu' : 'us' } }));
        const r = await call(srv.url, 'POST', '/v1/events', { events });
        assert.equal(r.status, 200, JSON.stringify(r.body));
      };
      const old = now - 20 * 60_000;
      await send(old, 100); // 100 events over ~12 minutes: minute and 10-minute windows
      const health = async (from: number, to: number, segment = ''): Promise<number> => {
        const r = await call(srv.url, 'GET', `/v1/models/m/health?from=${from}&to=${to}${segment && `&segment=${segment}`}`);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        return r.body['events'] as number;
      };
      const keys = async (granularity: 'minute' | '10min' | 'hour', from: number, to: number): Promise<number> =>
        (await deps.store.querySummaryKeys({ model: 'm', granularity, from, to })).length;
      assert.ok((await keys('minute', 0, now)) > 0);

      now += 3 * DAY + 2 * 3_600_000;
      await send(now - 5 * 60_000, 10); // recent traffic
      const retention = deps.windowRetention;
      assert.ok(retention, 'the server prunes');
      const before = retention.cutoff();
      assert.ok(old < before && before < now - 2 * DAY);
      const deleted = await retention.run();
      assert.ok(deleted > 0, `deleted ${deleted}`);
      assert.equal(await keys('minute', 0, before), 0);
      assert.equal(await keys('10min', 0, before), 0);
      assert.ok((await keys('minute', before, now + 60_000)) > 0, 'recent minute windows stay');
      assert.ok((await keys('hour', 0, before)) > 0, 'hour windows stay');
      // the old traffic is still counted, overall and per segment, from hour windows
      assert.equal(await health(old - 3_600_000, old + 3_600_000), 100);
      assert.equal(await health(old - 3_600_000, old + 3_600_000, 'region=eu'), 50);
      assert.equal(await health(now - 3_600_000, now + 60_000), 10);
      assert.equal(await retention.run(), 0, 'nothing left to prune');
      // the whole-range drift/series endpoints still answer
      const series = await call(srv.url, 'GET', `/v1/models/m/timeseries?metric=throughput&from=${old - DAY}&to=${now}&granularity=hour`);
      assert.equal(series.status, 200, JSON.stringify(series.body));
    } finally {
      await srv.close();
    }
  });
});
