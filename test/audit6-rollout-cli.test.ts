import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lookoutAsync } from './helpers/cli.js';
import { predict } from './helpers/predict.js';
import { twoVersionGateway } from './helpers/registry.js';
import { rolloutFixture } from './helpers/rollout.js';
import { call } from './helpers/server.js';
import { startModelServer } from './helpers/upstream.js';

describe('audit 6: lookout rollout start sets the analysis, the SLO and the bake time', { timeout: 120_000 }, () => {
  test('--step-duration, --max-step-duration, --bake, --min-samples, --max-error-rate, --max-p95-ms, --slo-min-samples, --analysis and --slo reach the rollout spec; --help lists them', async () => {
    const f = await rolloutFixture({}, {});
    try {
      const cli = (...args: string[]) => lookoutAsync(['rollout', ...args, '--url', f.url]);
      const help = await cli('start', '--help');
      assert.equal(help.code, 0, help.stderr);
      for (const o of ['--step-duration', '--max-step-duration', '--bake', '--min-samples', '--max-error-rate', '--max-p95-ms', '--slo-min-samples', '--analysis', '--slo']) assert.ok(help.stdout.includes(o), `${o} in --help`);
      const r = await cli('start', 'churn', '1.1.0', '--reason', 'retrained', '--steps', '10,50,100', '--step-duration', '10m', '--max-step-duration', '2h',
        '--bake', '30m', '--min-samples', '200', '--max-error-rate', '0.02', '--max-p95-ms', '250', '--slo-min-samples', '80',
        '--analysis', '{"maxDisagreement": 0.1, "maxLatencyRatio": 1.5}', '--slo', '{"errorRateAlpha": 0.005}');
      assert.equal(r.code, 0, r.stderr);
      const ro = await f.rollout();
      assert.deepStrictEqual(ro.steps, [10, 50, 100]);
      assert.equal(ro.stepDurationMs, 600_000);
      assert.equal(ro.maxStepDurationMs, 7_200_000);
      assert.equal(ro.bakeMs, 1_800_000);
      const a = ro.analysis as Record<string, number>;
      assert.equal(a.minSamples, 200);
      assert.equal(a.maxDisagreement, 0.1);
      assert.equal(a.maxLatencyRatio, 1.5);
      assert.deepStrictEqual(ro.slo, { maxErrorRate: 0.02, errorRateAlpha: 0.005, maxP95Ms: 250, minSamples: 80 });
    } finally {
      await f.close();
    }
  });

  test('bad values exit 2 with the server\'s validation message (nothing started); a bad duration or JSON exits 2 naming the option', async () => {
    const f = await rolloutFixture({}, {});
    try {
      const cli = (...args: string[]) => lookoutAsync(['rollout', 'start', 'churn', '1.1.0', '--reason', 'x', ...args, '--url', f.url]);
      let r = await cli('--max-error-rate', '1.5');
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /rollout "maxErrorRate" must be a number from 0 to 1 \(HTTP 400 bad_request\)/);
      r = await cli('--min-samples', '0');
      assert.equal(r.code, 2);
      assert.match(r.stderr, /rollout "minSamples" must be a number from 1 to/);
      r = await cli('--analysis', '{"minSampels": 10}');
      assert.equal(r.code, 2);
      assert.match(r.stderr, /minSampels/);
      r = await cli('--bake', 'soon');
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--bake/);
      r = await cli('--slo', '{nope');
      assert.equal(r.code, 2);
      assert.match(r.stderr, /--slo/);
      assert.equal(await f.rollout(), null, 'no rollout was started');
    } finally {
      await f.close();
    }
  });
});

