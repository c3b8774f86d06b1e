import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { call, poster, testServer } from './helpers/server.js';

const NUMERIC_X = { type: 'object', properties: { x: { type: 'number' }, c: { type: 'string' } } };
const CATEGORICAL_X = { type: 'object', properties: { x: { type: 'string' }, c: { type: 'string' } } };

interface MonitorView { id: string; problem: { code: string; message: string } | null }

async function monitorsOf(url: string): Promise<Map<string, MonitorView>> {
  const r = await call(url, 'GET', '/v1/monitors');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return new Map((r.body['monitors'] as MonitorView[]).map((m) => [m.id, m]));
}

describe('audit 7 (monitors): a model declaration that makes monitors unusable says so', { timeout: 60_000 }, () => {
  const now = Date.UTC(2026, 1, 2, 12);
  let s: Server;
  const post = poster(() => s.url);

  before(async () => {
    s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: NUMERIC_X });
    await post('/v1/models/churn/versions', { version: '1' });
    await post('/v1/monitors', { id: 'dx', model: 'churn', metric: 'drift:x', method: 'ks', window: '1h', levels: [{ severity: 'page', threshold: 0.01 }] });
    await post('/v1/monitors', { id: 'pd', model: 'churn', metric: 'predictionDrift', method: 'chisquare', window: '1h', levels: [{ severity: 'page', threshold: 0.01 }] });
    await post('/v1/monitors', { id: 'dc', model: 'churn', metric: 'drift:c', method: 'chisquare', window: '1h', levels: [{ severity: 'page', threshold: 0.01 }] });
  });
  after(() => s.close());

  test('x turned categorical: accepted (200) with a warning naming the monitor, and GET /v1/monitors shows it misconfigured until it is edited', async () => {
    const before = await monitorsOf(s.url);
    assert.equal(before.get('dx')?.problem, null);
    const r = await call(s.url, 'POST', '/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: CATEGORICAL_X });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const warnings = r.body['warnings'] as Array<{ monitor: string; problem: string }> | undefined;
    assert.ok(Array.isArray(warnings), `no warnings in ${JSON.stringify(r.body).slice(0, 400)}`);
    assert.deepEqual(warnings.map((w) => w.monitor), ['dx']);
    assert.match(warnings[0]?.problem ?? '', /method ks does not apply to categorical feature "x"/);
    const after = await monitorsOf(s.url);
    assert.equal(after.get('dx')?.problem?.code, 'misconfigured');
    assert.match(after.get('dx')?.problem?.message ?? '', /methods for it: .*chisquare/);
    assert.equal(after.get('dc')?.problem, null);
    // the way out: the monitor edited to a method of the new kind
    await post('/v1/monitors', { id: 'dx', model: 'churn', metric: 'drift:x', method: 'chisquare', window: '1h', levels: [{ severity: 'page', threshold: 0.01 }] });
    assert.equal((await monitorsOf(s.url)).get('dx')?.problem, null);
  });

  test('a regression declaration: the chisquare predictionDrift monitor is named; a declaration that breaks nothing has no warnings', async () => {
    const r = await call(s.url, 'POST', '/v1/models', { name: 'churn', outputKind: 'regression', inputSchema: CATEGORICAL_X });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const warnings = r.body['warnings'] as Array<{ monitor: string; problem: string }>;
    assert.deepEqual(warnings.map((w) => w.monitor), ['pd']);
    assert.match(warnings[0]?.problem ?? '', /method chisquare does not apply to the numerical prediction/);
    assert.equal((await monitorsOf(s.url)).get('pd')?.problem?.code, 'misconfigured');
    const back = await call(s.url, 'POST', '/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: CATEGORICAL_X });
    assert.equal(back.status, 200);
    assert.equal(back.body['warnings'], undefined);
    assert.equal((await monitorsOf(s.url)).get('pd')?.problem, null);
  });

  test('a feature dropped from the schema: its monitor is named', async () => {
    const r = await call(s.url, 'POST', '/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { c: { type: 'string' } } } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const warnings = r.body['warnings'] as Array<{ monitor: string; problem: string }>;
    assert.deepEqual(warnings.map((w) => w.monitor), ['dx']);
    assert.match(warnings[0]?.problem ?? '', /unknown feature "x"/);
  });
});
