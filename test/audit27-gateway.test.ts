import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { predict } from './helpers/predict.js';
import { stickyKeys, twoVersionGateway, type TwoVersionGateway } from './helpers/registry.js';
import { rolloutFixture } from './helpers/rollout.js';
import { call } from './helpers/server.js';

/*
 * Audit 27 (gateway): which version the gateway's calls and recorded events are attributed to.
 */

describe('audit 27: a configured shadow whose candidate has become the primary mirrors nothing', () => {
  let g: TwoVersionGateway;
  before(async () => {
    g = await twoVersionGateway();
  });
  after(() => g?.close());

  test('after promoting the shadow candidate, each prediction calls it once and is one event of it (not two)', async () => {
    // shadow 2.0.0 behind production 1.0.0, then 2.0.0 promoted by moving the alias (the configuration left as it was)
    await g.serving({ alias: 'production', policy: { kind: 'shadow', candidate: '2.0.0' } });
    const moved = await call(g.server.url, 'PUT', '/v1/models/churn/aliases/production', { version: '2.0.0', reason: 'shadow looked good' });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    for (let i = 0; i < 5; i++) {
      const a = await predict(g.server.url, { x: i }, { id: `p-${i}` });
      assert.equal(a.status, 200);
      assert.equal(a.version, '2.0.0');
    }
    await g.server.deps.registry?.gateway.mirrorsSettled(); // any mirrored call answered
    await g.server.deps.registry?.recorder.flush();
    // until audit 27 the request was "mirrored" to the primary itself: its model server was called twice per request and
    // the version had two events per prediction (the second under a generated id), doubling its traffic in monitoring
    assert.equal(g.v2.requests, 5, 'one call per prediction');
    const health = (await call(g.server.url, 'GET', '/v1/models/churn/health?version=2.0.0')).body;
    assert.equal(health['events'], 5, JSON.stringify(health));
    const shadow = (await call(g.server.url, 'GET', '/v1/models/churn/shadow')).body as { pairs: { n: number }; arms: { primary: { n: number } } };
    assert.equal(shadow.pairs.n, 0, 'no paired answers of a version with itself');
    assert.equal(shadow.arms.primary.n, 5);
  });
});

describe('audit 27: a rollout after a server restart', { timeout: 60_000 }, () => {
  test('a restart after a downtime longer than maxStepDurationMs: the step waits for samples again, not rolled back at the first tick on no data', async () => {
    const STEP = 60_000;
    const f = await rolloutFixture({}, {});
    try {
      await f.start({ steps: [10, 100], stepDurationMs: STEP, maxStepDurationMs: 3 * STEP, stickyKey: 'user', analysis: { minSamples: 20, latencySlackMs: 1e6 } });
      await f.send(stickyKeys(30, false, 'p'), 2);
      await f.tick(STEP / 2);
      // the server is down for an hour (kill, an upgrade), then restarted: the step's statistics are gone
      f.advance(3_600_000);
      await f.restart();
      await f.tick(1_000);
      let r = await f.rollout();
      // until audit 27 the first tick rolled it back: "not enough traffic at 10% after 3631 s (canary 0, primary 0, need
      // 20)", a verdict on statistics the restart had emptied, before a single request since the restart
      assert.equal(r.state, 'running', String(r.endReason));
      await f.send(stickyKeys(30, false, 'q'), 2);
      await f.send(stickyKeys(30, true, 'c'), 2);
      await f.settle(); // mirrored calls answered
      await f.tick(5_000);
      r = await f.rollout();
      assert.deepEqual([r.state, r.weight], ['running', 100], String(r.endReason));
      // and a step that really gets no traffic still rolls back, maxStepDurationMs after its statistics started
      await f.tick(3 * STEP);
      r = await f.rollout();
      assert.equal(r.state, 'rolled_back');
      assert.match(String(r.endReason), /not enough traffic at 100%/);
    } finally {
      await f.close();
    }
  });
});

