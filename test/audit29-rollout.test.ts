import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { browserUnavailable, launch, openView, watchErrors } from './helpers/browser.js';
import { lookoutAsync } from './helpers/cli.js';
import { churnRegistryServer, stickyKeys } from './helpers/registry.js';
import { rolloutFixture } from './helpers/rollout.js';
import { call } from './helpers/server.js';
import { startModelServer } from './helpers/upstream.js';

/*
 * Audit 29 (rollouts): what a rollout refused, blocked or rolled back onto a paused version says.
 */

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
      assert.match(String(moves.at(-1)?.reason), /; 1\.0\.0 is paused: "production" is answered by the fallback chain/, 'the history\'s reason says it too');
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
