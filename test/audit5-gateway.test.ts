import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { twoVersionGateway, type TwoVersionGateway } from './helpers/registry.js';
import { call } from './helpers/server.js';
import { predict } from './helpers/predict.js';
import { startModelServer } from './helpers/upstream.js';

describe('audit 5: gateway (real upstream model servers on loopback)', { timeout: 120_000 }, () => {
  let server: Server;
  let url: string;
  let g: TwoVersionGateway;
  const eventsById = async (ids: string[]) => {
    await server.deps.registry?.recorder.flush();
    return new Map((await server.deps.store.getEvents(ids)).map((e) => [e.id, e]));
  };
  before(async () => {
    g = await twoVersionGateway();
    ({ server } = g);
    url = server.url;
  });
  after(() => g.close());

  test('audit 5: a failed canary call is recorded under the prediction id its model server was sent; the answer\'s id names the served answer, and its label lands there', async () => {
    const seen: Array<{ server: string; pid: unknown; rid: unknown }> = [];
    const bad = await startModelServer({ failEvery: 1, onRequest: (_p, h) => seen.push({ server: 'canary', pid: h['x-lookout-prediction-id'], rid: h['x-request-id'] }) });
    g.v1.behaviour.onRequest = (_p, h) => seen.push({ server: 'primary', pid: h['x-lookout-prediction-id'], rid: h['x-request-id'] });
    try {
      assert.equal((await call(url, 'PUT', '/v1/models/churn/versions/2.5.0', { upstream: bad.url })).status, 201);
      await g.serving({ timeoutMs: 1000, policy: { kind: 'canary', candidate: '2.5.0', percent: 100 } });
      // a generated prediction id
      const a = await predict(url, { x: 2 });
      assert.deepStrictEqual([a.status, a.version, a.body.id], [200, '1.0.0', a.id], JSON.stringify(a.body));
      const [toCanary, toPrimary] = seen.splice(0);
      assert.equal(toCanary?.server, 'canary');
      assert.equal(toPrimary?.server, 'primary');
      assert.equal(toPrimary?.pid, a.id, 'the primary, which answered, was sent the answer\'s id');
      assert.equal(toPrimary?.rid, a.id);
      assert.notEqual(toCanary?.pid, a.id, 'the failed canary call has an id of its own');
      assert.equal(toCanary?.rid, toCanary?.pid);
      const stored = await eventsById([String(toCanary?.pid), String(a.id)]);
      const failed = stored.get(String(toCanary?.pid));
      assert.deepStrictEqual([failed?.version, failed?.prediction], ['2.5.0', null], 'the canary\'s log line joins its failed event');
      assert.match(failed?.error ?? '', /HTTP 500/);
      const answered = stored.get(String(a.id));
      assert.deepStrictEqual([answered?.version, answered?.prediction, answered?.error], ['1.0.0', 'yes', null], 'the answer\'s id names the served answer');
      const l = await call(url, 'POST', '/v1/labels', [{ id: a.id, label: 'no' }]);
      assert.equal(l.status, 200, JSON.stringify(l.body));
      const labelled = await server.deps.store.labelledEvents({ model: 'churn', from: 0, to: Date.now() + 60_000 });
      assert.deepStrictEqual(labelled.filter((e) => e.event.id === a.id).map((e) => [e.event.version, e.event.prediction, e.label]), [['1.0.0', 'yes', 'no']]);

      // the caller's x-request-id is passed on to both calls
      const b = await predict(url, { x: 2 }, {}, { 'x-request-id': 'trace-5' });
      const [c2, p2] = seen.splice(0);
      assert.deepStrictEqual([c2?.rid, p2?.rid, p2?.pid], ['trace-5', 'trace-5', b.id]);
      assert.equal((await eventsById([String(c2?.pid)])).get(String(c2?.pid))?.version, '2.5.0');

      // the request's own id stays the served answer's; the canary's failure is an event of its own (a retry with the
      // id must not collide with it)
      const c = await predict(url, { x: 2 }, { id: 'audit5-own-id' });
      assert.deepStrictEqual([c.status, c.version, c.id], [200, '1.0.0', 'audit5-own-id']);
      assert.deepStrictEqual(seen.splice(0).map((x) => [x.server, x.pid]), [['canary', 'audit5-own-id'], ['primary', 'audit5-own-id']]);
      assert.equal((await eventsById(['audit5-own-id'])).get('audit5-own-id')?.version, '1.0.0');

      // nothing answers: the failed request's event has the id its model servers were sent (details.id)
      await g.serving({ timeoutMs: 1000 });
      await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '2.5.0', reason: 'ids test' });
      const d = await predict(url, { x: 2 });
      assert.equal(d.status, 502);
      const detailsId = (d.body['error'] as { details: { id: string } }).details.id;
      assert.deepStrictEqual(seen.splice(0).map((x) => x.pid), [detailsId]);
      const dEvent = (await eventsById([detailsId])).get(detailsId);
      assert.deepStrictEqual([dEvent?.version, dEvent?.prediction], ['2.5.0', null], 'the failed request\'s event joins the model server\'s log');
    } finally {
      delete g.v1.behaviour.onRequest;
      await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '1.0.0', reason: 'back' });
      await g.serving({});
      await bad.close();
    }
  });
});
