import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { registerMonitorMetric } from '../src/monitors/metrics/registry.js';
import type { Server } from '../src/server.js';
import { call, lastEvaluation, poster, testServer } from './helpers/server.js';
import { Traffic } from './helpers/traffic.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const SCHEMA = { type: 'object', properties: { x: { type: 'number' }, c: { type: 'string' } } };

// A plugin metric (registerMonitorMetric) that is NaN whatever the traffic: e.g. a ratio of two zero sums.
registerMonitorMetric({
  id: 'audit4NaN', description: 'NaN with every event counted as a sample', direction: () => 'above', feature: 'none', source: 'summary', defaultMinSamples: 10,
  value: (ctx) => ({ value: Number.NaN, samples: ctx.summary.events }),
  reference: () => null,
});

describe('audit 4 (monitors): the note of a window without a verdict says the real reason', { timeout: 60_000 }, () => {
  const LIVE = Date.UTC(2026, 1, 2, 12);
  const now = LIVE + HOUR + 5 * MIN;
  let s: Server;
  const post = poster(() => s.url);

  before(async () => {
    s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
    await post('/v1/models/churn/versions', { version: '1' });
    // a reference whose x is constant (std 0): the normalised Wasserstein distance is undefined against it
    const rows = Array.from({ length: 200 }, (_, i) => `1,${'abc'[i % 3]},1,0.7,1`);
    const ref = await call(s.url, 'PUT', '/v1/models/churn/versions/1/reference', `x,c,prediction,score,label\n${rows.join('\n')}\n`, { 'content-type': 'text/csv' });
    assert.ok(ref.status < 300, JSON.stringify(ref.body));
    await post('/v1/events', { events: new Traffic(4).slice(LIVE, LIVE + HOUR, 300, {}).events });
  });
  after(() => s.close());

  test('a NaN metric with 300 samples (minSamples 10) is not "samples < minSamples": the note says NaN and the samples', async () => {
    await post('/v1/monitors', { id: 'nan', model: 'churn', metric: 'audit4NaN', window: '1h', minSamples: 10, levels: [{ severity: 'page', threshold: 1 }] });
    await post('/v1/monitors/run', {});
    const e = await lastEvaluation(s.url, 'nan', LIVE, LIVE + 2 * HOUR);
    assert.equal(e.status, 'insufficient_data');
    assert.equal(e.samples, 300);
    const note = String(e.detail?.['note']);
    assert.doesNotMatch(note, /samples < minSamples/, note);
    assert.match(note, /NaN/, note);
    assert.match(note, /300 samples/, note);
  });

  test('drift against a constant reference column: the note names the constant reference, not a generic failure', async () => {
    await post('/v1/monitors', { id: 'const', model: 'churn', metric: 'drift:x', method: 'wasserstein', window: '1h', minSamples: 10, levels: [{ severity: 'page', threshold: 0.5 }] });
    await post('/v1/monitors/run', {});
    const e = await lastEvaluation(s.url, 'const', LIVE, LIVE + 2 * HOUR);
    assert.equal(e.status, 'insufficient_data');
    assert.match(String(e.detail?.['note']), /reference is constant/, String(e.detail?.['note']));
  });
});
