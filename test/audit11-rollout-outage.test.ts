import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { pgProxy, type PgProxy } from './helpers/pg-proxy.js';
import { rolloutFixture, type RolloutFixture } from './helpers/rollout.js';
import { call } from './helpers/server.js';

// Regression (audit 11, issue 5): while the store refused writes (PostgreSQL unreachable, a full disk), a rollback the
// controller decided could not flip the canary alias, so it threw and the failing canary kept its share of the traffic
// until the store came back; and a step whose rollout record could not be saved still raised the canary's share in
// memory, with no record of it.
const url = process.env['LOOKOUT_TEST_PG_URL'];
const skip = url ? false : 'LOOKOUT_TEST_PG_URL not set: the PostgreSQL tests are skipped';
const schemas: string[] = [];

after(async () => {
  if (!url) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await client.end();
});

async function fixture(name: string, candidateFailEvery?: number): Promise<{ f: RolloutFixture; proxy: PgProxy }> {
  const proxy = await pgProxy(url as string);
  const schema = `lookout_a11ro_${name}_${process.pid}`;
  schemas.push(schema);
  const f = await rolloutFixture({}, candidateFailEvery === undefined ? {} : { failEvery: candidateFailEvery }, { storage: proxy.url(schema) });
  return { f, proxy };
}

/** `n` predictions of distinct users (no sticky key: the canary's share is a random draw). */
async function traffic(f: RolloutFixture, n: number): Promise<void> {
  const users = Array.from({ length: n }, (_, i) => `u${i}`);
  await f.send(users, 8);
}

// The analyses here compare two identical upstreams on loopback. Once in CI (audit 13) the bake test's healthy canary
// was rolled back before the outage the test is about; the reason was not printed then (it is now) and the failure did
// not come back in 8 local runs, 4 of them beside another test file. The latency guard (canary p95 against the
// primary's x 1.5 + 5 ms) is the part of the analysis the machine's load moves, stalls landing on the two arms unevenly,
// so it is taken out of these rollouts (latencySlackMs 1e6): what they test is the store's outage.
describe('audit 11: rollouts while the store refuses writes', { skip, timeout: 120_000 }, () => {
  test('a rollback that cannot be stored takes the canary out of the traffic at once, and is stored once the store is back', async () => {
    const { f, proxy } = await fixture('rb', 3);
    try {
      await f.start({ steps: [50, 100], stepDurationMs: 60_000 });
      await traffic(f, 300);
      assert.ok(f.v2.requests > 100, `the 50% canary got ${f.v2.requests} of 300`);
      proxy.cut();
      await f.tick(10_000); // the analysis fails (a third of the canary's answers are errors): rollback, not storable
      const during = await f.rollout();
      assert.equal(during.state, 'running', 'not recorded as rolled back while it could not be stored');
      assert.match(String((during.lastError as { message?: string } | undefined)?.message), /PostgreSQL store cannot be reached/);
      const before = f.v2.requests;
      await traffic(f, 100);
      assert.equal(f.v2.requests - before, 0, 'the failing canary got traffic after its rollback was decided');
      proxy.restore();
      await f.tick(1_000);
      const done = await f.rollout();
      assert.equal(done.state, 'rolled_back', JSON.stringify(done));
      assert.match(String(done.endReason), /SLO breach on the candidate at 50%: error rate/);
      const aliases = (await call(f.url, 'GET', '/v1/models/churn/aliases')).body.aliases as Record<string, string>;
      assert.deepEqual(aliases, { canary: '1.0.0', production: '1.0.0' });
      const history = (await call(f.url, 'GET', '/v1/models/churn/deployments')).body.deployments as Array<{ alias: string; kind: string }>;
      assert.deepEqual(history.filter((d) => d.alias === 'canary').map((d) => d.kind).sort(), ['rollback', 'set']);
      assert.deepEqual(f.notifier.events.map((e) => e.type), ['started', 'rolled_back']);
    } finally {
      proxy.restore();
      await f.close();
      proxy.close();
    }
  });

  test('a promotion rolled back within its bake period while the store is out: the primary answers at once, the alias is moved back once it is in', async () => {
    const { f, proxy } = await fixture('bake');
    try {
      await f.start({ steps: [50, 100], stepDurationMs: 60_000, analysis: { minSamples: 20, latencySlackMs: 1e6 } });
      await traffic(f, 200);
      await f.tick(61_000);
      await traffic(f, 200);
      await f.tick(61_000);
      const promoted = await f.rollout();
      assert.equal(promoted.state, 'promoted', JSON.stringify(promoted));
      f.v2.behaviour.failEvery = 2; // the new production version starts failing
      await traffic(f, 200);
      proxy.cut();
      await f.tick(5_000);
      const before = f.v2.requests;
      const versions = await f.send(Array.from({ length: 60 }, (_, i) => `w${i}`), 8);
      assert.equal(f.v2.requests - before, 0, `${f.v2.requests - before} calls to the failing promoted version`);
      assert.ok(versions.every((v) => v === '200 1.0.0'), versions.join(', '));
      proxy.restore();
      await f.tick(1_000);
      const done = await f.rollout();
      assert.equal(done.state, 'rolled_back', JSON.stringify(done));
      assert.match(String(done.endReason), /SLO breach within 3600 s after promotion/);
      const aliases = (await call(f.url, 'GET', '/v1/models/churn/aliases')).body.aliases as Record<string, string>;
      assert.equal(aliases['production'], '1.0.0');
    } finally {
      proxy.restore();
      await f.close();
      proxy.close();
    }
  });

  test('a step whose record cannot be saved leaves the canary at its share; the step is taken once the store is back', async () => {
    const { f, proxy } = await fixture('step');
    try {
      await f.start({ steps: [10, 50, 100], stepDurationMs: 60_000, analysis: { minSamples: 20, latencySlackMs: 1e6 } });
      await traffic(f, 600);
      proxy.cut();
      await f.tick(61_000); // the step passed: 50% would be next, but the rollout cannot be saved
      const during = await f.rollout();
      assert.equal(during.weight, 10, `weight ${String(during.weight)} in memory with no record of the step`);
      assert.equal(during.step, 0);
      const before = f.v2.requests;
      await traffic(f, 200);
      const share = f.v2.requests - before;
      assert.ok(share < 50, `${share} of 200 requests on the candidate, which should be at 10%`);
      proxy.restore();
      await f.tick(1_000);
      const next = await f.rollout();
      assert.equal(next.weight, 50, JSON.stringify(next));
      assert.equal(next.step, 1);
      assert.deepEqual(f.notifier.events.map((e) => e.type), ['started', 'step']);
      await f.restart();
      assert.equal((await f.rollout()).weight, 50, 'the stored record says the same');
    } finally {
      proxy.restore();
      await f.close();
      proxy.close();
    }
  });
});
