import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call } from './helpers/server.js';
import { predict } from './helpers/predict.js';
import { twoVersionGateway, type TwoVersionGateway } from './helpers/registry.js';
import { startModelServer, type ModelServer } from './helpers/upstream.js';

describe('audit 23: registry and gateway (real server, loopback model servers)', { timeout: 120_000 }, () => {
  let g: TwoVersionGateway;
  let shadow: ModelServer;
  let url: string;
  before(async () => {
    g = await twoVersionGateway();
    url = g.server.url;
    shadow = await startModelServer();
    assert.equal((await call(url, 'PUT', '/v1/models/churn/versions/2.1.0', { upstream: shadow.url })).status, 201);
  });
  after(async () => {
    await g.close();
    await shadow.close();
  });

  test('audit 23: a canary rollout over a configured shadow policy records no event of the primary for its mirrored calls', async () => {
    // The configured policy shadows 2.1.0; a canary rollout of 2.0.0 takes precedence while it runs. Every request goes
    // to the candidate (one step, 100%), and its answer is mirrored to the primary for the paired comparison only: the
    // primary answered no one, so none of its calls may become an event (monitoring would count predictions never made).
    await g.serving({ timeoutMs: 1000, policy: { kind: 'shadow', candidate: '2.1.0' } });
    const started = await call(url, 'POST', '/v1/models/churn/rollout', { candidate: '2.0.0', reason: 'audit 23', steps: [100], stepDurationMs: 600_000 });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const seen: string[] = [];
    g.v1.behaviour.onRequest = (_path, headers) => { seen.push(String(headers['x-lookout-prediction-id'])); };
    try {
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) {
        const a = await predict(url, { x: i - 4 }, { id: `a23-canary-${i}` });
        assert.equal(a.status, 200, JSON.stringify(a.body));
        assert.equal(a.version, '2.0.0');
        ids.push(a.id as string);
      }
      // the mirrored calls happen after the answers
      for (let t = 0; seen.length < ids.length && t < 200; t++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(shadow.requests, 0, 'the configured shadow is not mirrored to while the rollout runs');
      // a compared canary's mirrored call is sent the answer's id (it records nothing)
      assert.deepStrictEqual(seen.sort(), [...ids].sort());
      await g.server.deps.registry?.recorder.flush();
      const primaryEvents = await g.server.deps.store.queryEvents({ model: 'churn', from: 0, to: Date.now() + 1000, version: '1.0.0' });
      assert.deepStrictEqual(primaryEvents.map((e) => e.id), [], 'no event of the primary, which answered nothing');
      const candidateEvents = await g.server.deps.store.queryEvents({ model: 'churn', from: 0, to: Date.now() + 1000, version: '2.0.0' });
      assert.deepStrictEqual(candidateEvents.map((e) => e.id).sort(), [...ids].sort());
    } finally {
      g.v1.behaviour.onRequest = undefined;
      await call(url, 'POST', '/v1/models/churn/rollout/abort', { reason: 'audit 23 done' });
      await g.serving({ timeoutMs: 1000 });
    }
  });

  test('audit 23: a paused rollout sends all traffic to the primary, whatever the configured policy', async () => {
    // docs: "/rollout/pause (all traffic to the primary, no analysis)"; the configured canary sent 2.1.0 its share
    await g.serving({ timeoutMs: 1000, policy: { kind: 'canary', candidate: '2.1.0', percent: 100 } });
    const started = await call(url, 'POST', '/v1/models/churn/rollout', { candidate: '2.0.0', reason: 'audit 23 pause', steps: [50, 100], stepDurationMs: 600_000 });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    try {
      const paused = await call(url, 'POST', '/v1/models/churn/rollout/pause', {});
      assert.equal(paused.status, 200, JSON.stringify(paused.body));
      const before = shadow.requests;
      const versions: string[] = [];
      for (let i = 0; i < 10; i++) versions.push((await predict(url, { x: i })).version as string);
      assert.deepStrictEqual(versions, Array(10).fill('1.0.0'));
      assert.equal(shadow.requests, before, 'the configured canary gets nothing while the rollout is paused');
    } finally {
      await call(url, 'POST', '/v1/models/churn/rollout/abort', { reason: 'audit 23 done' });
      await g.serving({ timeoutMs: 1000 });
    }
  });
});

