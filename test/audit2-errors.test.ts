import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { LookoutClient } from '../src/client/index.js';
import type { VersionContext } from '../src/monitoring/catalog.js';
import type { Server } from '../src/server.js';
import { declareChurn } from './helpers/registry.js';
import { call, testServer } from './helpers/server.js';
import { startModelServer } from './helpers/upstream.js';

const MINUTE = 60_000;

/** A loopback URL nothing listens on (a port just freed): every call to it is refused. */
async function deadUpstream(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}/predict`;
}

interface Health { events: number; errorRate: number | null; throughputPerSecond: number; latencyMs: { p50: number | null; max: number | null } }

describe('audit 2: failed predictions are recorded as errors (real server, DuckDB file, loopback upstream)', { timeout: 60_000 }, () => {
  let server: Server;
  let url: string;
  const health = async (version: string): Promise<Health> => {
    const now = Date.now();
    const h = await call(url, 'GET', `/v1/models/churn/health?version=${version}&from=${now - 10 * MINUTE}&to=${now + MINUTE}`);
    assert.equal(h.status, 200, JSON.stringify(h.body));
    return h.body as unknown as Health;
  };
  before(async () => {
    server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
    url = server.url;
    await declareChurn(url, [{ version: '1.0.0', upstream: await deadUpstream() }, { version: '2.0.0' }, { version: '3.0.0' }], '1.0.0');
  });
  after(async () => {
    await server.close();
  });

  test('audit 2: a model that is down counts its failed predicts (502) as errors: errorRate 1, throughput counts them', async () => {
    const n = 6;
    for (let i = 0; i < n; i++) {
      const r = await call(url, 'POST', '/v1/models/churn/predict', { features: { x: i }, id: `down-${i}` });
      assert.equal(r.status, 502, JSON.stringify(r.body));
      assert.equal((r.body['error'] as { code: string }).code, 'upstream_error');
    }
    await server.deps.registry?.recorder.flush();
    const h = await health('1.0.0');
    assert.equal(h.events, n, 'every failed request is an event of the routed version');
    assert.equal(h.errorRate, 1);
    assert.ok(h.throughputPerSecond > 0);
    assert.ok(h.latencyMs.max !== null, 'a failed call\'s latency counts');
    const events = await server.deps.store.queryEvents({ model: 'churn', version: '1.0.0', from: 0, to: Date.now() + MINUTE });
    assert.equal(events.length, n);
    assert.ok(events.every((e) => e.prediction === null && /connection/.test(e.error ?? '') && e.latencyMs !== null), JSON.stringify(events[0]));
    // under ids of their own: a retry with the request's id stays the prediction that id names
    assert.ok(events.every((e) => !e.id.startsWith('down-')));
    // a label for a failed prediction is kept, but no realized metric counts it
    const lb = await call(url, 'POST', '/v1/labels', { labels: [{ id: events[0]?.id, label: 'yes' }] });
    assert.equal(lb.body['accepted'], 1, JSON.stringify(lb.body));
    const now = Date.now();
    const p = await call(url, 'GET', `/v1/models/churn/performance?version=1.0.0&from=${now - 10 * MINUTE}&to=${now + MINUTE}`);
    assert.equal(p.status, 200, JSON.stringify(p.body));
    assert.equal(p.body['labelled'], 0);
    assert.equal(p.body['realized'], null);
  });

  test('audit 2: POST /v1/events takes a failed inference (error, no prediction); without an error a prediction is still required', async () => {
    const now = Date.now();
    const r = await call(url, 'POST', '/v1/events', [
      { id: 'ok-1', model: 'churn', version: '2.0.0', timestamp: now, features: { x: 1 }, prediction: 'yes', score: 0.8, latencyMs: 10 },
      { id: 'failed-1', model: 'churn', version: '2.0.0', timestamp: now, features: { x: 2 }, error: 'model server timed out', latencyMs: 500 },
      { id: 'failed-2', model: 'churn', version: '2.0.0', timestamp: now, features: { x: 3 }, prediction: null, error: true },
      { id: 'nothing', model: 'churn', version: '2.0.0', timestamp: now, features: { x: 4 } },
      { id: 'no-error', model: 'churn', version: '2.0.0', timestamp: now, features: { x: 4 }, error: '' },
      { id: 'scored', model: 'churn', version: '2.0.0', timestamp: now, features: { x: 5 }, error: 'boom', score: 0.3 },
      { id: 'bad-features', model: 'churn', version: '2.0.0', timestamp: now, features: { x: 'one' }, error: 'boom' },
    ]);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const results = r.body['results'] as Array<{ id?: string; status: string; code?: string }>;
    assert.deepStrictEqual(results.map((x) => [x.id, x.status, x.code]), [
      ['ok-1', 'accepted', undefined], ['failed-1', 'accepted', undefined], ['failed-2', 'accepted', undefined],
      ['nothing', 'rejected', 'invalid_prediction'], ['no-error', 'rejected', 'invalid_prediction'],
      ['scored', 'rejected', 'invalid_score'], ['bad-features', 'rejected', 'schema_violation'],
    ]);
    const h = await health('2.0.0');
    assert.equal(h.events, 3);
    assert.equal(h.errorRate, 2 / 3);
    const stored = await server.deps.store.getEvents(['failed-1']);
    assert.deepStrictEqual([stored[0]?.prediction, stored[0]?.error, stored[0]?.latencyMs], [null, 'model server timed out', 500]);
    // the prediction distribution holds the one prediction made: no "null" class, nothing missing
    const merged = await server.deps.reader.merged(server.deps.catalog.version('churn', '2.0.0') as VersionContext, '', now - MINUTE, now + MINUTE);
    assert.deepStrictEqual([merged.prediction.count, merged.prediction.missing], [1, 0]);
  });

  test('audit 2: the TS client logs a failed inference (error, no prediction), which the server counts as an error', async () => {
    const rejected: string[] = [];
    const client = new LookoutClient({ url, flushIntervalMs: 1, onError: (e) => rejected.push(e.message) });
    client.log({ model: 'churn', version: '3.0.0', features: { x: 1 }, prediction: 'yes', latencyMs: 12 });
    client.log({ model: 'churn', version: '3.0.0', features: { x: 2 }, error: 'ECONNRESET', latencyMs: 40 });
    await client.close();
    assert.deepStrictEqual(rejected, []);
    assert.equal(client.stats().sent, 2);
    const h = await health('3.0.0');
    assert.deepStrictEqual([h.events, h.errorRate], [2, 0.5]);
  });

  test('audit 2: a shadow that is down counts its failed mirrored calls as errors of its version', async () => {
    const live = await startModelServer();
    try {
      await call(url, 'PUT', '/v1/models/churn/versions/4.0.0', { upstream: live.url });
      await call(url, 'PUT', '/v1/models/churn/versions/4.1.0', { upstream: await deadUpstream() });
      await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '4.0.0', reason: 'shadow test' });
      const cfg = await call(url, 'PUT', '/v1/models/churn/serving', { policy: { kind: 'shadow', candidate: '4.1.0' } });
      assert.equal(cfg.status, 200, JSON.stringify(cfg.body));
      for (let i = 0; i < 5; i++) assert.equal((await call(url, 'POST', '/v1/models/churn/predict', { features: { x: i } })).status, 200);
      let h = await health('4.1.0');
      for (const end = Date.now() + 5000; h.events < 5 && Date.now() < end; h = await health('4.1.0')) {
        await server.deps.registry?.recorder.flush();
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.deepStrictEqual([h.events, h.errorRate], [5, 1]);
      assert.equal((await health('4.0.0')).errorRate, 0);
    } finally {
      await call(url, 'PUT', '/v1/models/churn/serving', {});
      await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '1.0.0', reason: 'back' });
      await live.close();
    }
  });
});