describe('audit 6: the history of a model\'s rollouts', { timeout: 120_000 }, () => {
  test('GET /v1/models/:name/rollouts lists past rollouts newest first (outcome, step reached, who, when, why it ended), paged by ?limit and ?before; unknown model 404; lookout rollout history prints them', async () => {
    const f = await rolloutFixture({}, {});
    try {
      // 1: a canary aborted by alice at its first step
      await f.start({ steps: [10, 100], by: 'ci-bot', reason: 'first try' });
      let r = await call(f.url, 'POST', '/v1/models/churn/rollout/abort', { reason: 'complaints', by: 'alice' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      // 2: a canary that passed its first step (25%) and was aborted at the second (100%)
      f.advance(1000);
      await f.start({ steps: [25, 100], stepDurationMs: 60_000, analysis: { minSamples: 5 }, by: 'bob', reason: 'second try' });
      await f.send(Array.from({ length: 80 }, (_, i) => `u${i}`), 4, (i) => i % 5);
      await f.tick(60_000);
      assert.equal((await f.rollout()).step, 1, JSON.stringify((await f.rollout()).analyses));
      r = await call(f.url, 'POST', '/v1/models/churn/rollout/abort', { reason: 'latency at 100%', by: 'carol' });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      // 3: a blue-green switch, promoted, its bake period over
      f.advance(1000);
      await f.start({ policy: 'blue-green', bakeMs: 0, by: 'dave', reason: 'switch' });
      await f.tick(1);

      r = await call(f.url, 'GET', '/v1/models/churn/rollouts');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const all = r.body.rollouts as Array<Record<string, unknown>>;
      assert.deepStrictEqual(all.map((x) => [x.state, x.policy, x.by, x.reason, x.stepReached, x.stepsTotal, x.weightReached]), [
        ['promoted', 'blue-green', 'dave', 'switch', 1, 1, 100],
        ['rolled_back', 'canary', 'bob', 'second try', 2, 2, 100],
        ['rolled_back', 'canary', 'ci-bot', 'first try', 1, 2, 10],
      ]);
      assert.equal(all[1]?.endReason, 'latency at 100% (by carol)');
      assert.equal(all[2]?.endReason, 'complaints (by alice)');
      assert.equal(all[0]?.endReason, null);
      assert.equal(typeof all[0]?.promotedAt, 'number');
      assert.ok((all[0]?.createdAt as number) > (all[1]?.createdAt as number) && (all[1]?.createdAt as number) > (all[2]?.createdAt as number));
      assert.equal(typeof all[2]?.endedAt, 'number');
      assert.deepStrictEqual([all[1]?.primary, all[1]?.candidate], ['1.0.0', '1.1.0']);
      assert.equal(r.body.next, null);
      assert.equal(all[0]?.analyses, undefined, 'a summary, not the whole record');

      const p1 = await call(f.url, 'GET', '/v1/models/churn/rollouts?limit=2');
      assert.deepStrictEqual((p1.body.rollouts as Array<{ id: string }>).map((x) => x.id), all.slice(0, 2).map((x) => x.id));
      assert.equal(p1.body.next, all[1]?.id);
      const p2 = await call(f.url, 'GET', `/v1/models/churn/rollouts?limit=2&before=${String(p1.body.next)}`);
      assert.deepStrictEqual((p2.body.rollouts as Array<{ id: string }>).map((x) => x.id), [all[2]?.id]);
      assert.equal(p2.body.next, null);

      assert.equal((await call(f.url, 'GET', '/v1/models/nope/rollouts')).status, 404);
      assert.equal((await call(f.url, 'GET', '/v1/models/churn/rollouts?limit=0')).status, 400);
      assert.equal((await call(f.url, 'GET', '/v1/models/churn/rollouts?before=nope')).status, 400);

      const cli = (...args: string[]) => lookoutAsync(['rollout', 'history', ...args, '--url', f.url]);
      let c = await cli('churn');
      assert.equal(c.code, 0, c.stderr);
      const lines = c.stdout.trim().split('\n');
      assert.match(lines[0] as string, /started\s+outcome\s+versions\s+reached\s+by\s+ended\s+reason/);
      assert.match(lines[2] as string, /promoted\s+1\.0\.0 -> 1\.1\.0\s+1\/1 \(100%\)\s+dave\s/);
      assert.match(lines[3] as string, /rolled_back\s+1\.0\.0 -> 1\.1\.0\s+2\/2 \(100%\)\s+bob\s.*second try; ended: latency at 100% \(by carol\)/);
      assert.match(lines[4] as string, /rolled_back .*1\/2 \(10%\)\s+ci-bot\s.*first try; ended: complaints \(by alice\)/);
      c = await cli('churn', '--limit', '1');
      assert.equal(c.code, 0, c.stderr);
      assert.match(c.stdout, new RegExp(`more: lookout rollout history churn --before ${String(all[0]?.id)}`));
      c = await cli('churn', '--json');
      assert.deepStrictEqual(JSON.parse(c.stdout), r.body);
      c = await cli('nope');
      assert.equal(c.code, 2);
      assert.match(c.stderr, /HTTP 404/);
    } finally {
      await f.close();
    }
  });
});

describe('audit 6: the ids a shadow\'s model server is sent', { timeout: 120_000 }, () => {
  test('a shadow\'s mirrored call carries the shadow event\'s own id (x-lookout-prediction-id), and the request\'s x-request-id; the primary\'s call and the answer keep the prediction id; a failed shadow call too', async () => {
    const g = await twoVersionGateway();
    const seen: Array<{ server: string; pid: string; rid: string }> = [];
    const log = (server: string) => (_path: string, h: Record<string, unknown>) => seen.push({ server, pid: String(h['x-lookout-prediction-id']), rid: String(h['x-request-id']) });
    g.v1.behaviour.onRequest = log('v1');
    g.v2.behaviour.onRequest = log('v2');
    const url = g.server.url;
    const eventsOf = async (version: string) => {
      await g.server.deps.registry?.recorder.flush();
      return g.server.deps.store.queryEvents({ model: 'churn', from: 0, to: Date.now() + 1000, version });
    };
    const shadowCalls = async (n: number): Promise<void> => {
      for (const deadline = Date.now() + 5000; seen.filter((s) => s.server === 'v2').length < n && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 20));
    };
    try {
      await g.serving({ policy: { kind: 'shadow', candidate: '2.0.0' } });
      const a = await predict(url, { x: 1 }, { id: 'shadow-rid-1' }, { 'x-request-id': 'trace-1' });
      const b = await predict(url, { x: 2 });
      assert.deepStrictEqual([a.status, a.id, b.status], [200, 'shadow-rid-1', 200]);
      await shadowCalls(2);
      const primary = seen.filter((s) => s.server === 'v1');
      const shadow = seen.filter((s) => s.server === 'v2');
      assert.deepStrictEqual(primary.map((s) => s.pid).sort(), ['shadow-rid-1', String(b.id)].sort(), 'the primary is sent the answer\'s id');
      assert.equal(shadow.length, 2);
      // recorded once the answers are in (the model server logs a call before answering)
      let shadowEvents = await eventsOf('2.0.0');
      for (const deadline = Date.now() + 5000; shadowEvents.length < 2 && Date.now() < deadline;) shadowEvents = await eventsOf('2.0.0');
      assert.equal(shadowEvents.length, 2);
      // each shadow call's prediction id names its recorded event, and no other event
      assert.deepStrictEqual(shadow.map((s) => s.pid).sort(), shadowEvents.map((e) => e.id).sort());
      assert.ok(!shadow.some((s) => s.pid === 'shadow-rid-1' || s.pid === b.id), 'not the primary\'s id');
      const s1 = shadow.find((s) => s.rid === 'trace-1');
      assert.ok(s1, 'the caller\'s x-request-id reaches the shadow');
      // without a caller's x-request-id, the request id is the answer's prediction id, for the shadow call too
      assert.ok(shadow.some((s) => s.rid === b.id), JSON.stringify(shadow));
      const primaryEvents = await eventsOf('1.0.0');
      assert.deepStrictEqual(primaryEvents.map((e) => e.id).sort(), ['shadow-rid-1', String(b.id)].sort());

      // a shadow that fails: its failed event's id is the one it was sent too
      seen.length = 0;
      const down = await startModelServer({ failEvery: 1, onRequest: log('v2') });
      try {
        await call(url, 'PUT', '/v1/models/churn/versions/3.0.0', { upstream: down.url });
        await g.serving({ policy: { kind: 'shadow', candidate: '3.0.0' } });
        const c = await predict(url, { x: 3 }, { id: 'shadow-rid-2' });
        assert.equal(c.status, 200);
        await shadowCalls(1);
        let failed = await eventsOf('3.0.0');
        for (const deadline = Date.now() + 5000; failed.length < 1 && Date.now() < deadline;) failed = await eventsOf('3.0.0');
        assert.deepStrictEqual(failed.map((e) => [e.id, e.error !== null]), [[seen.find((s) => s.server === 'v2')?.pid, true]]);
      } finally {
        await down.close();
      }
    } finally {
      await g.close();
    }
  });
});
