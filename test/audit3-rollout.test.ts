import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MemoryNotifier } from '../src/rollout/notifier.js';
import { defaultConfig } from '../src/config.js';
import { startServer, type Server } from '../src/server.js';
import { tempDir } from './helpers/cli.js';
import { predict } from './helpers/predict.js';
import { declareChurn, stickyKeys as keys } from './helpers/registry.js';
import { call } from './helpers/server.js';
import { startModelServer, type ModelServer } from './helpers/upstream.js';

const T0 = Date.UTC(2026, 0, 5, 12);
const STEP = 60_000;

describe('audit 3: rollout statistics and the promotion gate through the real server', { timeout: 120_000 }, () => {
  let server: Server;
  let url: string;
  let now = T0;
  const notifier = new MemoryNotifier();
  let stable: ModelServer;
  let candidate: ModelServer;

  const tick = async (advanceMs: number): Promise<void> => {
    now += advanceMs;
    const r = await call(url, 'POST', '/v1/rollouts/tick', {});
    assert.equal(r.status, 200, JSON.stringify(r.body));
  };
  const rollout = async (): Promise<Record<string, unknown>> => (await call(url, 'GET', '/v1/models/churn/rollout')).body.rollout as Record<string, unknown>;

  before(async () => {
    const c = defaultConfig();
    c.dataDir = tempDir('lookout-audit3-rollout-');
    c.server.port = 0;
    c.registry = { tickMs: 0, refreshMs: 0 };
    server = await startServer({ config: c, clock: () => now, rolloutNotifier: notifier });
    url = server.url;
    stable = await startModelServer();
    candidate = await startModelServer({ failEvery: 3 });
    await declareChurn(url, [{ version: '1.0.0', upstream: stable.url }, { version: '1.1.0', upstream: candidate.url }], '1.0.0');
  });
  after(async () => {
    await server.close();
    await stable.close();
    await candidate.close();
  });

  test('one failed request of the canary\'s first 3 is noise: the step holds (insufficient data); a canary failing every request is still rolled back early', async () => {
    const s = await call(url, 'POST', '/v1/models/churn/rollout', {
      candidate: '1.1.0', steps: [10, 100], stepDurationMs: STEP, stickyKey: 'user', reason: 'tiny-sample audit',
      analysis: { minSamples: 40 }, slo: { minSamples: 40, maxErrorRate: 0.05, maxP95Ms: 500 },
    });
    assert.equal(s.status, 201, JSON.stringify(s.body));
    for (const user of keys(200, false, 'p')) assert.equal((await predict(url, { x: 1, user })).version, '1.0.0');
    // the candidate's third request fails (failEvery 3): 1 of 3 against 0 of ~200 on the primary (which answers it)
    const seen = [];
    for (const user of keys(3, true, 'c')) {
      const a = await predict(url, { x: 1, user });
      seen.push(`${a.status} ${String(a.version)}`);
    }
    assert.deepStrictEqual(seen, ['200 1.1.0', '200 1.1.0', '200 1.0.0']);
    await tick(10_000);
    let r = await rollout();
    // exact one-sided p (scipy.stats.fisher_exact([[1, 2], [0, 202]], alternative='greater')) = 3/205 = 0.0146 > 0.01
    assert.equal(r.state, 'running', `rolled back on 1 failure in 3 requests: ${String(r.endReason)}`);
    assert.equal(r.weight, 10);
    await tick(STEP);
    r = await rollout();
    assert.equal(r.state, 'running', 'after the step duration, too few samples still hold the step');
    assert.equal((r.analyses as unknown[]).length, 0);
    const aliases = (await call(url, 'GET', '/v1/models/churn/aliases')).body.aliases as Record<string, string>;
    assert.equal(aliases['canary'], '1.1.0');
    // now every candidate request fails: 4 of 6 against 0 of ~200 is no noise, rolled back at the next tick
    candidate.behaviour.failEvery = 1;
    for (const user of keys(3, true, 'd')) {
      const a = await predict(url, { x: 1, user });
      assert.deepStrictEqual([a.status, a.version], [200, '1.0.0'], 'a failing canary request is answered by the primary');
    }
    await tick(1_000);
    r = await rollout();
    assert.equal(r.state, 'rolled_back');
    assert.match(String(r.endReason), /errorRate canary 0\.6667 vs primary 0 /);
    candidate.behaviour.failEvery = 3;
  });

  /** 100 labels; the current version right on the first `rightA` rows, the candidate on the first `rightB`. */
  const testSet = (rightA: number, rightB: number) => {
    const labels = Array.from({ length: 100 }, (_, i) => (i % 2 ? 'yes' : 'no'));
    const flip = (l: string): string => (l === 'yes' ? 'no' : 'yes');
    return {
      labels,
      current: { predictions: labels.map((l, i) => (i < rightA ? l : flip(l))) },
      candidate: { predictions: labels.map((l, i) => (i < rightB ? l : flip(l))) },
    };
  };

  test('the gate: accuracy 0.57 against 0.56 meets a minimum improvement of 0.01 (it was refused as "0.0100 is below the required 0.0100")', async () => {
    const set = await call(url, 'PUT', '/v1/models/churn/aliases/champion', { version: '1.0.0', reason: 'gate audit' });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    const r = await call(url, 'POST', '/v1/models/churn/promote', {
      version: '1.1.0', alias: 'champion', reason: 'one more right answer in 100', testSet: testSet(56, 57), gate: { metric: 'accuracy', minImprovement: 0.01 },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 400));
    const gate = (r.body.comparison as { gate: { pass: boolean; reason: string } }).gate;
    assert.equal(gate.pass, true);
    assert.match(gate.reason, /accuracy: candidate 0\.5700 beats current 0\.5600 by 0\.0100/);
    // one right answer fewer is still refused, with the numbers
    const c = await call(url, 'POST', '/v1/models/churn/compare', { current: '1.0.0', candidate: '1.1.0', testSet: testSet(56, 56), gate: { metric: 'accuracy', minImprovement: 0.01 } });
    assert.equal(c.status, 200);
    assert.match((c.body.gate as { reason: string }).reason, /improvement 0\.0000 .* is below the required 0\.0100/);
  });

  test('the gate: a negative minimum improvement is a non-inferiority margin (it was ignored: "below the required > 0")', async () => {
    const gate = { metric: 'accuracy', minImprovement: -0.02 };
    const within = await call(url, 'POST', '/v1/models/churn/compare', { current: '1.0.0', candidate: '1.1.0', testSet: testSet(56, 55), gate });
    assert.equal(within.status, 200, JSON.stringify(within.body).slice(0, 400));
    const g = within.body.gate as { pass: boolean; reason: string; improvement: number };
    assert.equal(g.pass, true, g.reason);
    assert.ok(Math.abs(g.improvement + 0.01) < 1e-12);
    const worse = await call(url, 'POST', '/v1/models/churn/compare', { current: '1.0.0', candidate: '1.1.0', testSet: testSet(56, 53), gate });
    const w = worse.body.gate as { pass: boolean; reason: string };
    assert.equal(w.pass, false);
    assert.match(w.reason, /accuracy: candidate 0\.5300 vs current 0\.5600; improvement -0\.0300 \(95% CI .*\) is below the required -0\.0200/);
  });

  test('the SLO after a promotion: 3 failures in 50 requests (6% against 5%, p = 0.46) is no evidence of a breach and keeps the version; 28% over 100 rolls back', async () => {
    const next = await startModelServer({ failEvery: 16 });
    try {
      assert.equal((await call(url, 'PUT', '/v1/models/churn/versions/1.2.0', { upstream: next.url })).status, 201);
      const s = await call(url, 'POST', '/v1/models/churn/rollout', { candidate: '1.2.0', policy: 'blue-green', reason: 'slo noise audit', slo: { minSamples: 50, maxErrorRate: 0.05, maxP95Ms: 5000 } });
      assert.equal(s.status, 201, JSON.stringify(s.body));
      const statuses: number[] = [];
      for (let i = 0; i < 50; i++) statuses.push((await predict(url, { x: 1 })).status);
      assert.equal(statuses.filter((x) => x === 502).length, 3, "upstream errors answer 502");
      await tick(1_000);
      let r = await rollout();
      // scipy.stats.binom.sf(2, 50, 0.05) = 0.459: as likely as not for a version exactly at the objective
      assert.equal(r.state, 'promoted', `rolled back: ${String(r.endReason)}`);
      next.behaviour.failEvery = 2;
      for (let i = 0; i < 50; i++) await predict(url, { x: 1 });
      await tick(1_000);
      r = await rollout();
      assert.equal(r.state, 'rolled_back');
      assert.match(String(r.endReason), /SLO breach within 3600 s after promotion: error rate 28\.00% > 5\.00% over 100 requests/);
      const prod = (await call(url, 'GET', '/v1/models/churn/deployments')).body.deployments as Array<Record<string, unknown>>;
      assert.deepStrictEqual(prod.filter((d) => d.alias === 'production').slice(-2).map((d) => [d.kind, d.from, d.to, d.by]), [['promote', '1.0.0', '1.2.0', 'api'], ['rollback', '1.2.0', '1.0.0', 'rollout-controller']]);
    } finally {
      await next.close();
    }
  });
});
