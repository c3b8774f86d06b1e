import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { defaultConfig } from '../src/config.js';
import { MemoryNotifier } from '../src/rollout/notifier.js';
import { startServer, type Server } from '../src/server.js';
import type { AlertRecord } from '../src/storage/alerts.js';
import { tempDir } from './helpers/cli.js';
import { Receiver } from './helpers/receiver.js';
import { declareChurn, twoVersionGateway, type TwoVersionGateway } from './helpers/registry.js';
import { parsePrometheus } from './helpers/prometheus.js';
import { predict, type Answer } from './helpers/predict.js';
import { call } from './helpers/server.js';
import { startModelServer, type ModelServer } from './helpers/upstream.js';

/** A model server that writes the answer's headers and part of its body, then resets the connection. */
async function resetting(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"predic');
      setTimeout(() => res.socket?.destroy(), 10);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/predict`,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

describe('audit 8: gateway (real upstream model servers on loopback)', { timeout: 120_000 }, () => {
  let g: TwoVersionGateway;
  let url: string;
  before(async () => {
    g = await twoVersionGateway();
    url = g.server.url;
  });
  after(() => g.close());

  const metrics = async (): Promise<Map<string, Map<string, number>>> => {
    const text = await (await fetch(`${url}/metrics`)).text();
    const out = new Map<string, Map<string, number>>();
    for (const f of parsePrometheus(text).values()) {
      for (const s of f.samples) {
        const m = out.get(s.name) ?? new Map<string, number>();
        m.set(Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).sort().join(','), s.value);
        out.set(s.name, m);
      }
    }
    return out;
  };

  test('audit 8: /metrics counts the gateway\'s answers by outcome and what its recorder stored or lost', async () => {
    const reset = await resetting();
    try {
      assert.equal((await call(url, 'PUT', '/v1/models/churn/versions/3.0.0', { upstream: reset.url })).status, 201);
      const answers: Answer[] = [];
      // the primary answers
      await g.serving({ timeoutMs: 300 });
      for (let i = 0; i < 4; i++) answers.push(await predict(url, { x: i - 2 }));
      // a request reusing an id already recorded: answered, its event not stored again
      const reused = await predict(url, { x: 1 }, { id: answers[0]?.id });
      answers.push(reused);
      // a primary that resets the connection mid-answer: 502, then the same with a static fallback: 200 fallback
      assert.equal((await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '3.0.0', reason: 'broken' })).status, 200);
      for (let i = 0; i < 2; i++) answers.push(await predict(url, { x: 0.5 }));
      await g.serving({ timeoutMs: 300, fallback: [{ static: { prediction: 'no', score: 0.5 } }] });
      for (let i = 0; i < 3; i++) answers.push(await predict(url, { x: 0.5 }));
      // a hung primary: 504
      assert.equal((await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '1.0.0', reason: 'back' })).status, 200);
      await g.serving({ timeoutMs: 150 });
      g.v1.behaviour.hang = true;
      answers.push(await predict(url, { x: 0.5 }));
      g.v1.behaviour.hang = false;
      // a paused model: 503
      assert.equal((await call(url, 'POST', '/v1/models/churn/pause', { reason: 'test' })).status, 200);
      answers.push(await predict(url, { x: 0.5 }));
      assert.equal((await call(url, 'POST', '/v1/models/churn/resume', { reason: 'test' })).status, 200);
      // refused before any upstream call (400): not an answer of the gateway's
      answers.push(await predict(url, { x: 'not a number' }));

      const outcome = (a: Answer): string | null => {
        if (a.status === 200) return a.fallback === null ? 'ok' : 'fallback';
        const code = (a.body['error'] as { code: string }).code;
        return ['upstream_error', 'upstream_timeout', 'unavailable'].includes(code) ? code : null;
      };
      const expected = new Map<string, number>();
      for (const a of answers) {
        const o = outcome(a);
        if (o !== null) expected.set(o, (expected.get(o) ?? 0) + 1);
      }
      assert.deepStrictEqual([...expected.keys()].sort(), ['fallback', 'ok', 'unavailable', 'upstream_error', 'upstream_timeout'], JSON.stringify(answers.map((a) => [a.status, a.body])));

      await g.server.deps.registry?.recorder.flush();
      const m = await metrics();
      const predictions = m.get('lookout_gateway_predictions_total');
      assert.ok(predictions !== undefined, 'lookout_gateway_predictions_total is exported');
      for (const [o, n] of expected) assert.equal(predictions.get(`model=churn,outcome=${o}`), n, `outcome ${o}`);

      // every event the recorder stored is counted, and the reused id as lost (duplicate_id)
      const stored = (await call(url, 'GET', '/v1/models/churn/health?version=1.0.0')).body['events'] as number
        + ((await call(url, 'GET', '/v1/models/churn/health?version=3.0.0')).body['events'] as number);
      assert.equal(m.get('lookout_gateway_events_recorded_total')?.get(''), stored);
      // every request that named a version (a paused one's too: a failed event), less the one whose id was already stored
      const routed = answers.filter((a) => outcome(a) !== null).length;
      assert.equal(stored, routed - 1);
      const lost = m.get('lookout_gateway_events_lost_total');
      assert.equal(lost?.get('reason=duplicate_id'), 1);
      assert.equal(lost?.get('reason=queue_full'), 0);
      assert.equal(lost?.get('reason=commit_failed'), 0);
    } finally {
      g.v1.behaviour.hang = false;
      await reset.close();
    }
  });
});

describe('audit 8: rollout rollbacks through the alert pipeline', { timeout: 120_000 }, () => {
  const MIN = 60_000;
  let now = Date.UTC(2026, 0, 5, 12);
  let server: Server;
  let url = '';
  let rx: Receiver;
  const upstreams: ModelServer[] = [];
  before(async () => {
    rx = await Receiver.start();
    const c = defaultConfig();
    c.dataDir = tempDir('lookout-audit8-gw-');
    c.server.port = 0;
    c.registry = { tickMs: 0, refreshMs: 0 };
    c.alerting = { evaluationInterval: 0, groupWait: '1m', groupInterval: '5m', notifiers: [{ id: 'hook', kind: 'webhook', url: `${rx.url}/hook` }] };
    server = await startServer({ config: c, clock: () => now, rolloutNotifier: new MemoryNotifier() });
    url = server.url;
    const stable = await startModelServer();
    const broken = await startModelServer({ failEvery: 1 });
    upstreams.push(stable, broken);
    await declareChurn(url, [{ version: '1.0.0', upstream: stable.url }, { version: '1.1.0', upstream: broken.url }, { version: '1.2.0', upstream: broken.url }], '1.0.0');
  });
  after(async () => {
    await server?.close();
    await rx?.close();
    for (const u of upstreams) await u.close();
  });

  test('audit 8: a second automatic rollback while the first one\'s alert is open is a new page alert of its candidate, notified', async () => {
    const rollBack = async (candidate: string): Promise<string> => {
      const r = await call(url, 'POST', '/v1/models/churn/rollout', { candidate, steps: [50, 100], stepDurationMs: 10 * MIN, reason: `ship ${candidate}`, analysis: { minSamples: 20 } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      for (let i = 0; i < 120; i++) await predict(url, { x: (i % 9) - 4 });
      now += 10_000;
      await call(url, 'POST', '/v1/rollouts/tick', {});
      const ro = (await call(url, 'GET', '/v1/models/churn/rollout')).body['rollout'] as Record<string, unknown>;
      assert.equal(ro['state'], 'rolled_back', JSON.stringify(ro).slice(0, 400));
      return String(ro['id']);
    };
    const firing = async (): Promise<Array<{ labels: Record<string, string>; version?: string; status: string }>> => {
      const before = rx.received.length;
      now += 2 * MIN;
      await call(url, 'POST', '/v1/monitors/run', {});
      return rx.received.slice(before).flatMap((r) => (r.body as { alerts: Array<{ labels: Record<string, string>; version?: string; status: string }> }).alerts)
        .filter((x) => x.labels['category'] === 'rollout');
    };
    const first = await rollBack('1.1.0');
    assert.ok((await firing()).some((x) => x.status === 'firing'), 'the first rollback is notified');
    // nobody resolved it; a new candidate is rolled out and rolled back too
    const second = await rollBack('1.2.0');
    assert.notEqual(first, second);
    const open = ((await call(url, 'GET', '/v1/alerts?state=open&model=churn')).body['alerts'] as AlertRecord[]).filter((a) => a.labels['category'] === 'rollout');
    assert.equal(open.length, 1, JSON.stringify(open));
    const a = open[0] as AlertRecord;
    assert.deepStrictEqual([a.version, a.context['rolloutId'], a.severity], ['1.2.0', second, 'page'], 'the open alert is the second rollback\'s');
    const sent = await firing();
    assert.ok(sent.some((x) => x.status === 'firing' && x.version === '1.2.0'), `the second rollback is notified: ${JSON.stringify(sent).slice(0, 600)}`);
  });
});
