import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { defaultConfig } from '../src/config.js';
import { MemoryNotifier } from '../src/rollout/notifier.js';
import { startServer, type Server } from '../src/server.js';
import { tempDir } from './helpers/cli.js';
import { declareChurn } from './helpers/registry.js';
import { call } from './helpers/server.js';
import { startModelServer, type ModelServer } from './helpers/upstream.js';

const T0 = Date.UTC(2026, 0, 5, 12);
const STEP = 60_000;

describe('issue 5: progressive rollouts through the real server (injected clock, explicit ticks)', { timeout: 120_000 }, () => {
  let server: Server;
  let url: string;
  let now = T0;
  const notifier = new MemoryNotifier();
  const upstreams: ModelServer[] = [];
  let stable: ModelServer;

  const traffic = async (n: number): Promise<string[]> => {
    const versions: string[] = [];
    for (let i = 0; i < n; i += 20) {
      const batch = await Promise.all(Array.from({ length: Math.min(20, n - i) }, async (_, j) => {
        const res = await fetch(`${url}/v1/models/churn/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ features: { x: (((i + j) * 37) % 81 - 40) / 10 } }) });
        await res.arrayBuffer();
        return res.headers.get('x-lookout-version') ?? `HTTP ${res.status}`;
      }));
      versions.push(...batch);
    }
    return versions;
  };
  const tick = async (advanceMs: number): Promise<void> => {
    now += advanceMs;
    const r = await call(url, 'POST', '/v1/rollouts/tick', {});
    assert.equal(r.status, 200);
  };
  const rollout = async (): Promise<Record<string, unknown>> => (await call(url, 'GET', '/v1/models/churn/rollout')).body.rollout as Record<string, unknown>;
  const history = async (): Promise<Array<Record<string, unknown>>> => (await call(url, 'GET', '/v1/models/churn/deployments')).body.deployments as Array<Record<string, unknown>>;
  const start = (candidate: string, extra: Record<string, unknown> = {}) => call(url, 'POST', '/v1/models/churn/rollout', {
    candidate, steps: [10, 50, 100], stepDurationMs: STEP, reason: `ship ${candidate}`, analysis: { minSamples: 40 }, slo: { minSamples: 40, maxErrorRate: 0.05, maxP95Ms: 500 }, ...extra,
  });

  before(async () => {
    const c = defaultConfig();
    c.dataDir = tempDir('lookout-rollout-');
    c.server.port = 0;
    c.registry = { tickMs: 0, refreshMs: 0 };
    server = await startServer({ config: c, clock: () => now, rolloutNotifier: notifier });
    url = server.url;
    stable = await startModelServer();
    upstreams.push(stable);
    await declareChurn(url, [{ version: '1.0.0', upstream: stable.url }], '1.0.0');
  });
  after(async () => {
    await server.close();
    for (const u of upstreams) await u.close();
  });

  test('issue 5: a bad canary (a third of its requests fail) is rolled back automatically and the alias history shows it', async () => {
    const bad = await startModelServer({ failEvery: 3 });
    upstreams.push(bad);
    await call(url, 'PUT', '/v1/models/churn/versions/1.1.0', { upstream: bad.url });
    const s = await start('1.1.0');
    assert.equal(s.status, 201, JSON.stringify(s.body));
    assert.equal((s.body.rollout as { weight: number }).weight, 10);
    const seen = await traffic(600);
    const canary = seen.filter((v) => v === '1.1.0').length;
    assert.ok(canary > 20 && canary < 110, `${canary} of 600 on the 10% canary`);
    await tick(10_000);
    const r = await rollout();
    assert.equal(r.state, 'rolled_back', JSON.stringify(r));
    assert.equal(r.weight, 0);
    assert.match(String(r.endReason), /error rate|errorRate/);
    const aliases = (await call(url, 'GET', '/v1/models/churn/aliases')).body.aliases as Record<string, string>;
    assert.deepStrictEqual(aliases, { canary: '1.0.0', production: '1.0.0' });
    const canaryHistory = (await history()).filter((d) => d.alias === 'canary').map((d) => [d.kind, d.from, d.to, d.by]);
    assert.deepStrictEqual(canaryHistory, [['set', null, '1.1.0', 'api'], ['rollback', '1.1.0', '1.0.0', 'rollout-controller']]);
    assert.deepStrictEqual(notifier.events.map((e) => e.type), ['started', 'rolled_back']);
    const after = await traffic(100);
    assert.ok(after.every((v) => v === '1.0.0'), 'all traffic back on the primary');
  });

  test('issue 5: a canary whose outputs shift is rolled back on disagreement and drift, with the numbers', async () => {
    const shifted = await startModelServer({ answer: () => ({ prediction: 'yes', score: 0.95 }) });
    upstreams.push(shifted);
    await call(url, 'PUT', '/v1/models/churn/versions/1.2.0', { upstream: shifted.url });
    assert.equal((await start('1.2.0', { steps: [50, 100] })).status, 201);
    await traffic(300);
    await server.deps.registry?.gateway.mirrorsSettled(); // paired (mirrored) answers arrive after the responses
    await tick(STEP);
    const r = await rollout();
    assert.equal(r.state, 'rolled_back');
    const checks = (r.analyses as Array<{ checks: Array<{ name: string; canary: number; primary: number; limit: number; pass: boolean }> }>)[0]?.checks ?? [];
    const failed = checks.filter((c) => !c.pass).map((c) => c.name);
    assert.ok(failed.includes('disagreement') && failed.includes('drift'), JSON.stringify(checks));
    const dis = checks.find((c) => c.name === 'disagreement');
    assert.ok((dis?.canary ?? 0) > 0.3 && dis?.limit === 0.2);
  });

  test('issue 5: a good canary goes 10 -> 50 -> 100 and is promoted; an SLO breach during the bake period rolls production back', async () => {
    const good = await startModelServer();
    upstreams.push(good);
    await call(url, 'PUT', '/v1/models/churn/versions/1.3.0', { upstream: good.url });
    // Two identical loopback upstreams: their latencies differ only by the machine's noise. Once, in a full suite on a
    // loaded machine, this rollout was rolled back halfway through its first step (the reason was not printed; now it
    // is); ~60 canary requests' p95 against the primary's x 1.5 + 5 ms is the check such noise can fail, so it gets more
    // slack here (the latency check itself is tested in src/core/rollout/analysis.test.ts).
    assert.equal((await start('1.3.0', { bakeMs: 30 * 60_000, analysis: { minSamples: 40, latencySlackMs: 250 } })).status, 201);
    const weights: number[] = [];
    for (let step = 0; step < 3; step++) {
      weights.push((await rollout()).weight as number);
      await traffic(step === 0 ? 600 : 200);
      await server.deps.registry?.gateway.mirrorsSettled(); // mirrored calls answered
      await tick(STEP / 2);
      const mid = await rollout();
      assert.equal(mid.state, 'running', `not before the step duration (${String(mid.endReason)})`);
      await tick(STEP / 2);
    }
    const r = await rollout();
    assert.deepStrictEqual(weights, [10, 50, 100]);
    assert.equal(r.state, 'promoted', JSON.stringify(r.endReason));
    assert.equal((r.analyses as Array<{ pass: boolean }>).length, 3);
    assert.ok((r.analyses as Array<{ pass: boolean }>).every((a) => a.pass));
    assert.equal(((await call(url, 'GET', '/v1/models/churn/aliases')).body.aliases as Record<string, string>).production, '1.3.0');
    // within the bake period the new version starts failing: production goes back to 1.0.0 automatically
    good.behaviour.failEvery = 2;
    await traffic(120);
    await tick(5 * 60_000);
    const after = await rollout();
    assert.equal(after.state, 'rolled_back');
    assert.match(String(after.endReason), /SLO breach within 1800 s after promotion: error rate 50\.00% > 5\.00%/);
    const prod = (await history()).filter((d) => d.alias === 'production').slice(-2).map((d) => [d.kind, d.from, d.to]);
    assert.deepStrictEqual(prod, [['promote', '1.0.0', '1.3.0'], ['rollback', '1.3.0', '1.0.0']]);
    assert.deepStrictEqual(notifier.events.slice(-5).map((e) => e.type), ['started', 'step', 'step', 'promoted', 'rolled_back']);
    assert.ok((await traffic(40)).every((v) => v === '1.0.0'));
  });

  test('issue 5: rollout API refuses bad requests and a second concurrent rollout', async () => {
    assert.equal((await call(url, 'POST', '/v1/models/churn/rollout', { candidate: '9.9.9', reason: 'x' })).status, 404);
    assert.equal((await call(url, 'POST', '/v1/models/churn/rollout', { candidate: '1.3.0', policy: 'a/b', reason: 'x' })).status, 400);
    assert.equal((await call(url, 'POST', '/v1/models/churn/rollout', { candidate: '1.0.0', reason: 'x' })).status, 409, 'already production');
    assert.equal((await start('1.3.0')).status, 201);
    assert.equal((await start('1.2.0')).status, 409);
    const paused = await call(url, 'POST', '/v1/models/churn/rollout/pause', {});
    assert.equal((paused.body.rollout as { state: string }).state, 'paused');
    assert.ok((await traffic(40)).every((v) => v === '1.0.0'), 'a paused rollout sends nothing to the candidate');
    const aborted = await call(url, 'POST', '/v1/models/churn/rollout/abort', { reason: 'changed my mind' });
    assert.equal((aborted.body.rollout as { state: string }).state, 'rolled_back');
  });
});
