import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { twoVersionGateway, type TwoVersionGateway } from './helpers/registry.js';
import { call } from './helpers/server.js';

/*
 * Audit 27 (labels): ground truth posted to POST /v1/labels and the quality metrics it feeds.
 */

describe('audit 27 (labels): a label for a gateway prediction answered a moment ago (real server, real upstream, DuckDB file)', () => {
  let g: TwoVersionGateway;

  before(async () => {
    g = await twoVersionGateway();
  });
  after(() => g.close());

  test('is joined, not refused unknown_prediction while the gateway still buffers its event (was: refused for up to 200 ms after the answer, and lost)', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const p = await call(g.server.url, 'POST', '/v1/models/churn/predict', { features: { x: i - 2 }, id: `now-${i}` });
      assert.equal(p.status, 200, JSON.stringify(p.body));
      ids.push(String(p.body['id']));
    }
    // generated ids too: the answer's id is what a caller labels
    const gen = await call(g.server.url, 'POST', '/v1/models/churn/predict', { features: { x: 3 } });
    assert.equal(gen.status, 200, JSON.stringify(gen.body));
    ids.push(String(gen.body['id']));
    // at once, as a caller whose ground truth is known when the answer comes (a click, a fraud check)
    const r = await call(g.server.url, 'POST', '/v1/labels', { labels: ids.map((id) => ({ id, label: 'yes', model: 'churn' })) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body['results'], ids.map((id, index) => ({ index, id, status: 'accepted' })));
    const perf = await call(g.server.url, 'GET', `/v1/models/churn/performance?from=${Date.now() - 3_600_000}&to=${Date.now() + 60_000}&ci=false&segments=false`);
    assert.equal(perf.status, 200, JSON.stringify(perf.body));
    assert.equal(perf.body['labelled'], ids.length);
  });

  test('an id no prediction has is still refused unknown_prediction at once', async () => {
    const t = Date.now();
    const r = await call(g.server.url, 'POST', '/v1/labels', [{ id: 'never-predicted', label: 'yes' }]);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual((r.body['results'] as Array<Record<string, unknown>>).map((x) => x['code']), ['unknown_prediction']);
    assert.ok(Date.now() - t < 150, 'not held for the gateway\'s buffer');
  });
});
