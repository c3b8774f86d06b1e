import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { call, testServer } from './helpers/server.js';
import { declareModel } from './helpers/window-values.js';

/*
 * Issue 4 (alerts people trust): a monitor on a feature its model does not summarise is refused when it is declared,
 * with the model's features. Before, `drift:typo` was accepted and evaluated to "no value" at every window.
 */
let s: Server;

before(async () => {
  s = await testServer();
  await declareModel(s.url, 'mf'); // features a and c
  assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'bare', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } })).status, 201);
});
after(async () => s?.close());

const monitor = (model: string, metric: string): Record<string, unknown> => ({ model, metric, window: '1h', levels: [{ severity: 'warning', threshold: 0.2 }] });

test('issue 4: a monitor naming a feature the model does not summarise is refused with the known features', async () => {
  for (const metric of ['drift:typo', 'missingRate:A']) {
    const r = await call(s.url, 'POST', '/v1/monitors', { id: `bad-${metric.replace(':', '-')}`, ...monitor('mf', metric) });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    const err = r.body['error'] as { code: string; message: string };
    assert.equal(err.code, 'validation_failed');
    assert.match(err.message, new RegExp(`unknown feature "${metric.split(':')[1]}" in metric "${metric}": model "mf" summarises a, c`));
  }
  assert.deepEqual((await call(s.url, 'GET', '/v1/monitors?model=mf')).body['monitors'], [], 'nothing stored');
  // Real features, and metrics without one, are accepted.
  for (const metric of ['drift:a', 'missingRate:c', 'missingRate', 'latencyP99']) {
    const r = await call(s.url, 'POST', '/v1/monitors', monitor('mf', metric));
    assert.equal(r.status, 201, `${metric}: ${JSON.stringify(r.body)}`);
  }
  // A model without a version yet: its features are not known, so the monitor is kept as declared.
  assert.equal((await call(s.url, 'POST', '/v1/monitors', monitor('bare', 'drift:later'))).status, 201);
});
