import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { CHURN_SCHEMA } from './helpers/registry.js';
import { predict } from './helpers/predict.js';
import { call, testServer } from './helpers/server.js';
import { startModelServer, type ModelServer } from './helpers/upstream.js';

describe('audit6 quality2: gateway (real model server on loopback)', { timeout: 60_000 }, () => {
  let server: Server;
  let down: ModelServer;
  before(async () => {
    server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
    down = await startModelServer({ failEvery: 1 });
  });
  after(async () => {
    await server.close();
    await down.close();
  });

  test('a static fallback set before the model declared its classes, outside them: served, and its event rejected as invalid_prediction (gateway record())', async () => {
    const url = server.url;
    // declared without classes: any static label is accepted
    assert.equal((await call(url, 'POST', '/v1/models', { name: 'churn', outputKind: 'binary', inputSchema: CHURN_SCHEMA })).status, 201);
    assert.equal((await call(url, 'PUT', '/v1/models/churn/versions/1.0.0', { upstream: down.url })).status, 201);
    assert.equal((await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '1.0.0', reason: 't' })).status, 200);
    const s = await call(url, 'PUT', '/v1/models/churn/serving', { timeoutMs: 1000, fallback: [{ static: { prediction: 'maybe' } }] });
    assert.equal(s.status, 200, JSON.stringify(s.body));
    const first = await predict(url, { x: 1 });
    assert.deepStrictEqual([first.status, first.body['prediction'], first.fallback], [200, 'maybe', 'static']);
    // the classes are declared afterwards (adding classes removes none: allowed with stored events)
    const re = await call(url, 'POST', '/v1/models', { name: 'churn', outputKind: 'binary', inputSchema: CHURN_SCHEMA, classes: ['no', 'yes'] });
    assert.ok(re.status === 200 || re.status === 201, JSON.stringify(re.body));
    const second = await predict(url, { x: 1 });
    assert.deepStrictEqual([second.status, second.body['prediction'], second.fallback], [200, 'maybe', 'static'], JSON.stringify(second.body));
    await server.deps.registry?.recorder.flush();
    const stored = await server.deps.store.getEvents([String(first.id), String(second.id)]);
    assert.deepStrictEqual(stored.map((e) => [e.id, e.prediction]), [[first.id, 'maybe']], 'the second answer is not stored as an event of the model');
    const q = await call(url, 'GET', `/v1/models/churn/quality?from=${Date.now() - 3_600_000}&to=${Date.now() + 60_000}`);
    assert.equal(q.status, 200, JSON.stringify(q.body));
    assert.deepStrictEqual(q.body['rejectedByCode'], { invalid_prediction: 1 }, JSON.stringify(q.body));
  });
});
