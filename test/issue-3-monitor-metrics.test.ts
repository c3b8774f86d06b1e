import assert from 'node:assert/strict';
import { test } from 'node:test';
import { poster, testServer } from './helpers/server.js';
import { Traffic } from './helpers/traffic.js';

/*
 * Issue 3 asks /metrics for evaluation timings: the query timings were there (lookout_query_seconds), the monitors'
 * evaluation rounds were not. Real server, real store; rounds run through POST /v1/monitors/run.
 */

const HOUR = 3_600_000;

/** A metric's value in Prometheus' text format (the sample without labels), or null when absent. */
const sample = (text: string, name: string): number | null => {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
};

test('issue 3: /metrics times the monitor evaluation rounds and counts what they evaluated', async () => {
  const LIVE = Date.UTC(2026, 1, 2, 12);
  const now = LIVE + 2 * HOUR + 5 * 60_000;
  const s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
  const post = poster(() => s.url);
  try {
    await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' }, c: { type: 'string' } } } });
    await post('/v1/models/churn/versions', { version: '1' });
    await post('/v1/events', { events: new Traffic(4).slice(LIVE, LIVE + 2 * HOUR, 300, {}).events });
    const before = await (await fetch(`${s.url}/metrics`)).text();
    assert.equal(sample(before, 'lookout_monitor_round_seconds_count'), 0, 'no round yet');
    await post('/v1/monitors', { id: 'errors', model: 'churn', metric: 'errorRate', window: '1h', minSamples: 10, levels: [{ severity: 'page', threshold: 0.5 }] });
    let evaluated = 0;
    for (let i = 0; i < 2; i++) evaluated += Number(((await post('/v1/monitors/run', {}))['tick'] as { evaluated: number }).evaluated);
    assert.ok(evaluated >= 2, `the rounds evaluated the monitor's closed windows: ${evaluated}`);
    const after = await (await fetch(`${s.url}/metrics`)).text();
    assert.equal(sample(after, 'lookout_monitor_round_seconds_count'), 2, after.split('\n').filter((l) => l.includes('monitor')).join('\n'));
    assert.ok((sample(after, 'lookout_monitor_round_seconds_sum') ?? 0) > 0);
    assert.equal(sample(after, 'lookout_monitor_evaluations_total'), evaluated);
    assert.equal(sample(after, 'lookout_monitor_round_failures_total'), 0);
  } finally {
    await s.close();
  }
});
