import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { declareChurn } from './helpers/registry.js';
import { call, testServer } from './helpers/server.js';

/** Audit of the registry, gateway and rollouts: defects a production user hit, each with its regression test. */
describe('audit: registry, comparison and promotion requests', { timeout: 60_000 }, () => {
  let server: Server;
  let url: string;
  before(async () => {
    server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
    url = server.url;
    await declareChurn(url, [{ version: '1.0.0' }, { version: '1.1.0' }], '1.0.0');
  });
  after(async () => {
    await server.close();
  });

  // both versions' outputs given: the candidate is right on both rows, the current one on one
  const testSet = { labels: ['yes', 'no'], current: { predictions: ['yes', 'yes'] }, candidate: { predictions: ['yes', 'no'] } };

  test('audit: /compare refuses a resample count the promotion refuses (a huge one killed the server)', async () => {
    const ok = await call(url, 'POST', '/v1/models/churn/compare', { current: '1.0.0', candidate: '1.1.0', testSet, resamples: 10_000 });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    for (const resamples of [10_001, 1e9, -5, 2.5, '1000']) {
      const r = await call(url, 'POST', '/v1/models/churn/compare', { current: '1.0.0', candidate: '1.1.0', testSet, resamples });
      assert.equal(r.status, 400, `resamples ${String(resamples)}: ${JSON.stringify(r.body)}`);
      assert.match((r.body.error as { message: string }).message, /resamples must be an integer from 0 to 10000/);
    }
    const seed = await call(url, 'POST', '/v1/models/churn/compare', { current: '1.0.0', candidate: '1.1.0', testSet, seed: 'x' });
    assert.equal(seed.status, 400, JSON.stringify(seed.body));
    // the server is still up and answers
    assert.equal((await call(url, 'GET', '/v1/models/churn/aliases')).status, 200);
  });
});
