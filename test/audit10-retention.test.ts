import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig, loadConfig } from '../src/config.js';
import { startServer } from '../src/server.js';
import { tempDir } from './helpers/cli.js';
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
      const retention = deps.retention;
      assert.ok(retention, 'the server prunes');
      const before = retention.cutoff();
      assert.ok(old < before && before < now - 2 * DAY);
      const deleted = (await retention.run()).windows;
      assert.ok(deleted > 0, `deleted ${deleted}`);
      assert.equal(await keys('minute', 0, before), 0);
      assert.equal(await keys('10min', 0, before), 0);
      assert.ok((await keys('minute', before, now + 60_000)) > 0, 'recent minute windows stay');
      assert.ok((await keys('hour', 0, before)) > 0, 'hour windows stay');
      // the old traffic is still counted, overall and per segment, from hour windows
      assert.equal(await health(old - 3_600_000, old + 3_600_000), 100);
      assert.equal(await health(old - 3_600_000, old + 3_600_000, 'region=eu'), 50);
      assert.equal(await health(now - 3_600_000, now + 60_000), 10);
      assert.equal((await retention.run()).windows, 0, 'nothing left to prune');
      // the whole-range drift/series endpoints still answer
      const series = await call(srv.url, 'GET', `/v1/models/m/timeseries?metric=throughput&from=${old - DAY}&to=${now}&granularity=hour`);
      assert.equal(series.status, 200, JSON.stringify(series.body));
    } finally {
      await srv.close();
    }
  });

  test('retention.eventsDays: events older than it go with their labels and rejected rows; health and drift of that time still answer from the summaries; newer events and their labels stay', async () => {
    const dir = tempDir('lookout-a10ret-');
    writeFileSync(join(dir, 'lookout.yaml'), 'retention: { eventsDays: 3 }\n');
    assert.deepEqual(loadConfig(join(dir, 'lookout.yaml')).retention, { eventsDays: 3 });
    writeFileSync(join(dir, 'bad.yaml'), 'retention: { eventsDays: 0 }\n');
    assert.throws(() => loadConfig(join(dir, 'bad.yaml')), /retention\.eventsDays/);

    let now = Date.UTC(2026, 10, 2, 12, 30);
    const srv = await testServer({ clock: () => now, configure: (c) => (c.retention = { eventsDays: 3 }) });
    try {
      const binary = { name: 'b', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } };
      assert.equal((await call(srv.url, 'POST', '/v1/models', binary)).status, 201);
      assert.equal((await call(srv.url, 'POST', '/v1/models/b/versions', { version: '1' })).status, 201);
      const send = async (prefix: string, t: number): Promise<void> => {
        const events = Array.from({ length: 20 }, (_, i) => ({ id: `${prefix}${i}`, model: 'b', version: '1', timestamp: t + i * 1000, features: { x: i }, prediction: String(i % 2), score: i % 2 ? 0.9 : 0.1 }));
        const r = await call(srv.url, 'POST', '/v1/events', { events: [...events, { model: 'b', version: '1', timestamp: t, features: { x: 'bad' }, prediction: '1' }] });
        assert.equal(r.body['accepted'], 20, JSON.stringify(r.body).slice(0, 300));
        const labels = events.map((e) => ({ id: e.id, label: e.prediction }));
        assert.equal((await call(srv.url, 'POST', '/v1/labels', { labels })).status, 200);
      };
      const old = now - 3_600_000;
      await send('old', old);
      now += 4 * DAY;
      await send('new', now - 3_600_000);
      const range = (t: number): string => `from=${t - 3_600_000}&to=${t + 3_600_000}`;
      const labelled = async (t: number): Promise<number> => {
        const r = await call(srv.url, 'GET', `/v1/models/b/performance?${range(t)}&segments=false&ci=false`);
        assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
        return r.body['labelled'] as number;
      };
      assert.equal(await labelled(old), 20);
      assert.equal(await srv.deps.store.countRejects('b'), 2);

      const pruned = await srv.deps.retention?.run();
      assert.equal(pruned?.events, 20);
      assert.equal(await srv.deps.store.countEvents('b'), 20);
      assert.equal(await srv.deps.store.countRejects('b'), 1, 'the old rejected row went, the new one stayed');
      assert.equal(await labelled(old), 0, 'no labelled event is left of that time (the performance cache was dropped)');
      assert.equal(await labelled(now - 3_600_000), 20);
      const health = await call(srv.url, 'GET', `/v1/models/b/health?${range(old)}`);
      assert.equal(health.body['events'], 20, 'the summaries still count the old events');
      const events = await call(srv.url, 'GET', `/v1/models/b/events?${range(old)}`);
      assert.deepEqual(events.body['events'], []);
      assert.equal((await srv.deps.retention?.run())?.events, 0);
    } finally {
      await srv.close();
    }
  });

  test('retention.evaluationsDays (issue 4): monitor evaluations older than it go, but each monitor\'s newest; a restart resumes the schedule', async () => {
    const dir = tempDir('lookout-a10ret-');
    writeFileSync(join(dir, 'lookout.yaml'), 'retention: { evaluationsDays: 2 }\n');
    assert.deepEqual(loadConfig(join(dir, 'lookout.yaml')).retention, { evaluationsDays: 2 });
    writeFileSync(join(dir, 'bad.yaml'), 'retention: { evaluationsDays: 0.5 }\n');
    assert.throws(() => loadConfig(join(dir, 'bad.yaml')), /retention\.evaluationsDays/);

    const H = 3_600_000;
    let now = Date.UTC(2026, 10, 2, 0, 5);
    const config = defaultConfig();
    config.dataDir = tempDir('lookout-a10eval-');
    config.server.port = 0;
    config.retention = { evaluationsDays: 2 };
    let srv = await startServer({ config, clock: () => now });
    try {
      assert.equal((await call(srv.url, 'POST', '/v1/models', model)).status, 201);
      assert.equal((await call(srv.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
      for (const id of ['volume', 'idle']) {
        const r = await call(srv.url, 'POST', '/v1/monitors', { id, model: 'm', metric: 'throughput', window: '1h', minSamples: 0, levels: [{ severity: 'warning', threshold: 1e9 }] });
        assert.equal(r.status, 201, JSON.stringify(r.body));
      }
      const evaluations = async (id: string): Promise<number[]> =>
        ((await call(srv.url, 'GET', `/v1/monitors/${id}/evaluations?from=${now - 10 * DAY}&to=${now + H}`)).body['evaluations'] as Array<{ at: number }>).map((e) => e.at);
      // Four days of hourly windows, each evaluated as it closes; the monitor 'idle' is disabled after a day.
      for (let h = 0; h < 4 * 24; h++) {
        now += H;
        if (h === 24) {
          const r = await call(srv.url, 'POST', '/v1/monitors', { id: 'idle', model: 'm', metric: 'throughput', window: '1h', minSamples: 0, enabled: false, levels: [{ severity: 'warning', threshold: 1e9 }] });
          assert.ok(r.status < 300, JSON.stringify(r.body));
        }
        assert.equal((await call(srv.url, 'POST', '/v1/monitors/run', {})).status, 200);
      }
      const volume = await evaluations('volume');
      const idle = await evaluations('idle');
      const lastIdle = idle[idle.length - 1] as number;
      // From 47 windows before the first run's own (a new monitor's catch-up), 'idle' up to its disabling.
      assert.deepEqual([volume.length, idle.length], [47 + 4 * 24, 47 + 24]);
      assert.equal(lastIdle, Date.UTC(2026, 10, 3));

      const pruned = await srv.deps.retention?.run();
      const cutoff = now - 2 * DAY;
      const kept = await evaluations('volume');
      assert.deepEqual(kept, volume.filter((at) => at >= cutoff), 'the evaluations of the last 2 days stay, the older go');
      assert.deepEqual(await evaluations('idle'), [lastIdle], 'a monitor not evaluated since keeps its newest evaluation');
      assert.equal(pruned?.evaluations, volume.length - kept.length + idle.length - 1);
      assert.equal((await srv.deps.retention?.run())?.evaluations, 0);
      // Started again on the same store, the server evaluates the next window only, not the pruned ones again.
      await srv.close();
      srv = await startServer({ config, clock: () => now });
      now += H;
      assert.equal((await call(srv.url, 'POST', '/v1/monitors/run', {})).status, 200);
      assert.deepEqual(await evaluations('volume'), [...kept, now - (now % H)]);
    } finally {
      await srv.close();
    }
  });
});