describe('audit 23: alias names', { timeout: 60_000 }, () => {
  let g: TwoVersionGateway;
  before(async () => { g = await twoVersionGateway(); });
  after(() => g.close());

  test('audit 23: an alias name that is not one is a 400 saying what a name may be, on every call taking one', async () => {
    const url = g.server.url;
    const rule = /is not an alias name: 1 to 64 letters, digits, '\.', '_' or '-', starting with a letter or digit/;
    const calls: Array<[string, string, Record<string, unknown>]> = [
      ['PUT', '/v1/models/churn/aliases/bad%20alias', { version: '1.0.0', reason: 'r' }],
      ['PUT', '/v1/models/churn/serving', { alias: 'bad alias' }],
      ['PUT', '/v1/models/churn/serving', { alias: 42 }],
      ['POST', '/v1/models/churn/promote', { alias: '-x', version: '2.0.0', reason: 'r', force: true }],
      ['POST', '/v1/models/churn/rollback', { alias: 'bad alias', reason: 'r' }],
    ];
    for (const [method, path, body] of calls) {
      const r = await call(url, method, path, body);
      const e = (r.body as { error: { code: string; message: string } }).error;
      assert.equal(r.status, 400, `${method} ${path} ${JSON.stringify(r.body)}`);
      assert.equal(e.code, 'bad_request');
      assert.match(e.message, rule, `${method} ${path}`);
    }
  });
});

describe('audit 23: blue-green switch', { timeout: 60_000 }, () => {
  let g: TwoVersionGateway;
  before(async () => { g = await twoVersionGateway(); });
  after(() => g.close());

  test('audit 23: a switch to a standby the alias already points to is a 409 saying so, nothing recorded', async () => {
    const url = g.server.url;
    // the standby named is the serving version (a configuration naming it, or the alias set to it by hand since)
    await g.serving({ policy: { kind: 'blue-green', standby: '1.0.0' } });
    const before = ((await call(url, 'GET', '/v1/models/churn/deployments')).body as { deployments: unknown[] }).deployments.length;
    const sw = await call(url, 'POST', '/v1/models/churn/switch', { reason: 'nothing to switch' });
    assert.equal(sw.status, 409, JSON.stringify(sw.body));
    const e = (sw.body as { error: { code: string; message: string } }).error;
    assert.equal(e.code, 'conflict');
    assert.match(e.message, /standby 1\.0\.0 already is the "production" version/);
    const after = ((await call(url, 'GET', '/v1/models/churn/deployments')).body as { deployments: unknown[] }).deployments.length;
    assert.equal(after, before);
    // a real switch still flips
    await g.serving({ policy: { kind: 'blue-green', standby: '2.0.0' } });
    const ok = await call(url, 'POST', '/v1/models/churn/switch', { reason: 'green' });
    assert.deepStrictEqual([ok.status, (ok.body as { version: string }).version], [200, '2.0.0']);
  });
});

describe('audit 23: the serving alias moved during a rollout', { timeout: 60_000 }, () => {
  let g: TwoVersionGateway;
  let third: ModelServer;
  before(async () => {
    g = await twoVersionGateway();
    third = await startModelServer();
    assert.equal((await call(g.server.url, 'PUT', '/v1/models/churn/versions/2.1.0', { upstream: third.url })).status, 201);
  });
  after(async () => {
    await g.close();
    await third.close();
  });

  test('audit 23: a rollout whose primary alias is moved by hand mid-step ends at the next tick, not hours later for want of primary traffic', async () => {
    const url = g.server.url;
    const started = await call(url, 'POST', '/v1/models/churn/rollout', { candidate: '2.0.0', reason: 'audit 23', steps: [10, 100], stepDurationMs: 3_600_000 });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    // a hotfix by hand: production no longer serves the rollout's primary, 1.0.0, which gets no traffic from now on
    const moved = await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '2.1.0', reason: 'hotfix', by: 'oncall' });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    const t = await call(url, 'POST', '/v1/rollouts/tick');
    assert.deepStrictEqual(t.body, { ok: true, errors: [] });
    const r = (await call(url, 'GET', '/v1/models/churn/rollout')).body as { rollout: { state: string; endReason: string } };
    assert.equal(r.rollout.state, 'rolled_back', JSON.stringify(r.rollout));
    assert.match(r.rollout.endReason, /"production" was moved off 1\.0\.0 during the rollout \(now 2\.1\.0\)/);
    const aliases = (await call(url, 'GET', '/v1/models/churn/aliases')).body as { aliases: Record<string, string> };
    assert.deepStrictEqual(aliases.aliases, { production: '2.1.0', canary: '1.0.0' }, 'the hand-set alias is left as it is');
    const before = g.v2.requests;
    for (let i = 0; i < 20; i++) assert.equal((await predict(url, { x: i })).version, '2.1.0');
    assert.equal(g.v2.requests, before, 'the ended rollout\'s candidate gets no traffic');
  });
});
