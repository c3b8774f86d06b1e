import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { openStore } from '../src/storage/open.js';
import type { EventRecord } from '../src/storage/types.js';
import { predict } from './helpers/predict.js';
import { churnRegistryServer, declareChurn, stickyKeys, twoVersionGateway, type TwoVersionGateway } from './helpers/registry.js';
import { rolloutFixture } from './helpers/rollout.js';
import { browserUnavailable, launch, openView, watchErrors } from './helpers/browser.js';
import { lookoutAsync } from './helpers/cli.js';
import { call, testServer } from './helpers/server.js';
import { startModelServer } from './helpers/upstream.js';

/*
 * Audit 29 (gateway): when the routed version fails and a fallback answers, whose event is the answer?
 * Until audit 29 the answer was recorded as an event of the version that failed, with its error: during an outage
 * a static rule's answers filled the failed version's prediction and score distributions (its prediction drift and
 * estimated performance showed the rule, not the model), and labels for those answers were counted as its quality.
 */

describe('audit 29: a fallback answer is not an event of the version that failed', () => {
  let g: TwoVersionGateway;
  /** The prediction ids each model server was sent (x-lookout-prediction-id). */
  const sent: Record<'v1' | 'v2', string[]> = { v1: [], v2: [] };
  before(async () => {
    g = await twoVersionGateway();
    g.v1.behaviour.onRequest = (_p, h) => sent.v1.push(String(h['x-lookout-prediction-id']));
    g.v2.behaviour.onRequest = (_p, h) => sent.v2.push(String(h['x-lookout-prediction-id']));
  });
  after(() => g?.close());
  beforeEach(() => {
    sent.v1.length = 0;
    sent.v2.length = 0;
    g.v1.behaviour.failEvery = undefined;
  });
  const events = async (version: string): Promise<EventRecord[]> => {
    await g.server.deps.registry?.recorder.flush();
    return g.server.deps.store.queryEvents({ model: 'churn', from: 0, to: Date.now() + 1000, version });
  };

  test('static answers during an outage: the version that failed has failed events (errorRate), not the rule as its predictions', async () => {
    await g.serving({ timeoutMs: 2000, fallback: [{ static: { prediction: 'no', score: 0.5 } }] });
    for (let i = 0; i < 4; i++) assert.equal((await predict(g.server.url, { x: 2 }, { id: `ok-${i}` })).version, '1.0.0');
    g.v1.behaviour.failEvery = 1;
    const down = [];
    for (let i = 0; i < 4; i++) down.push(await predict(g.server.url, { x: 2 }));
    assert.deepStrictEqual(down.map((a) => [a.status, a.version, a.body['prediction']]), Array(4).fill([200, 'fallback:static', 'no']));
    const v1 = await events('1.0.0');
    // the answers' ids name 1.0.0's failed events (a label posted for one joins an event without a prediction)
    assert.deepStrictEqual(v1.filter((e) => e.error !== null).map((e) => [e.id, e.prediction, e.score]).sort(), down.map((a) => [a.id, null, null]).sort());
    // 1.0.0 predicted "yes" every time it answered: "no" (the rule's) is not among its predictions
    assert.deepStrictEqual(v1.map((e) => e.prediction).sort(), [null, null, null, null, 'yes', 'yes', 'yes', 'yes']);
    assert.deepStrictEqual(sent.v1.slice(4).sort(), down.map((a) => a.id).sort(), 'each failed event has the id 1.0.0 was sent');
    const health = (await call(g.server.url, 'GET', '/v1/models/churn/health?version=1.0.0')).body;
    assert.deepStrictEqual([health['events'], health['errorRate']], [8, 0.5], JSON.stringify(health));
  });

  test('a fallback version answers (generated id): its answer is its own event, under the id it was sent; the failure is the routed version\'s', async () => {
    await g.serving({ timeoutMs: 2000, fallback: [{ version: '2.0.0' }] });
    g.v1.behaviour.failEvery = 1;
    const before1 = (await events('1.0.0')).length;
    const a = await predict(g.server.url, { x: 2 });
    assert.deepStrictEqual([a.status, a.version, a.fallback, a.body['prediction']], [200, '2.0.0', 'version:2.0.0', 'yes']);
    assert.deepStrictEqual([sent.v1.length, sent.v2], [1, [a.id]], 'the fallback version was sent the answer\'s id');
    assert.notEqual(sent.v1[0], a.id, '1.0.0 was sent another id: its failed call\'s');
    const v2 = await events('2.0.0');
    assert.deepStrictEqual(v2.map((e) => [e.id, e.prediction, e.error]), [[a.id, 'yes', null]]);
    const v1 = (await events('1.0.0')).slice(before1);
    const failed = v1.find((e) => e.id === sent.v1[0]);
    assert.ok(failed, `1.0.0's failed event has the id it was sent (${JSON.stringify(v1)})`);
    assert.deepStrictEqual([failed.prediction, /500/.test(failed.error ?? '')], [null, true], JSON.stringify(failed));
    // a label for the answer measures 2.0.0, which gave it, not 1.0.0
    assert.equal((await call(g.server.url, 'POST', '/v1/labels', { labels: [{ id: a.id, label: 'yes' }] })).body['accepted'], 1);
    const perf = async (v: string): Promise<unknown> => {
      const r = await call(g.server.url, 'GET', `/v1/models/churn/performance?version=${v}&from=${Date.now() - 3_600_000}&to=${Date.now() + 1000}&ci=false`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body['labelled'];
    };
    assert.deepStrictEqual([await perf('2.0.0'), await perf('1.0.0')], [1, 0]);
  });

  test('a fallback version answers a request with its own id: the answer keeps that id, the routed version\'s failure gets a new one', async () => {
    await g.serving({ timeoutMs: 2000, fallback: [{ version: '2.0.0' }] });
    g.v1.behaviour.failEvery = 1;
    const a = await predict(g.server.url, { x: -2 }, { id: 'own-29' });
    assert.deepStrictEqual([a.status, a.id, a.version, a.body['prediction']], [200, 'own-29', '2.0.0', 'no']);
    assert.deepStrictEqual([sent.v1, sent.v2], [['own-29'], ['own-29']]);
    const v1 = await events('1.0.0');
    const [own] = await g.server.deps.store.getEvents(['own-29']);
    assert.deepStrictEqual([own?.version, own?.prediction, own?.error], ['2.0.0', 'no', null]);
    const failed = v1.filter((e) => e.error !== null && e.ts >= (own?.ts ?? 0));
    assert.equal(failed.length, 1, JSON.stringify(failed));
    assert.notEqual(failed[0]?.id, 'own-29');
  });
});

describe('audit 29: shutdown while a shadow call is out', () => {
  test('the shadow\'s answer on its way is recorded as its answer, not cut into a connection failure of the shadow', async () => {
    let dataDir = '';
    const server = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; dataDir = c.dataDir; } });
    const v1 = await startModelServer();
    const slow = await startModelServer({ delayMs: 400 });
    try {
      await declareChurn(server.url, [{ version: '1.0.0', upstream: v1.url }, { version: '2.0.0', upstream: slow.url }], '1.0.0');
      assert.equal((await call(server.url, 'PUT', '/v1/models/churn/serving', { timeoutMs: 5000, policy: { kind: 'shadow', candidate: '2.0.0' } })).status, 200);
      const a = await predict(server.url, { x: 2 }, { id: 'req-shutdown' });
      assert.deepStrictEqual([a.status, a.version], [200, '1.0.0']);
      // the shadow is still thinking (400 ms): the server is stopped now
      await server.close();
      const store = await openStore(`duckdb:${join(dataDir, 'lookout.duckdb')}`);
      try {
        await store.init();
        const shadow = await store.queryEvents({ model: 'churn', from: 0, to: Date.now() + 1000, version: '2.0.0' });
        // until audit 29 the shutdown closed the shadow's connection under it: its answer was never recorded
        assert.deepStrictEqual(shadow.map((e) => [e.prediction, e.error]), [['yes', null]], JSON.stringify(shadow));
      } finally {
        await store.close();
      }
    } finally {
      await server.close().catch(() => undefined);
      await v1.close();
      await slow.close();
    }
  });
});

