import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { call, testServer } from './helpers/server.js';

/*
 * Audit 29: fields of an event or label row that are not a row's were ignored without a word, so a typo lost its
 * value silently: `"latncyMs": 30` stored the event without a latency (its model's latency p95 then read nothing),
 * `"ts"` for `"timestamp"` stored it at its arrival time, `"modle"` on a label skipped the check that it labels that
 * model's prediction. The rows stay accepted (a client may send fields of its own); the answer warns, /metrics counts.
 */
describe('audit 29: fields that are not an event\'s or a label row\'s are warned about', () => {
  let s: Server;
  before(async () => {
    s = await testServer();
    const schema = { type: 'object', properties: { x: { type: 'number' } } };
    assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'eta', outputKind: 'regression', inputSchema: schema })).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'churn', outputKind: 'binary', classes: ['no', 'yes'], inputSchema: schema })).status, 201);
    for (const m of ['eta', 'churn']) assert.equal((await call(s.url, 'POST', `/v1/models/${m}/versions`, { version: '1' })).status, 201);
  });
  after(() => s?.close());
  const TS = Date.now() - 60_000;

  test('events: the rows are stored, the answer names the fields per model with the field meant, /metrics counts the rows', async () => {
    const events = [
      { id: 'u-1', model: 'eta', version: '1', timestamp: TS, features: { x: 1 }, prediction: 3, latncyMs: 30 },
      { id: 'u-2', model: 'eta', version: '1', timestamp: TS, features: { x: 2 }, prediction: 4, latncyMs: 31 },
      { id: 'u-3', model: 'eta', version: '1', timestamp: TS, features: { x: 3 }, prediction: 5, latencyMs: 12 },
      { id: 'u-4', model: 'churn', version: '1', timestamp: TS, features: { x: 1 }, prediction: 'no', ts: TS, requestId: 'r-9' },
      // a row refused is not warned about (its own answer says why)
      { id: 'u-5', model: 'eta', version: '1', features: { x: 'a' }, prediction: 1, costUSD: 0.1 },
    ];
    const r = await call(s.url, 'POST', '/v1/events', { events });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([r.body['accepted'], r.body['rejected']], [4, 1]);
    const fields = ['id', 'model', 'version', 'timestamp', 'features', 'prediction', 'score', 'scores', 'latencyMs', 'error', 'segment', 'costUsd'];
    assert.deepEqual(r.body['warnings'], [
      {
        code: 'unknown_field',
        message: `field "latncyMs" is not an event field; did you mean "latencyMs"?: ignored in 2 accepted rows of model "eta" (event fields: ${fields.join(', ')})`,
        details: { model: 'eta', keys: ['latncyMs'], rows: 2, fields },
      },
      {
        code: 'unknown_field',
        message: `fields "ts", "requestId" are not event fields: ignored in 1 accepted row of model "churn" (event fields: ${fields.join(', ')})`,
        details: { model: 'churn', keys: ['ts', 'requestId'], rows: 1, fields },
      },
    ]);
    const stored = await s.deps.store.getEvents(['u-1', 'u-4']);
    assert.deepEqual(stored.map((e) => [e.id, e.latencyMs]).sort(), [['u-1', null], ['u-4', null]]);
    // sent again: answered duplicate_id, not warned nor counted again
    const again = await call(s.url, 'POST', '/v1/events', { events: events.slice(0, 1) });
    assert.deepEqual([again.body['accepted'], again.body['warnings']], [0, undefined]);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    assert.match(metrics, /^lookout_events_unknown_fields_total\{model="eta"\} 2$/m);
    assert.match(metrics, /^lookout_events_unknown_fields_total\{model="churn"\} 1$/m);
    // a batch with none: no warnings key at all
    const clean = await call(s.url, 'POST', '/v1/events', { events: [{ model: 'eta', version: '1', features: { x: 1 }, prediction: 2, latencyMs: 5 }] });
    assert.deepEqual([clean.body['accepted'], 'warnings' in clean.body], [1, false]);
  });

  test('labels: a misspelled model is warned about (its check did not run), the label stored', async () => {
    const r = await call(s.url, 'POST', '/v1/labels', { labels: [{ id: 'u-1', label: '3.5', modle: 'churn' }, { id: 'u-3', label: '5' }] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body['accepted'], 2);
    assert.deepEqual(r.body['warnings'], [{
      code: 'unknown_field',
      message: 'field "modle" is not a label field; did you mean "model"?: ignored in 1 accepted row of model "eta" (label fields: id, label, model)',
      details: { model: 'eta', keys: ['modle'], rows: 1, fields: ['id', 'label', 'model'] },
    }]);
    assert.match(await (await fetch(`${s.url}/metrics`)).text(), /^lookout_labels_unknown_fields_total\{model="eta"\} 1$/m);
  });
});
