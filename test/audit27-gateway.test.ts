import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { predict } from './helpers/predict.js';
import { twoVersionGateway, type TwoVersionGateway } from './helpers/registry.js';
import { call } from './helpers/server.js';

/*
 * Audit 27 (gateway): which version the gateway's calls and recorded events are attributed to.
 */

describe('audit 27: a configured shadow whose candidate has become the primary mirrors nothing', () => {
  let g: TwoVersionGateway;
  before(async () => {
    g = await twoVersionGateway();
  });
  after(() => g?.close());

  test('after promoting the shadow candidate, each prediction calls it once and is one event of it (not two)', async () => {
    // shadow 2.0.0 behind production 1.0.0, then 2.0.0 promoted by moving the alias (the configuration left as it was)
    await g.serving({ alias: 'production', policy: { kind: 'shadow', candidate: '2.0.0' } });
    const moved = await call(g.server.url, 'PUT', '/v1/models/churn/aliases/production', { version: '2.0.0', reason: 'shadow looked good' });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    for (let i = 0; i < 5; i++) {
      const a = await predict(g.server.url, { x: i }, { id: `p-${i}` });
      assert.equal(a.status, 200);
      assert.equal(a.version, '2.0.0');
    }
    await new Promise((r) => setTimeout(r, 100)); // any mirrored call answered
    await g.server.deps.registry?.recorder.flush();
    // until audit 27 the request was "mirrored" to the primary itself: its model server was called twice per request and
    // the version had two events per prediction (the second under a generated id), doubling its traffic in monitoring
    assert.equal(g.v2.requests, 5, 'one call per prediction');
    const health = (await call(g.server.url, 'GET', '/v1/models/churn/health?version=2.0.0')).body;
    assert.equal(health['events'], 5, JSON.stringify(health));
    const shadow = (await call(g.server.url, 'GET', '/v1/models/churn/shadow')).body as { pairs: { n: number }; arms: { primary: { n: number } } };
    assert.equal(shadow.pairs.n, 0, 'no paired answers of a version with itself');
    assert.equal(shadow.arms.primary.n, 5);
  });
});
