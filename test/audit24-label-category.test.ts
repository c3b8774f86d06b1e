import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import type { AlertRecord } from '../src/storage/alerts.js';
import { call, testServer } from './helpers/server.js';
import { tempDir } from './helpers/cli.js';

const MIN = 60_000;
const H = 60 * MIN;
const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };

/**
 * Audit 24: labelDelay's alerts were category `data`, so by the default inhibition rule (data problems mute the model's
 * drift alerts) labels arriving late muted drift alerts, which do not depend on labels. labelDelay and labelCoverage are
 * category `labels` now; an alert still open from before is relabelled in place at the first start.
 */
describe('audit 24: label alerts are category labels and do not mute drift alerts (real server, DuckDB file)', () => {
  const T0 = Date.UTC(2026, 10, 2, 9);
  let now = T0 + 3 * H + 5 * MIN;
  const dataDir = tempDir('lookout-a24-labelcat-');
  let s: Server;
  const start = (): Promise<Server> => testServer({
    clock: () => now,
    configure: (c) => {
      c.dataDir = dataDir;
      c.alerting = { evaluationInterval: 0, groupWait: '1m' };
    },
  });
  const ok = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const r = await call(s.url, method, path, body);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const alerts = async (): Promise<AlertRecord[]> => (await ok('GET', '/v1/alerts?state=all&limit=1000'))['alerts'] as AlertRecord[];
  const tick = async (at: number): Promise<void> => {
    now = at;
    await ok('POST', '/v1/monitors/run', {});
  };

  before(async () => {
    s = await start();
    await ok('POST', '/v1/models', { name: 'lc', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
    await ok('POST', '/v1/models/lc/versions', { version: '1' });
    // hour [T0, T0+1h): 20 predictions, all of class 1 (predictionRate 1: a drift-category alert)
    const events = Array.from({ length: 20 }, (_, i) => ({ id: `e${i}`, model: 'lc', version: '1', timestamp: T0 + i * MIN, features: { x: i }, prediction: '1', score: 0.9 }));
    assert.equal((await ok('POST', '/v1/events', { events }))['accepted'], 20);
    // labelled ~3 h after their predictions
    assert.equal((await ok('POST', '/v1/labels', { labels: events.map((e) => ({ id: e.id, label: '1' })) }))['accepted'], 20);
    await ok('POST', '/v1/monitors', { id: 'late', model: 'lc', metric: 'labelDelay', window: '1h', minSamples: 5, levels: [{ severity: 'page', threshold: H }] });
    await ok('POST', '/v1/monitors', { id: 'rate', model: 'lc', metric: 'predictionRate', window: '1h', minSamples: 5, levels: [{ severity: 'page', threshold: 0.5 }] });
  });
  after(() => s?.close());

  test('labelDelay pages as category labels; the model\'s drift-category alert of the same time is not inhibited and is notified', async () => {
    await tick(now);
    await tick(now + 2 * MIN); // past groupWait: the group is flushed through the inhibition stage
    const all = await alerts();
    const late = all.find((a) => a.monitorId === 'late');
    const rate = all.find((a) => a.monitorId === 'rate');
    assert.ok(late && rate, JSON.stringify(all.map((a) => [a.monitorId, a.state])));
    assert.equal(late.state, 'open');
    assert.equal(late.labels['category'], 'labels');
    assert.equal(rate.labels['category'], 'drift');
    assert.equal(rate.inhibited, false, 'late labels do not mute a drift alert of the model');
  });

  test('a labelDelay alert stored by an earlier release (category data) keeps its id, state and acknowledgement: relabelled in place at start, no second alert', async () => {
    const late = (await alerts()).find((a) => a.monitorId === 'late');
    assert.ok(late);
    await ok('POST', `/v1/alerts/${late.id}/ack`, { by: 'oncall' });
    await s.close();
    // as the release before audit 24 stored it: category data, the fingerprint of those labels
    const { openStore } = await import('../src/storage/open.js');
    const { fingerprint } = await import('../src/alerting/fingerprint.js');
    const db = await openStore(`duckdb:${dataDir}/lookout.duckdb`);
    await db.init();
    const stored = (await db.alertStore().listAlerts({ monitorId: 'late' }))[0];
    assert.ok(stored);
    const legacy = { ...stored.labels, category: 'data' };
    await db.alertStore().putAlert({ ...stored, labels: legacy, fingerprint: fingerprint('late', legacy) });
    await db.close();

    s = await start();
    const carried = (await alerts()).filter((a) => a.monitorId === 'late');
    assert.deepEqual(carried.map((a) => [a.id, a.state, a.labels['category'], a.fingerprint]), [[late.id, 'acknowledged', 'labels', late.fingerprint]]);
    // the next evaluations update this alert: no second one opened beside it
    await tick(now + 5 * MIN);
    assert.deepEqual((await alerts()).filter((a) => a.monitorId === 'late').map((a) => a.id), [late.id]);
  });
});