describe('audit 27: the kill switch of a canary candidate during its rollout', { timeout: 60_000 }, () => {
  test('a candidate paused mid-step is neither promoted nor moved to the next step on the statistics from before its pause', async () => {
    const STEP = 60_000;
    const f = await rolloutFixture({}, {});
    try {
      await f.start({ steps: [10, 50], stepDurationMs: STEP, maxStepDurationMs: 3 * STEP, stickyKey: 'user', analysis: { minSamples: 20, latencySlackMs: 1e6 } });
      const step = async (prefix: string): Promise<void> => {
        await f.send(stickyKeys(30, false, `${prefix}p`), 2);
        await f.send(stickyKeys(30, true, `${prefix}c`), 2);
        await f.settle(); // mirrored calls answered
      };
      await step('a');
      await f.tick(STEP);
      assert.equal((await f.rollout()).weight, 50);
      await step('b');
      // the operator pulls the candidate: its requests go to the primary
      assert.equal((await call(f.url, 'POST', '/v1/models/churn/versions/1.1.0/pause', { reason: 'wrong answers for VIP users' })).status, 200);
      assert.deepEqual(await f.send(stickyKeys(3, true, 'x'), 1), ['200 1.0.0', '200 1.0.0', '200 1.0.0']);
      await f.tick(STEP);
      let r = await f.rollout();
      // until audit 27 the step passed on its statistics from before the pause and the paused version was promoted:
      // production on a version the kill switch stops, every prediction answered by the fallback chain or a 503
      const aliases = (await call(f.url, 'GET', '/v1/models/churn/aliases')).body['aliases'] as Record<string, string>;
      assert.equal(aliases['production'], '1.0.0');
      assert.deepEqual([r.state, r.weight], ['running', 50], String(r.endReason));
      // still paused when the step's time allowed is over: rolled back, saying why
      await f.tick(2 * STEP);
      r = await f.rollout();
      assert.equal(r.state, 'rolled_back');
      assert.match(String(r.endReason), /1\.1\.0 is paused \(kill switch\)/);
      assert.deepEqual(await f.send(stickyKeys(2, false, 'y'), 1), ['200 1.0.0', '200 1.0.0']);
    } finally {
      await f.close();
    }
  });

  test('resumed, its step goes on and can pass', async () => {
    const STEP = 60_000;
    const f = await rolloutFixture({}, {});
    try {
      await f.start({ steps: [10], stepDurationMs: STEP, stickyKey: 'user', bakeMs: 0, analysis: { minSamples: 20, latencySlackMs: 1e6 } });
      await f.send(stickyKeys(30, false, 'p'), 2);
      await f.send(stickyKeys(30, true, 'c'), 2);
      assert.equal((await call(f.url, 'POST', '/v1/models/churn/versions/1.1.0/pause', {})).status, 200);
      await f.settle(); // mirrored calls answered
      await f.tick(STEP);
      assert.equal((await f.rollout()).state, 'running');
      assert.equal((await call(f.url, 'POST', '/v1/models/churn/versions/1.1.0/resume', {})).status, 200);
      await f.send(stickyKeys(5, true, 'd'), 2);
      await f.settle(); // mirrored calls answered
      await f.tick(5_000);
      const r = await f.rollout();
      assert.equal(r.state, 'promoted', String(r.endReason));
    } finally {
      await f.close();
    }
  });
});

describe('audit 27: the serving alias not set, a fallback version answers', () => {
  let g: TwoVersionGateway;
  before(async () => {
    g = await twoVersionGateway();
  });
  after(() => g?.close());

  test('its event is an answer of the fallback version, not an error of it', async () => {
    await g.serving({ alias: 'blue', fallback: [{ version: '2.0.0' }] });
    const a = await predict(g.server.url, { x: 2 }, { id: 'no-alias-1' });
    assert.deepEqual([a.status, a.version, a.fallback], [200, '2.0.0', 'version:2.0.0']);
    await g.server.deps.registry?.recorder.flush();
    const health = (await call(g.server.url, 'GET', '/v1/models/churn/health?version=2.0.0')).body;
    // until audit 27 the event of 2.0.0 carried the error 'alias "blue" is not set': 2.0.0, which answered every
    // request, had an errorRate of 1 (its errorRate monitor and SLO fired)
    assert.deepEqual([health['events'], health['errorRate']], [1, 0], JSON.stringify(health));
  });
});