describe('audit 29: a rollout of a version without an upstream', () => {
  test('is refused with the command that gives it one; once given, the rollout starts', async () => {
    const server = await churnRegistryServer();
    const up = await startModelServer();
    try {
      const body = { candidate: '1.1.0', reason: 'try', steps: [10, 100] };
      const r = await call(server.url, 'POST', '/v1/models/churn/rollout', body);
      assert.equal(r.status, 400, JSON.stringify(r.body));
      // until audit 29 the message ended at "has no upstream to send traffic to" (every --demo version has none)
      assert.equal((r.body['error'] as { message: string }).message, 'version 1.1.0 has no upstream to send traffic to: give it its model server\'s URL first: lookout versions update churn 1.1.0 --upstream URL (PATCH /v1/models/churn/versions/1.1.0 {"upstream": URL})');
      assert.equal((await call(server.url, 'PATCH', '/v1/models/churn/versions/1.1.0', { upstream: up.url })).status, 200);
      const started = await call(server.url, 'POST', '/v1/models/churn/rollout', body);
      assert.equal(started.status, 201, JSON.stringify(started.body));
    } finally {
      await server.close();
      await up.close();
    }
  });
});

describe('audit 29: a rollout rolled back in its bake period onto a primary paused since', { timeout: 60_000 }, () => {
  test('the reason says the primary is paused, so production is answered by the fallback chain, and how to resume it', async () => {
    const f = await rolloutFixture({}, {});
    try {
      await f.start({ policy: 'blue-green', bakeMs: 3_600_000 });
      assert.equal((await f.rollout()).state, 'promoted');
      // the old primary is stopped by its kill switch after the switch; then the new version fails in production
      assert.equal((await call(f.url, 'POST', '/v1/models/churn/versions/1.0.0/pause', { reason: 'retired' })).status, 200);
      f.v2.behaviour.failEvery = 1;
      await f.send(stickyKeys(60, false, 'b'), 4);
      await f.tick(5_000);
      const r = await f.rollout();
      assert.equal(r.state, 'rolled_back', String(r.endReason));
      // until audit 29 the reason ended at the SLO breach: production then answered 503 with no word of why
      assert.match(String(r.endReason), /; 1\.0\.0 is paused: "production" is answered by the fallback chain \(or 503\) until it is resumed \(lookout versions resume churn 1\.0\.0\)$/);
      const moves = ((await call(f.url, 'GET', '/v1/models/churn/deployments')).body['deployments'] as Array<{ kind: string; alias: string; to: string; reason: string }>).filter((d) => d.alias === 'production');
      assert.deepEqual([moves.at(-1)?.kind, moves.at(-1)?.to], ['rollback', '1.0.0'], JSON.stringify(moves));
    } finally {
      await f.close();
    }
  });
});

