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

  test('audit: a malformed test set or gate is a 400, and "force": "false" does not skip the gate', async () => {
    // a test-set row that is not an object was a 500 (TypeError reading its label)
    for (const rows of [[null], [{ features: { x: 1 }, label: 'yes' }, 7]]) {
      const r = await call(url, 'POST', '/v1/models/churn/compare', { current: '1.0.0', candidate: '1.1.0', testSet: { rows } });
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.match((r.body.error as { message: string }).message, /testSet\.rows\[\d\] must be an object/);
      const p = await call(url, 'POST', '/v1/models/churn/promote', { version: '1.1.0', reason: 'r', testSet: { rows } });
      assert.equal(p.status, 400, JSON.stringify(p.body));
    }
    // a gate with a string threshold was a 500 (the refusal message formats it as a number); a misspelt field
    // or a string flag silently gave a different gate than asked for
    for (const gate of [{ minImprovement: '0.6' }, { requireSignificant: 'false' }, { minimprovement: 0.6 }, { metric: 7 }, 'accuracy']) {
      const r = await call(url, 'POST', '/v1/models/churn/compare', { current: '1.0.0', candidate: '1.1.0', testSet, gate });
      assert.equal(r.status, 400, `${JSON.stringify(gate)}: ${JSON.stringify(r.body)}`);
      assert.equal((r.body.error as { code: string }).code, 'bad_request');
    }
    // the same gate well-formed: the candidate improves accuracy by 0.5 (1.0 vs 0.5), below the 0.6 asked for
    const refused = await call(url, 'POST', '/v1/models/churn/promote', { version: '1.1.0', reason: 'r', testSet, gate: { minImprovement: 0.6 } });
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal((refused.body.error as { code: string }).code, 'promotion_refused');
    // a string "false" is truthy: it skipped the comparison and moved the alias
    const forced = await call(url, 'POST', '/v1/models/churn/promote', { version: '1.1.0', reason: 'r', testSet, gate: { minImprovement: 0.6 }, force: 'false' });
    assert.equal(forced.status, 400, JSON.stringify(forced.body));
    assert.deepStrictEqual((await call(url, 'GET', '/v1/models/churn/aliases')).body.aliases, { production: '1.0.0' });
  });

  test('audit: a serving configuration naming a version the model does not have is refused', async () => {
    const before = (await call(url, 'GET', '/v1/models/churn/serving')).body.serving;
    for (const cfg of [
      { policy: { kind: 'canary', candidate: '1.1.1', percent: 10 } },
      { policy: { kind: 'shadow', candidate: '9.9.9' } },
      { policy: { kind: 'blue-green', standby: '1.1' } },
      { fallback: [{ version: '1.0.0' }, { version: '0.9.0' }] },
    ]) {
      const r = await call(url, 'PUT', '/v1/models/churn/serving', cfg);
      assert.equal(r.status, 404, `${JSON.stringify(cfg)}: ${JSON.stringify(r.body)}`);
      assert.equal((r.body.error as { code: string }).code, 'unknown_version');
      assert.match((r.body.error as { message: string }).message, /known: 1\.0\.0, 1\.1\.0/);
    }
    assert.deepStrictEqual((await call(url, 'GET', '/v1/models/churn/serving')).body.serving, before, 'nothing stored');
    const ok = await call(url, 'PUT', '/v1/models/churn/serving', { policy: { kind: 'canary', candidate: '1.1.0', percent: 10 }, fallback: [{ version: '1.0.0' }, { static: { prediction: 'no' } }] });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal((await call(url, 'PUT', '/v1/models/churn/serving', {})).status, 200);
  });
});
