import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { declareChurn } from './helpers/registry.js';
import { call, testServer } from './helpers/server.js';
import { many, predict, type Answer } from './helpers/predict.js';
import { defaultAnswer, startModelServer, type ModelServer } from './helpers/upstream.js';


describe('issue 5: prediction gateway end to end (real upstream model servers on loopback)', { timeout: 120_000 }, () => {
  let server: Server;
  let url: string;
  let v1: ModelServer;
  let v2: ModelServer;
  let v0: ModelServer;
  const serving = (cfg: Record<string, unknown>): Promise<unknown> => call(url, 'PUT', '/v1/models/churn/serving', cfg);
  before(async () => {
    server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; } });
    url = server.url;
    v1 = await startModelServer();
    v2 = await startModelServer({ answer: (f) => ({ ...defaultAnswer(f), model: 'v2' }) });
    v0 = await startModelServer({ answer: () => ({ prediction: 'no', score: 0.3 }) });
    await declareChurn(url, [{ version: '0.9.0', upstream: v0.url }, { version: '1.0.0', upstream: v1.url }, { version: '2.0.0', upstream: v2.url }], '1.0.0');
  });
  after(async () => {
    await server.close();
    for (const s of [v0, v1, v2]) await s.close();
  });

  test('issue 5: single policy answers with the version and a prediction id, and records the event', async () => {
    const a = await predict(url, { x: 2 }, { segment: { region: 'eu' } });
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.equal(a.version, '1.0.0');
    assert.ok(a.id && a.id.length > 10);
    assert.deepStrictEqual(a.body, { prediction: 'yes', score: 1 / (1 + Math.exp(-2)), version: '1.0.0', id: a.id });
    const mine = await predict(url, { x: -1 }, { id: 'req-42' });
    assert.equal(mine.id, 'req-42');
    await server.deps.registry?.recorder.flush();
    const stored = await server.deps.store.getEvents([a.id as string, 'req-42']);
    assert.deepStrictEqual(stored.map((e) => [e.id, e.version, e.prediction, e.segment, e.error]).sort(), [[a.id, '1.0.0', 'yes', 'region=eu', null], ['req-42', '1.0.0', 'no', '', null]].sort());
    assert.ok((stored[0]?.latencyMs ?? -1) >= 0);
  });

  test('issue 5: the input is validated against the model schema before any upstream call', async () => {
    const before = v1.requests;
    const bad = await predict(url, { x: 'not a number' });
    assert.equal(bad.status, 400);
    assert.equal((bad.body.error as { code: string }).code, 'validation_failed');
    assert.equal((await predict(url, { x: 1, extra: true })).status, 400);
    const res = await fetch(`${url}/v1/models/churn/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"features":' });
    assert.equal(res.status, 400);
    assert.equal(v1.requests, before, 'upstream never called');
    assert.equal((await call(url, 'POST', '/v1/models/nope/predict', { features: {} })).status, 404);
  });

  test('issue 5: canary split is within 4 binomial sigma of the set percentage (20% of 2000: 400 +- 72)', async () => {
    await serving({ policy: { kind: 'canary', candidate: '2.0.0', percent: 20 } });
    const n = 2000;
    const answers = await many(n, 32, (i) => predict(url, { x: (i % 7) - 3 }));
    assert.ok(answers.every((a) => a.status === 200));
    const canary = answers.filter((a) => a.version === '2.0.0').length;
    const sigma = Math.sqrt(n * 0.2 * 0.8);
    assert.ok(Math.abs(canary - n * 0.2) <= 4 * sigma, `${canary} of ${n} went to the canary (expected ${n * 0.2} +- ${(4 * sigma).toFixed(0)})`);
    assert.ok(answers.filter((a) => a.version === '2.0.0').every((a) => a.body.version === '2.0.0'));
  });

  test('issue 5: sticky routing by request key is stable; users split near the percentage (30% of 300 +- 32)', async () => {
    await serving({ policy: { kind: 'canary', candidate: '2.0.0', percent: 30, stickyKey: 'user' }, routeKey: 'user' });
    const users = 300;
    const seen = new Map<string, Set<string>>();
    await many(users * 4, 32, async (i) => {
      const user = `user-${i % users}`;
      const a = i % 2 === 0 ? await predict(url, { x: 1, user }) : await predict(url, { x: 1 }, {}, { 'x-lookout-route-key': user });
      const s = seen.get(user) ?? new Set<string>();
      s.add(a.version as string);
      seen.set(user, s);
      return a;
    });
    assert.ok([...seen.values()].every((s) => s.size === 1), 'every user always lands on the same version');
    const canaryUsers = [...seen.values()].filter((s) => s.has('2.0.0')).length;
    assert.ok(Math.abs(canaryUsers - users * 0.3) <= 4 * Math.sqrt(users * 0.3 * 0.7), `${canaryUsers} of ${users} users on the canary`);
  });

  test('issue 5: shadow never changes responses (even when the shadow is slow, wrong or dead) and reports disagreement and latency delta', async () => {
    const shifted = await startModelServer({ delayMs: 15, answer: (f) => ({ prediction: Number(f['x']) > -1 ? 'yes' : 'no', score: 0.9 }) });
    try {
      await call(url, 'PUT', '/v1/models/churn/versions/2.1.0', { upstream: shifted.url });
      await serving({ policy: { kind: 'shadow', candidate: '2.1.0' } });
      server.deps.registry?.stats.reset('churn');
      const xs = Array.from({ length: 300 }, (_, i) => ((i % 61) - 30) / 10);
      const answers = await many(xs.length, 16, (i) => predict(url, { x: xs[i] }));
      for (let i = 0; i < xs.length; i++) {
        const a = answers[i] as Answer;
        assert.equal(a.version, '1.0.0');
        assert.deepStrictEqual({ prediction: a.body.prediction, score: a.body.score }, defaultAnswer({ x: xs[i] }), `request ${i} answered by the primary`);
      }
      // The shadow calls finish after the answers (15 ms slower): wait for all 300 pairs, not a fixed time (a loaded
      // machine took longer than 300 ms for the last one).
      type ShadowReport = { pairs: { n: number; disagreementRate: number; meanLatencyDeltaMs: number }; predictionDrift: { value: number } };
      let report = (await call(url, 'GET', '/v1/models/churn/shadow')).body as ShadowReport;
      for (const deadline = Date.now() + 10_000; report.pairs.n < 300 && Date.now() < deadline;) {
        await new Promise((r) => setTimeout(r, 50));
        report = (await call(url, 'GET', '/v1/models/churn/shadow')).body as ShadowReport;
      }
      const expected = xs.filter((x) => x > -1 && x < 0).length / xs.length;
      assert.equal(report.pairs.n, 300);
      assert.ok(Math.abs(report.pairs.disagreementRate - expected) < 1e-9, `disagreement ${report.pairs.disagreementRate} vs ${expected}`);
      assert.ok(report.pairs.meanLatencyDeltaMs >= 10, `latency delta ${report.pairs.meanLatencyDeltaMs}`);
      assert.ok(report.predictionDrift.value > 0);
      await shifted.kill();
      const after = await many(50, 8, (i) => predict(url, { x: xs[i] }));
      assert.ok(after.every((a, i) => a.status === 200 && a.body.prediction === defaultAnswer({ x: xs[i] }).prediction), 'a dead shadow changes nothing');
    } finally {
      await shifted.close();
    }
  });

  test('issue 5: fallback serves within the timeout when the upstream dies or hangs; else a clear 504, never a hang', async () => {
    const flaky = await startModelServer();
    try {
      await call(url, 'PUT', '/v1/models/churn/versions/3.0.0', { upstream: flaky.url });
      await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '3.0.0', reason: 'fallback test' });
      await serving({ timeoutMs: 500, fallback: [{ version: '0.9.0' }, { static: { prediction: 'no', score: 0.5 } }] });
      assert.equal((await predict(url, { x: 1 })).version, '3.0.0');
      await flaky.kill();
      const dead = await predict(url, { x: 1 });
      assert.deepStrictEqual([dead.status, dead.version, dead.fallback, dead.body.prediction], [200, '0.9.0', 'version:0.9.0', 'no']);
      assert.ok(dead.ms < 500, `${dead.ms} ms: a dead upstream is answered by the fallback within the deadline`);
      const hung = await startModelServer({ hang: true });
      await call(url, 'PATCH', '/v1/models/churn/versions/3.0.0', { upstream: hung.url });
      const slow = await predict(url, { x: 1 });
      assert.deepStrictEqual([slow.status, slow.version], [200, '0.9.0']);
      assert.ok(slow.ms >= 490 && slow.ms < 500 + 400, `answered after ${slow.ms.toFixed(0)} ms with a 500 ms deadline`);
      await call(url, 'POST', '/v1/models/churn/versions/0.9.0/pause', { reason: 'also bad' });
      const stat = await predict(url, { x: 1 });
      assert.deepStrictEqual([stat.status, stat.version, stat.fallback, stat.body.prediction, stat.body.score], [200, 'fallback:static', 'static', 'no', 0.5]);
      await serving({ timeoutMs: 500, fallback: [] });
      const none = await predict(url, { x: 1 });
      assert.equal(none.status, 504);
      assert.equal((none.body.error as { code: string }).code, 'upstream_timeout');
      assert.match((none.body.error as { message: string }).message, /3\.0\.0: timeout: upstream did not answer within 500 ms/);
      assert.ok(none.ms >= 490 && none.ms < 500 + 400, `504 after ${none.ms.toFixed(0)} ms`);
      await hung.close();
      await server.deps.registry?.recorder.flush();
      const events = await server.deps.store.queryEvents({ model: 'churn', from: 0, to: Date.now() + 1000, version: '3.0.0' });
      assert.ok(events.some((e) => e.error !== null && /connection|timeout/.test(e.error)), 'failed upstream calls are recorded as errors');
    } finally {
      await flaky.close();
    }
  });

  test('issue 5: kill switch: a paused model answers from the static fallback or 503 at once; resume restores it', async () => {
    await call(url, 'POST', '/v1/models/churn/versions/0.9.0/resume', {});
    await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '1.0.0', reason: 'back' });
    await serving({ fallback: [{ static: { prediction: 'no' } }] });
    await call(url, 'POST', '/v1/models/churn/pause', { reason: 'incident' });
    const before = v1.requests;
    const p = await predict(url, { x: 3 });
    assert.deepStrictEqual([p.status, p.version, p.body.prediction], [200, 'fallback:static', 'no']);
    await serving({ fallback: [] });
    const q = await predict(url, { x: 3 });
    assert.equal(q.status, 503);
    assert.match((q.body.error as { message: string }).message, /model paused/);
    assert.equal(v1.requests, before, 'a paused model is not called');
    await call(url, 'POST', '/v1/models/churn/resume', {});
    assert.equal((await predict(url, { x: 3 })).version, '1.0.0');
  });

  test('issue 5: blue-green switch flips production to the standby and back, recorded in the history', async () => {
    await serving({ policy: { kind: 'blue-green', standby: '2.0.0' } });
    assert.equal((await predict(url, { x: 0 })).version, '1.0.0');
    const sw = await call(url, 'POST', '/v1/models/churn/switch', { reason: 'green is ready' });
    assert.deepStrictEqual(sw.body, { alias: 'production', version: '2.0.0', previous: '1.0.0' });
    assert.equal((await predict(url, { x: 0 })).version, '2.0.0');
    await call(url, 'POST', '/v1/models/churn/switch', { reason: 'back to blue' });
    assert.equal((await predict(url, { x: 0 })).version, '1.0.0');
    const last = ((await call(url, 'GET', '/v1/models/churn/deployments')).body.deployments as Array<{ reason: string }>).slice(-2).map((d) => d.reason);
    assert.deepStrictEqual(last, ['blue-green switch: green is ready', 'blue-green switch: back to blue']);
  });
});