describe('audit 29: a running rollout whose candidate is paused', { timeout: 60_000 }, () => {
  test('GET .../rollout and `lookout rollout status` say it is blocked, why, and until when; resumed, they do not', async () => {
    const STEP = 60_000;
    const f = await rolloutFixture({}, {});
    try {
      await f.start({ steps: [10, 100], stepDurationMs: STEP, maxStepDurationMs: 5 * STEP, stickyKey: 'user' });
      assert.equal((await call(f.url, 'POST', '/v1/models/churn/versions/1.1.0/pause', {})).status, 200);
      const r = await f.rollout();
      // until audit 29 only "running at 10%", while the candidate got none of it
      const until = new Date(Number(r['stepStartedAt']) + 5 * STEP).toISOString();
      assert.equal(r['blocked'], `1.1.0 is paused: the candidate gets no traffic; its step waits for the resume (lookout versions resume churn 1.1.0) and is rolled back if still paused at ${until} (maxStepDurationMs after the step's start)`);
      const cli = await lookoutAsync(['rollout', 'status', 'churn', '--url', f.url]);
      assert.equal(cli.code, 0, cli.stderr);
      assert.equal(cli.stdout, `1.0.0 -> 1.1.0: running at 10% (step 1 of 2)\nblocked: ${String(r['blocked'])}\n`);
      assert.equal((await call(f.url, 'POST', '/v1/models/churn/pause', {})).status, 200);
      assert.match(String((await f.rollout())['blocked']), /^model "churn" is paused: .*\(lookout models resume churn\)/);
      assert.equal((await call(f.url, 'POST', '/v1/models/churn/resume', {})).status, 200);
      assert.equal((await call(f.url, 'POST', '/v1/models/churn/versions/1.1.0/resume', {})).status, 200);
      assert.equal('blocked' in (await f.rollout()), false);
    } finally {
      await f.close();
    }
  });
});

describe('audit 29: the dashboard\'s registry view of a rollout whose candidate is paused (Chromium)', { skip: browserUnavailable() ?? false, timeout: 60_000 }, () => {
  test('its state says blocked, and why', async () => {
    const f = await rolloutFixture({}, {});
    const browser = await launch();
    try {
      await f.start({ steps: [10, 100], stepDurationMs: 60_000, stickyKey: 'user' });
      assert.equal((await call(f.url, 'POST', '/v1/models/churn/versions/1.1.0/pause', {})).status, 200);
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const errors = watchErrors(page);
      await openView(page, `${f.url}/ui/#/registry/churn`, { complete: true });
      assert.match((await page.locator('[data-testid="rollout"]').textContent()) ?? '', /Staterunning, blocked: 1\.1\.0 is paused: the candidate gets no traffic; its step waits for the resume \(lookout versions resume churn 1\.1\.0\)/);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
      await f.close();
    }
  });
});
