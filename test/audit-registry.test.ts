import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { defaultConfig } from '../src/config.js';
import { startServer, type Server } from '../src/server.js';
import { tempDir } from './helpers/cli.js';
import { churnRegistryServer, declareChurn } from './helpers/registry.js';
import { call } from './helpers/server.js';
import { startModelServer, type ModelServer } from './helpers/upstream.js';

/** Audit of the registry, gateway and rollouts: defects a production user hit, each with its regression test. */
describe('audit: registry, serving, comparison, promotion and monitor requests', { timeout: 60_000 }, () => {
  let server: Server;
  let url: string;
  before(async () => {
    server = await churnRegistryServer();
    url = server.url;
  });
  after(async () => {
    await server.close();
  });

  // both versions' outputs given: the candidate is right on both rows, the current one on one
  const testSet = { labels: ['yes', 'no'], current: { predictions: ['yes', 'yes'] }, candidate: { predictions: ['yes', 'no'] } };

  test('audit: /compare refuses a resample count the promotion refuses (a huge one killed the server)', async () => {
    const ok = await call(url, 'POST', '/v1/models/churn/compare', { current: '1.0.0', candidate: '1.1.0', testSet, resamples: 10_000 });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    for (const resamples of [10_001, 1e9, -5, 2.5, '1000']) {
      const r = await call(url, 'POST', '/v1/models/churn/compare', { current: '1.0.0', candidate: '1.1.0', testSet, resamples });
      assert.equal(r.status, 400, `resamples ${String(resamples)}: ${JSON.stringify(r.body)}`);
      assert.match((r.body.error as { message: string }).message, /resamples must be an integer from 0 to 10000/);
    }
    const seed = await call(url, 'POST', '/v1/models/churn/compare', { current: '1.0.0', candidate: '1.1.0', testSet, seed: 'x' });
    assert.equal(seed.status, 400, JSON.stringify(seed.body));
    // the server is still up and answers
    assert.equal((await call(url, 'GET', '/v1/models/churn/aliases')).status, 200);
  });

  test('audit: a malformed test set or gate is a 400, and "force": "false" does not skip the gate', async () => {
    // a test-set row that is not an object was a 500 (TypeError reading its label)
    for (const rows of [[null], [{ features: { x: 1 }, label: 'yes' }, 7]]) {
      const r = await call(url, 'POST', '/v1/models/churn/compare', { current: '1.0.0', candidate: '1.1.0', testSet: { rows } });
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.match((r.body.error as { message: string }).message, /testSet\.rows\[\d\] must be an object/);
      const p = await call(url, 'POST', '/v1/models/churn/promote', { version: '1.1.0', reason: 'r', testSet: { rows } });
      assert.equal(p.status, 400, JSON.stringify(p.body));
    }
    // a gate with a string threshold was a 500 (the refusal message formats it as a number); a misspelt field
    // or a string flag silently gave a different gate than asked for
    for (const gate of [{ minImprovement: '0.6' }, { requireSignificant: 'false' }, { minimprovement: 0.6 }, { metric: 7 }, 'accuracy']) {
      const r = await call(url, 'POST', '/v1/models/churn/compare', { current: '1.0.0', candidate: '1.1.0', testSet, gate });
      assert.equal(r.status, 400, `${JSON.stringify(gate)}: ${JSON.stringify(r.body)}`);
      // audit 25: an unknown field is validation_failed, as everywhere else (it was bad_request here), naming the field meant
      assert.equal((r.body.error as { code: string }).code, typeof gate === 'object' && 'minimprovement' in gate ? 'validation_failed' : 'bad_request');
    }
    const typo = await call(url, 'POST', '/v1/models/churn/compare', { current: '1.0.0', candidate: '1.1.0', testSet, gate: { minimprovement: 0.6 } });
    assert.match((typo.body.error as { message: string }).message, /unknown gate field\(s\) minimprovement; known: .*; did you mean "minImprovement"\?/);
    // the same gate well-formed: the candidate improves accuracy by 0.5 (1.0 vs 0.5), below the 0.6 asked for
    const refused = await call(url, 'POST', '/v1/models/churn/promote', { version: '1.1.0', reason: 'r', testSet, gate: { minImprovement: 0.6 } });
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal((refused.body.error as { code: string }).code, 'promotion_refused');
    // a string "false" is truthy: it skipped the comparison and moved the alias
    const forced = await call(url, 'POST', '/v1/models/churn/promote', { version: '1.1.0', reason: 'r', testSet, gate: { minImprovement: 0.6 }, force: 'false' });
    assert.equal(forced.status, 400, JSON.stringify(forced.body));
    assert.deepStrictEqual((await call(url, 'GET', '/v1/models/churn/aliases')).body.aliases, { production: '1.0.0' });
  });

  test('audit: registering a version again with the same lineage in another key order is the idempotent no-op, not a 409', async () => {
    const lineage = { gitCommit: 'f00d', dataVersion: 'd-1', hyperparameters: { depth: 6, eta: 0.1, grid: [{ b: 1, a: 2 }] }, metrics: { auc: 0.9, accuracy: 0.8 } };
    assert.equal((await call(url, 'PUT', '/v1/models/churn/versions/4.0.0', { lineage })).status, 201);
    const reordered = { metrics: { accuracy: 0.8, auc: 0.9 }, hyperparameters: { grid: [{ a: 2, b: 1 }], eta: 0.1, depth: 6 }, dataVersion: 'd-1', gitCommit: 'f00d' };
    const again = await call(url, 'PUT', '/v1/models/churn/versions/4.0.0', { lineage: reordered });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal(again.body.created, false);
    assert.deepStrictEqual((again.body.version as { lineage: unknown }).lineage, lineage, 'the stored lineage is kept');
    // a real difference, even deep inside, is still a conflict
    for (const changed of [{ ...lineage, hyperparameters: { ...lineage.hyperparameters, eta: 0.2 } }, { ...lineage, hyperparameters: { ...lineage.hyperparameters, grid: [{ b: 1, a: 3 }] } }]) {
      assert.equal((await call(url, 'PUT', '/v1/models/churn/versions/4.0.0', { lineage: changed })).status, 409);
    }
  });

  test('audit: a serving configuration naming a version the model does not have is refused', async () => {
    const before = (await call(url, 'GET', '/v1/models/churn/serving')).body.serving;
    for (const cfg of [
      { policy: { kind: 'canary', candidate: '1.1.1', percent: 10 } },
      { policy: { kind: 'shadow', candidate: '9.9.9' } },
      { policy: { kind: 'blue-green', standby: '1.1' } },
      { fallback: [{ version: '1.0.0' }, { version: '0.9.0' }] },
    ]) {
      const r = await call(url, 'PUT', '/v1/models/churn/serving', cfg);
      assert.equal(r.status, 404, `${JSON.stringify(cfg)}: ${JSON.stringify(r.body)}`);
      assert.equal((r.body.error as { code: string }).code, 'unknown_version');
      assert.match((r.body.error as { message: string }).message, /known: 1\.0\.0, 1\.1\.0/);
    }
    assert.deepStrictEqual((await call(url, 'GET', '/v1/models/churn/serving')).body.serving, before, 'nothing stored');
    const ok = await call(url, 'PUT', '/v1/models/churn/serving', { policy: { kind: 'canary', candidate: '1.1.0', percent: 10 }, fallback: [{ version: '1.0.0' }, { static: { prediction: 'no' } }] });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal((await call(url, 'PUT', '/v1/models/churn/serving', {})).status, 200);
  });

  test('audit: a blue-green switch to a standby with no upstream or paused is refused (it took every prediction down)', async () => {
    const green = await startModelServer();
    try {
      assert.equal((await call(url, 'PATCH', '/v1/models/churn/versions/1.0.0', { upstream: green.url })).status, 200);
      assert.equal((await call(url, 'PUT', '/v1/models/churn/serving', { policy: { kind: 'blue-green', standby: '1.1.0' } })).status, 200);
      const noUpstream = await call(url, 'POST', '/v1/models/churn/switch', { reason: 'green is ready' });
      assert.equal(noUpstream.status, 409, JSON.stringify(noUpstream.body));
      assert.match((noUpstream.body.error as { message: string }).message, /standby 1\.1\.0 has no upstream/);
      assert.equal((await call(url, 'PATCH', '/v1/models/churn/versions/1.1.0', { upstream: green.url })).status, 200);
      assert.equal((await call(url, 'POST', '/v1/models/churn/versions/1.1.0/pause', { reason: 'not yet' })).status, 200);
      const paused = await call(url, 'POST', '/v1/models/churn/switch', { reason: 'green is ready' });
      assert.equal(paused.status, 409, JSON.stringify(paused.body));
      assert.match((paused.body.error as { message: string }).message, /standby 1\.1\.0 is paused/);
      assert.deepStrictEqual((await call(url, 'GET', '/v1/models/churn/aliases')).body.aliases, { production: '1.0.0' }, 'production left as it was');
      assert.equal((await call(url, 'POST', '/v1/models/churn/versions/1.1.0/resume', {})).status, 200);
      const ok = await call(url, 'POST', '/v1/models/churn/switch', { reason: 'green is ready' });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      const res = await fetch(`${url}/v1/models/churn/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ features: { x: 1 } }) });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-lookout-version'), '1.1.0');
      assert.equal((await call(url, 'POST', '/v1/models/churn/switch', { reason: 'back' })).status, 200);
      assert.equal((await call(url, 'PUT', '/v1/models/churn/serving', {})).status, 200);
    } finally {
      await green.close();
    }
  });

  test('audit: a rollout request with a misspelt limit is refused (it started with the default limit instead)', async () => {
    for (const [body, msg] of [
      [{ stepDurationMS: 60_000 }, /unknown rollout field\(s\) stepDurationMS/],
      [{ slo: { maxP95: 300 } }, /unknown rollout "slo" field\(s\) maxP95; known: maxErrorRate, errorRateAlpha, maxP95Ms, minSamples/],
      [{ analysis: { maxErrorRate: 0.01 } }, /unknown rollout "analysis" field\(s\) maxErrorRate; known: minSamples, errorRateAlpha/],
      [{ analysis: 'strict' }, /rollout "analysis" must be an object/],
    ] as Array<[Record<string, unknown>, RegExp]>) {
      const r = await call(url, 'POST', '/v1/models/churn/rollout', { candidate: '1.1.0', reason: 'r', ...body });
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.match((r.body.error as { message: string }).message, msg);
    }
    assert.equal((await call(url, 'GET', '/v1/models/churn/rollout')).body.rollout, null, 'no rollout started');
  });

  test('audit: an alias change with an expectFrom that is neither a version nor null is refused (it moved the alias unchecked)', async () => {
    const before = (await call(url, 'GET', '/v1/models/churn/aliases')).body['aliases'] as Record<string, string>;
    for (const expectFrom of [1, true, { version: '1.0.0' }, ['1.0.0']]) {
      const r = await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '1.1.0', reason: 'r', expectFrom });
      assert.equal(r.status, 400, `${JSON.stringify(expectFrom)}: ${JSON.stringify(r.body)}`);
      assert.match((r.body.error as { message: string }).message, /"expectFrom" must be/);
    }
    assert.deepEqual((await call(url, 'GET', '/v1/models/churn/aliases')).body['aliases'], before);
    // A stale string still gets the conflict; the current one moves the alias.
    const stale = await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '1.1.0', reason: 'r', expectFrom: '9.9.9' });
    assert.equal(stale.status, 409, JSON.stringify(stale.body));
    const ok = await call(url, 'PUT', '/v1/models/churn/aliases/staging', { version: '1.1.0', reason: 'r', expectFrom: before['staging'] ?? null });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });

  test('audit: a monitor level with an unknown action is refused with the known ones (it was only skipped when the alert fired)', async () => {
    const monitor = (action: string) => ({ id: `audit-action-${action}`, model: 'churn', metric: 'errorRate', window: '1h', levels: [{ severity: 'warning', threshold: 0.01 }, { severity: 'critical', threshold: 0.1, action }] });
    const r = await call(url, 'POST', '/v1/monitors', monitor('rolback'));
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.equal((r.body.error as { code: string }).code, 'validation_failed');
    assert.match((r.body.error as { message: string }).message, /levels\[1\]\.action "rolback" is unknown; known actions: retrain, rollback; did you mean "rollback"\?/);
    assert.equal((await call(url, 'GET', '/v1/monitors/audit-action-rolback')).status, 404);
    for (const action of ['rollback', 'retrain']) assert.equal((await call(url, 'POST', '/v1/monitors', monitor(action))).status, 201);
  });
});

describe('audit: a rollout whose alias an operator moved by hand (injected clock, explicit ticks)', { timeout: 60_000 }, () => {
  const STEP = 60_000;
  let server: Server;
  let url: string;
  let now = Date.UTC(2026, 0, 5, 12);
  let stable: ModelServer;
  let candidate: ModelServer;

  const traffic = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i += 10) {
      await Promise.all(Array.from({ length: Math.min(10, n - i) }, async (_, j) => {
        const res = await fetch(`${url}/v1/models/churn/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ features: { x: ((i + j) % 9) - 4 } }) });
        await res.arrayBuffer();
      }));
    }
    await new Promise((r) => setTimeout(r, 100)); // the mirrored calls to the primary are fire-and-forget
  };
  const tick = async (advanceMs: number): Promise<{ status: number; body: Record<string, unknown> }> => {
    now += advanceMs;
    return call(url, 'POST', '/v1/rollouts/tick', {});
  };
  const rollout = async (): Promise<Record<string, unknown>> => (await call(url, 'GET', '/v1/models/churn/rollout')).body.rollout as Record<string, unknown>;
  const aliases = async (): Promise<Record<string, string>> => (await call(url, 'GET', '/v1/models/churn/aliases')).body.aliases as Record<string, string>;
  const productionHistory = async (): Promise<unknown[]> => ((await call(url, 'GET', '/v1/models/churn/deployments')).body.deployments as Array<Record<string, unknown>>)
    .filter((d) => d.alias === 'production').map((d) => [d.kind, d.from, d.to, d.by]);
  // Latency is taken out of the analysis (latencySlackMs 1e6), as in audit11-rollout-outage: two loopback servers' p95
  // on a loaded machine differ by chance (a CI run rolled back on "latencyP95 canary 45.2 vs primary 22.9 (limit
  // 39.3)"), and what these tests are about is the alias moved by hand.
  const start = () => call(url, 'POST', '/v1/models/churn/rollout', {
    candidate: '1.1.0', steps: [100], stepDurationMs: STEP, bakeMs: 3_600_000, reason: 'ship 1.1.0', analysis: { minSamples: 20, latencySlackMs: 1e6 }, slo: { minSamples: 20, maxErrorRate: 0.05, maxP95Ms: 500 },
  });

  before(async () => {
    const c = defaultConfig();
    c.dataDir = tempDir('lookout-audit-rollout-');
    c.server.port = 0;
    c.registry = { tickMs: 0, refreshMs: 0 };
    server = await startServer({ config: c, clock: () => now });
    url = server.url;
    stable = await startModelServer();
    candidate = await startModelServer();
    await declareChurn(url, [{ version: '1.0.0', upstream: stable.url }, { version: '1.0.1', upstream: stable.url }, { version: '1.1.0', upstream: candidate.url }], '1.0.0');
  });
  after(async () => {
    await server.close();
    await stable.close();
    await candidate.close();
  });

  test('audit: an SLO breach in the bake period after the operator already rolled back by hand ends the rollout (every later tick answered 409)', async () => {
    assert.equal((await start()).status, 201);
    await traffic(60);
    assert.equal((await tick(STEP)).status, 200);
    assert.equal((await rollout()).state, 'promoted');
    assert.equal((await aliases()).production, '1.1.0');
    candidate.behaviour.failEvery = 2; // the new primary fails half its requests
    await traffic(40);
    const manual = await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '1.0.0', reason: 'errors: back by hand', by: 'oncall' });
    assert.equal(manual.status, 200, JSON.stringify(manual.body));
    const t = await tick(1000);
    assert.equal(t.status, 200, JSON.stringify(t.body));
    const r = await rollout();
    assert.equal(r.state, 'rolled_back', JSON.stringify(r));
    assert.match(String(r.endReason), /SLO breach.*"production" had already been moved off 1\.1\.0 \(to 1\.0\.0\)/);
    assert.equal((await aliases()).production, '1.0.0');
    // the operator's change is the last word: no second flip by the controller
    assert.deepStrictEqual((await productionHistory()).slice(-2), [['promote', '1.0.0', '1.1.0', 'rollout-controller'], ['set', '1.1.0', '1.0.0', 'oncall']]);
    assert.equal((await tick(1000)).status, 200, 'later ticks are fine');
    candidate.behaviour.failEvery = undefined;
  });

  test('audit: a rollout whose primary alias was moved during the last step is not promoted over that change (every later tick answered 409)', async () => {
    assert.equal((await start()).status, 201);
    await traffic(60);
    const manual = await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '1.0.1', reason: 'hotfix', by: 'oncall' });
    assert.equal(manual.status, 200, JSON.stringify(manual.body));
    const t = await tick(STEP);
    assert.equal(t.status, 200, JSON.stringify(t.body));
    const r = await rollout();
    assert.equal(r.state, 'rolled_back', JSON.stringify(r));
    assert.match(String(r.endReason), /"production" was moved off 1\.0\.0 during the rollout \(now 1\.0\.1\)/);
    assert.deepStrictEqual(await aliases(), { production: '1.0.1', canary: '1.0.0' });
    assert.equal((await tick(1000)).status, 200);
  });
});
