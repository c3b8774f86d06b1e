import assert from 'node:assert/strict';
import type { Server } from '../../src/server.js';
import type { ActionRecord } from '../../src/storage/alerts.js';
import { Receiver } from './receiver.js';
import { call, poster, testServer } from './server.js';

/**
 * A real server whose retrain action needs an approval (`approval: true`), a loopback webhook as the retraining job,
 * and two models (churn, eta) whose throughput monitors (no traffic: below 10 events/s) have raised a page alert each,
 * so that each has a retrain action waiting as pending_approval (`waiting`: action id by model). Close both when done.
 */
export async function serverWithWaitingActions(): Promise<{ s: Server; retrain: Receiver; waiting: Record<string, string> }> {
  let now = Date.UTC(2026, 4, 4, 10, 3);
  const retrain = await Receiver.start();
  const s = await testServer({
    clock: () => now,
    configure: (c) => {
      c.alerting = { evaluationInterval: 0, groupWait: '1m', actions: { retrain: { url: `${retrain.url}/retrain`, approval: true } } };
    },
  });
  const post = poster(() => s.url);
  for (const model of ['churn', 'eta']) {
    await post('/v1/models', { name: model, outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
    await post(`/v1/models/${model}/versions`, { version: '1' });
    await post('/v1/monitors', { id: `volume-${model}`, model, metric: 'throughput', window: '1h', minSamples: 0, levels: [{ severity: 'page', threshold: 10, action: 'retrain' }] });
  }
  await post('/v1/monitors/run', {});
  now += 120_000; // past the group wait: the alerts are notified and their actions asked for
  await post('/v1/monitors/run', {});
  const waiting: Record<string, string> = {};
  for (const a of (await call(s.url, 'GET', '/v1/actions')).body['actions'] as ActionRecord[]) {
    assert.equal(a.state, 'pending_approval');
    waiting[a.model] = a.id;
  }
  assert.deepEqual(Object.keys(waiting).sort(), ['churn', 'eta']);
  return { s, retrain, waiting };
}
