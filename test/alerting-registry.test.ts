import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { defaultConfig } from '../src/config.js';
import { MemoryNotifier } from '../src/rollout/notifier.js';
import { startServer, type Server } from '../src/server.js';
import type { AlertRecord } from '../src/storage/alerts.js';
import { tempDir } from './helpers/cli.js';
import { Receiver } from './helpers/receiver.js';
import { declareChurn } from './helpers/registry.js';
import { call } from './helpers/server.js';
import { startModelServer, type ModelServer } from './helpers/upstream.js';

const T0 = Date.UTC(2026, 0, 5, 12);
const MIN = 60_000;
const HOUR = 3_600_000;

/**
 * The two cross-issue hooks through the real server (simulated clock, explicit ticks):
 * a monitor's rollback action flips the registry alias back (issue 4 -> 5), and an automatic rollout
 * rollback raises an alert that is notified through the alert pipeline (issue 5 -> 4).
 */
describe('issue 4/5: alerting wired to the registry and the rollout controller', { timeout: 60_000 }, () => {
  let server: Server;
  let url = '';
  let now = T0;
  let rx: Receiver;
  const upstreams: ModelServer[] = [];

  const ok = async (method: string, path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const r = await call(url, method, path, body);
    assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    return r.body;
  };
  const alerts = async (q: string): Promise<AlertRecord[]> => (await ok('GET', `/v1/alerts?${q}`))['alerts'] as AlertRecord[];
  const deployments = async (): Promise<Array<Record<string, unknown>>> => (await ok('GET', '/v1/models/churn/deployments'))['deployments'] as Array<Record<string, unknown>>;
  const aliases = async (): Promise<Record<string, string>> => (await ok('GET', '/v1/models/churn/aliases'))['aliases'] as Record<string, string>;

  before(async () => {
    rx = await Receiver.start();
    const c = defaultConfig();
    c.dataDir = tempDir('lookout-hooks-');
    c.server.port = 0;
    c.registry = { tickMs: 0, refreshMs: 0 };
    c.alerting = { evaluationInterval: 0, groupWait: '1m', groupInterval: '5m', notifiers: [{ id: 'hook', kind: 'webhook', url: `${rx.url}/hook` }] };
    server = await startServer({ config: c, clock: () => now, rolloutNotifier: new MemoryNotifier() });
    url = server.url;
    const stable = await startModelServer();
    upstreams.push(stable);
    await declareChurn(url, [{ version: '1.0.0', upstream: stable.url }, { version: '1.1.0', upstream: stable.url }], '1.0.0');
  });
  after(async () => {
    await server?.close();
    await rx?.close();
    for (const u of upstreams) await u.close();
  });

  test('issue 4/5: a monitor with a rollback action rolls the production alias back, recorded in the deployment history with the alert context', async () => {
    await ok('PUT', '/v1/models/churn/aliases/production', { version: '1.1.0', reason: 'ship 1.1.0', by: 'ci' });
    await ok('POST', '/v1/monitors', {
      id: 'latency-rollback', model: 'churn', metric: 'latencyP95', window: '1h', minSamples: 50, version: '1.1.0',
      levels: [{ severity: 'warning', threshold: 200 }, { severity: 'page', threshold: 500, action: 'rollback' }],
    });
    now = T0 + HOUR + 5 * MIN;
    const events = Array.from({ length: 200 }, (_, i) => ({
      id: `slow-${i}`, model: 'churn', version: '1.1.0', timestamp: T0 + i * 15_000, features: { x: (i % 9) - 4 },
      prediction: i % 2 ? 'yes' : 'no', score: 0.6, latencyMs: i % 10 === 0 ? 40 : 900,
    }));
    const ing = await ok('POST', '/v1/events', { events });
    assert.equal(ing['accepted'], 200, JSON.stringify(ing));
    await server.deps.pipeline.flush();
    await ok('POST', '/v1/monitors/run', {});
    assert.equal((await aliases())['production'], '1.1.0', 'nothing happens before the group wait');
    now += 2 * MIN;
    await ok('POST', '/v1/monitors/run', {});

    assert.equal((await aliases())['production'], '1.0.0', 'rolled back to the previous production version');
    const last = (await deployments()).at(-1) as Record<string, unknown>;
    assert.equal(last['kind'], 'rollback');
    assert.equal(last['alias'], 'production');
    assert.equal(last['from'], '1.1.0');
    assert.equal(last['to'], '1.0.0');
    assert.equal(last['by'], 'alerting');
    assert.match(String(last['reason']), /^alert .+ \(page\): latencyP95 observed 9\d\d(\.\d+)? vs threshold 500/);
    const [alert] = await alerts('state=open&model=churn');
    assert.equal(alert?.monitorId, 'latency-rollback');
    assert.equal(alert?.context['actionState'], 'done');
    const hooks = rx.received.filter((r) => (r.body as { alerts?: Array<{ labels: Record<string, string> }> }).alerts?.some((a) => a.labels['monitor'] === 'latency-rollback'));
    assert.equal(hooks.length, 1, 'the page was notified once');
  });

  test('issue 4/5: an automatic rollout rollback raises a page alert (GET /v1/alerts) that is notified, and a later promotion resolves it', async () => {
    const bad = await startModelServer({ failEvery: 3 });
    upstreams.push(bad);
    await ok('PUT', '/v1/models/churn/versions/1.2.0', { upstream: bad.url });
    await ok('POST', '/v1/models/churn/rollout', {
      candidate: '1.2.0', steps: [50, 100], stepDurationMs: MIN, reason: 'ship 1.2.0', analysis: { minSamples: 40 }, slo: { minSamples: 40, maxErrorRate: 0.05, maxP95Ms: 500 },
    });
    for (let i = 0; i < 200; i += 20) {
      await Promise.all(Array.from({ length: 20 }, async (_, j) => {
        const res = await fetch(`${url}/v1/models/churn/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ features: { x: ((i + j) % 9) - 4 } }) });
        await res.arrayBuffer();
      }));
    }
    now += 10_000;
    await ok('POST', '/v1/rollouts/tick', {});
    const rollout = (await ok('GET', '/v1/models/churn/rollout'))['rollout'] as Record<string, unknown>;
    assert.equal(rollout['state'], 'rolled_back');

    const raised = (await alerts('state=open&model=churn')).filter((a) => a.labels['category'] === 'rollout');
    assert.equal(raised.length, 1, JSON.stringify(raised));
    const a = raised[0] as AlertRecord;
    assert.equal(a.severity, 'page');
    assert.equal(a.version, '1.2.0');
    assert.equal(a.context['rolloutId'], rollout['id']);
    assert.match(String(a.context['reason']), /error rate/);
    // notified through the pipeline once the group wait has passed
    const before = rx.received.length;
    now += 2 * MIN;
    await ok('POST', '/v1/monitors/run', {});
    const sent = rx.received.slice(before).flatMap((r) => (r.body as { alerts: Array<{ labels: Record<string, string>; status: string }> }).alerts);
    assert.ok(sent.some((x) => x.labels['category'] === 'rollout' && x.status === 'firing'), JSON.stringify(sent).slice(0, 500));

    // a good blue-green switch (promotion) resolves the rollout alert of the model
    await ok('POST', '/v1/models/churn/rollout', { candidate: '1.1.0', policy: 'blue-green', reason: 'back to 1.1.0' });
    const rolloutAlerts = (await alerts('state=all&model=churn')).filter((x) => x.labels['category'] === 'rollout');
    assert.deepStrictEqual(rolloutAlerts.map((x) => x.state), ['resolved']);
  });
});
