import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { openStore } from '../src/storage/open.js';
import type { EventRecord } from '../src/storage/types.js';
import { predict } from './helpers/predict.js';
import { declareChurn, twoVersionGateway, type TwoVersionGateway } from './helpers/registry.js';
import { call, testServer } from './helpers/server.js';
import { startModelServer } from './helpers/upstream.js';

/*
 * Audit 29 (gateway): when the routed version fails and a fallback answers, whose event is the answer?
 * Until audit 29 the answer was recorded as an event of the version that failed, with its error: during an outage
 * a static rule's answers filled the failed version's prediction and score distributions (its prediction drift and
 * estimated performance showed the rule, not the model), and labels for those answers were counted as its quality.
 */

describe('audit 29: a fallback answer is not an event of the version that failed', () => {
  let g: TwoVersionGateway;
  /** The prediction ids each model server was sent (x-lookout-prediction-id). */
  const sent: Record<'v1' | 'v2', string[]> = { v1: [], v2: [] };
  before(async () => {
    g = await twoVersionGateway();
    g.v1.behaviour.onRequest = (_p, h) => sent.v1.push(String(h['x-lookout-prediction-id']));
    g.v2.behaviour.onRequest = (_p, h) => sent.v2.push(String(h['x-lookout-prediction-id']));
  });
  after(() => g?.close());
  beforeEach(() => {
    sent.v1.length = 0;
    sent.v2.length = 0;
    g.v1.behaviour.failEvery = undefined;
  });
  const events = async (version: string): Promise<EventRecord[]> => {
    await g.server.deps.registry?.recorder.flush();
    return g.server.deps.store.queryEvents({ model: 'churn', from: 0, to: Date.now() + 1000, version });
  };

  test('static answers during an outage: the version that failed has failed events (errorRate), not the rule as its predictions', async () => {
    await g.serving({ timeoutMs: 2000, fallback: [{ static: { prediction: 'no', score: 0.5 } }] });
    for (let i = 0; i < 4; i++) assert.equal((await predict(g.server.url, { x: 2 }, { id: `ok-${i}` })).version, '1.0.0');
    g.v1.behaviour.failEvery = 1;
    const down = [];
    for (let i = 0; i < 4; i++) down.push(await predict(g.server.url, { x: 2 }));
    assert.deepStrictEqual(down.map((a) => [a.status, a.version, a.body['prediction']]), Array(4).fill([200, 'fallback:static', 'no']));
    const v1 = await events('1.0.0');
    // the answers' ids name 1.0.0's failed events (a label posted for one joins an event without a prediction)
    assert.deepStrictEqual(v1.filter((e) => e.error !== null).map((e) => [e.id, e.prediction, e.score]).sort(), down.map((a) => [a.id, null, null]).sort());
    // 1.0.0 predicted "yes" every time it answered: "no" (the rule's) is not among its predictions
    assert.deepStrictEqual(v1.map((e) => e.prediction).sort(), [null, null, null, null, 'yes', 'yes', 'yes', 'yes']);
    assert.deepStrictEqual(sent.v1.slice(4).sort(), down.map((a) => a.id).sort(), 'each failed event has the id 1.0.0 was sent');
    const health = (await call(g.server.url, 'GET', '/v1/models/churn/health?version=1.0.0')).body;
    assert.deepStrictEqual([health['events'], health['errorRate']], [8, 0.5], JSON.stringify(health));
  });

  test('a fallback version answers (generated id): its answer is its own event, under the id it was sent; the failure is the routed version\'s', async () => {
    await g.serving({ timeoutMs: 2000, fallback: [{ version: '2.0.0' }] });
    g.v1.behaviour.failEvery = 1;
    const before1 = (await events('1.0.0')).length;
    const a = await predict(g.server.url, { x: 2 });
    assert.deepStrictEqual([a.status, a.version, a.fallback, a.body['prediction']], [200, '2.0.0', 'version:2.0.0', 'yes']);
    assert.deepStrictEqual([sent.v1.length, sent.v2], [1, [a.id]], 'the fallback version was sent the answer\'s id');
    assert.notEqual(sent.v1[0], a.id, '1.0.0 was sent another id: its failed call\'s');
    const v2 = await events('2.0.0');
    assert.deepStrictEqual(v2.map((e) => [e.id, e.prediction, e.error]), [[a.id, 'yes', null]]);
    const v1 = (await events('1.0.0')).slice(before1);
    const failed = v1.find((e) => e.id === sent.v1[0]);
    assert.ok(failed, `1.0.0's failed event has the id it was sent (${JSON.stringify(v1)})`);
    assert.deepStrictEqual([failed.prediction, /500/.test(failed.error ?? '')], [null, true], JSON.stringify(failed));
    // a label for the answer measures 2.0.0, which gave it, not 1.0.0
    assert.equal((await call(g.server.url, 'POST', '/v1/labels', { labels: [{ id: a.id, label: 'yes' }] })).body['accepted'], 1);
    const perf = async (v: string): Promise<unknown> => {
      const r = await call(g.server.url, 'GET', `/v1/models/churn/performance?version=${v}&from=${Date.now() - 3_600_000}&to=${Date.now() + 1000}&ci=false`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body['labelled'];
    };
    assert.deepStrictEqual([await perf('2.0.0'), await perf('1.0.0')], [1, 0]);
  });

  test('a fallback version answers a request with its own id: the answer keeps that id, the routed version\'s failure gets a new one', async () => {
    await g.serving({ timeoutMs: 2000, fallback: [{ version: '2.0.0' }] });
    g.v1.behaviour.failEvery = 1;
    const a = await predict(g.server.url, { x: -2 }, { id: 'own-29' });
    assert.deepStrictEqual([a.status, a.id, a.version, a.body['prediction']], [200, 'own-29', '2.0.0', 'no']);
    assert.deepStrictEqual([sent.v1, sent.v2], [['own-29'], ['own-29']]);
    const v1 = await events('1.0.0');
    const [own] = await g.server.deps.store.getEvents(['own-29']);
    assert.deepStrictEqual([own?.version, own?.prediction, own?.error], ['2.0.0', 'no', null]);
    const failed = v1.filter((e) => e.error !== null && e.ts >= (own?.ts ?? 0));
    assert.equal(failed.length, 1, JSON.stringify(failed));
    assert.notEqual(failed[0]?.id, 'own-29');
  });
});

describe('audit 29: shutdown while a shadow call is out', () => {
  test('the shadow\'s answer on its way is recorded as its answer, not cut into a connection failure of the shadow', async () => {
    let dataDir = '';
    const server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; dataDir = c.dataDir; } });
    const v1 = await startModelServer();
    const slow = await startModelServer({ delayMs: 400 });
    try {
      await declareChurn(server.url, [{ version: '1.0.0', upstream: v1.url }, { version: '2.0.0', upstream: slow.url }], '1.0.0');
      assert.equal((await call(server.url, 'PUT', '/v1/models/churn/serving', { timeoutMs: 5000, policy: { kind: 'shadow', candidate: '2.0.0' } })).status, 200);
      const a = await predict(server.url, { x: 2 }, { id: 'req-shutdown' });
      assert.deepStrictEqual([a.status, a.version], [200, '1.0.0']);
      // the shadow is still thinking (400 ms): the server is stopped now
      await server.close();
      const store = await openStore(`duckdb:${join(dataDir, 'lookout.duckdb')}`);
      try {
        await store.init();
        const shadow = await store.queryEvents({ model: 'churn', from: 0, to: Date.now() + 1000, version: '2.0.0' });
        // until audit 29 the shutdown closed the shadow's connection under it: its answer was never recorded
        assert.deepStrictEqual(shadow.map((e) => [e.prediction, e.error]), [['yes', null]], JSON.stringify(shadow));
      } finally {
        await store.close();
      }
    } finally {
      await server.close().catch(() => undefined);
      await v1.close();
      await slow.close();
    }
  });
});
