import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, testServer } from './helpers/server.js';

// Audit 10: the prune deletes old minute windows on the store's write connection while checkpoints upsert recent ones
// on the second one (DuckDB runs both transactions at once): a conflict there would fail a checkpoint's COMMIT, and a
// failed COMMIT stops the DuckDB store (fail-stop). Pruned and written together, many times: nothing fails, nothing is lost.
const DAY = 86_400_000;
const model = { name: 'm', outputKind: 'regression', segmentKeys: ['region'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } };

describe('audit10: pruning old minute windows while ingest checkpoints new ones', () => {
  test('20 rounds of a prune beside ingest and checkpoints: no failed request, the store keeps writing, every event counted', async () => {
    const start = Date.UTC(2026, 10, 2, 0, 0);
    let now = start;
    const srv = await testServer({ clock: () => now });
    try {
      assert.equal((await call(srv.url, 'POST', '/v1/models', model)).status, 201);
      assert.equal((await call(srv.url, 'POST', '/v1/models/m/versions', { version: '1' })).status, 201);
      let next = 0;
      const send = async (t: number, n: number): Promise<void> => {
        const events = Array.from({ length: n }, (_, i) => ({ id: `e${next++}`, model: 'm', version: '1', timestamp: t + (i % 600) * 1000, features: { x: i }, prediction: i, segment: { region: `r${i % 5}` } }));
        const r = await call(srv.url, 'POST', '/v1/events', { events });
        assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 300));
        assert.equal(r.body['accepted'], n);
      };
      // old traffic: 20 ten-minute stretches of minute windows, one per round to prune
      for (let k = 0; k < 20; k++) await send(start + k * 600_000, 300);
      await srv.deps.pipeline.flush();
      const retention = srv.deps.retention;
      assert.ok(retention);
      now = start + 3 * DAY + 2 * 3_600_000;
      let pruned = 0;
      for (let k = 0; k < 20; k++) {
        // the cutoff moves ten minutes a round, so each prune deletes windows while new ones are being checkpointed
        now += 600_000;
        const sends = [send(now - 600_000, 500), send(now - 540_000, 500)];
        const [p] = await Promise.all([retention.run(), ...sends, srv.deps.pipeline.flush()]);
        pruned += p.windows;
      }
      await srv.deps.pipeline.flush();
      assert.ok(pruned > 0, 'windows were pruned');
      assert.equal(srv.deps.store.failure?.() ?? null, null, 'the store did not stop');
      const health = await call(srv.url, 'GET', '/healthz');
      assert.equal(health.status, 200, JSON.stringify(health.body));
      const counted = await call(srv.url, 'GET', `/v1/models/m/health?from=${start - DAY}&to=${now + 60_000}`);
      assert.equal(counted.body['events'], next, 'every event counted');
      assert.equal(await srv.deps.store.countEvents('m'), next);
    } finally {
      await srv.close();
    }
  });
});
