import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { twoVersionGateway, type TwoVersionGateway } from './helpers/registry.js';
import { call } from './helpers/server.js';
import { many, predict } from './helpers/predict.js';
import { startModelServer, type ModelServer } from './helpers/upstream.js';

describe('audit 2: prediction gateway (real upstream model servers on loopback)', { timeout: 120_000 }, () => {
  let server: Server;
  let url: string;
  let v2: ModelServer;
  let g: TwoVersionGateway;
  const serving = (cfg: Record<string, unknown>): Promise<void> => g.serving(cfg);
  before(async () => {
    g = await twoVersionGateway();
    ({ server, v2 } = g);
    url = server.url;
  });
  after(() => g.close());

  test('audit 2: a paused canary candidate sends its share to the primary, not to the fallback chain or a 503', async () => {
    await serving({ policy: { kind: 'canary', candidate: '2.0.0', percent: 50 } });
    await call(url, 'POST', '/v1/models/churn/versions/2.0.0/pause', { reason: 'canary looks bad' });
    try {
      const before = v2.requests;
      const answers = await many(100, 8, (i) => predict(url, { x: (i % 5) - 2 }));
      assert.deepStrictEqual(answers.filter((a) => a.status !== 200 || a.version !== '1.0.0').map((a) => [a.status, a.version, a.body]), [], 'every request answered by the primary');
      assert.ok(answers.every((a) => a.fallback === null), 'the primary is no fallback');
      assert.equal(v2.requests, before, 'a paused version is not called');
      await server.deps.registry?.recorder.flush();
      const events = await server.deps.store.queryEvents({ model: 'churn', from: 0, to: Date.now() + 1000, version: '2.0.0' });
      assert.equal(events.length, 0, 'no event is recorded against the paused candidate');
    } finally {
      await call(url, 'POST', '/v1/models/churn/versions/2.0.0/resume', {});
      await serving({});
    }
  });

  test('audit 2: a canary with stickyKey "user" and no routeKey keeps each user on one version (the key read from features.user)', async () => {
    await serving({ policy: { kind: 'canary', candidate: '2.0.0', percent: 50, stickyKey: 'user' } });
    try {
      const users = 60;
      const seen = new Map<string, Set<string>>();
      await many(users * 4, 16, async (i) => {
        const user = `user-${i % users}`;
        const a = await predict(url, { x: 1, user });
        seen.set(user, (seen.get(user) ?? new Set<string>()).add(a.version as string));
        return a;
      });
      const flipping = [...seen].filter(([, s]) => s.size > 1).map(([u]) => u);
      assert.deepStrictEqual(flipping, [], 'every user always lands on the same version');
      const canaryUsers = [...seen.values()].filter((s) => s.has('2.0.0')).length;
      assert.ok(canaryUsers > 10 && canaryUsers < 50, `${canaryUsers} of ${users} users on the canary`);
    } finally {
      await serving({});
    }
  });

  test('audit 2: a hanging shadow on the primary\'s own model server (one origin, a path per version) never delays or fails the answers', async () => {
    const shared = await startModelServer({ hangPaths: ['/shadow'] });
    const origin = new URL(shared.url).origin;
    try {
      await call(url, 'PUT', '/v1/models/churn/versions/4.0.0', { upstream: `${origin}/predict` });
      await call(url, 'PUT', '/v1/models/churn/versions/4.1.0', { upstream: `${origin}/shadow` });
      await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '4.0.0', reason: 'shadow test' });
      // An answer that waited for the hung shadow would take the 5 s timeout; the bound leaves room for a busy machine
      // (1,092 ms once in CI with two test files running, against a bound of 1,000 ms; 2,781 ms against 2,500 ms with a
      // helper's tests beside CI's, load average 8).
      await serving({ timeoutMs: 5000, policy: { kind: 'shadow', candidate: '4.1.0' } });
      const answers = await many(400, 32, (i) => predict(url, { x: (i % 5) - 2 }));
      const bad = answers.filter((a) => a.status !== 200 || a.version !== '4.0.0');
      assert.deepStrictEqual(bad.slice(0, 3).map((a) => [a.status, a.version, a.body]), [], `${bad.length} of 400 answers not from the primary`);
      const slowest = Math.max(...answers.map((a) => a.ms));
      assert.ok(slowest < 4000, `slowest answer ${slowest.toFixed(0)} ms with a hanging shadow`);
      // the hung mirrored calls are capped (256 in flight); the requests beyond are not mirrored, and counted
      const report = (await call(url, 'GET', '/v1/models/churn/shadow')).body as { pairs: { skipped: number } };
      assert.ok(report.pairs.skipped >= 400 - 256, `skipped ${report.pairs.skipped}`);
    } finally {
      await serving({});
      await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '1.0.0', reason: 'back' });
      await shared.close();
    }
  });

  test('audit 2: a static fallback answer the model could not give (unknown class, score outside [0, 1]) is refused at configuration time', async () => {
    const refused = async (stat: Record<string, unknown>): Promise<string> => {
      const r = await call(url, 'PUT', '/v1/models/churn/serving', { fallback: [{ static: stat }] });
      assert.equal(r.status, 400, `${JSON.stringify(stat)} accepted: ${JSON.stringify(r.body)}`);
      const err = r.body.error as { code: string; message: string };
      assert.equal(err.code, 'bad_request');
      return err.message;
    };
    assert.match(await refused({ prediction: 'maybe' }), /fallback\[0\].*"maybe".*classes/);
    await refused({ prediction: 'no', score: 7 });
    await refused({ prediction: 'no', score: '0.5' });
    await refused({ prediction: 'no', scores: [0.5, 'x'] });
    await refused({ prediction: 'no', scores: [0.2, 0.3, 0.5] });
    const before = (await call(url, 'GET', '/v1/models/churn/serving')).body;
    assert.deepStrictEqual((before.serving as { fallback: unknown[] }).fallback, [], 'nothing was stored');
    await serving({ fallback: [{ static: { prediction: 'no', score: 0.2, scores: [0.8, 0.2] } }] });
    await serving({});
  });

  test('audit 2: an upstream answer the model cannot give (a label not among its classes) is an invalid response: fallback or 502, recorded as an error', async () => {
    const odd = await startModelServer({ answer: () => ({ prediction: 'maybe', score: 0.5 }) });
    try {
      await call(url, 'PUT', '/v1/models/churn/versions/5.0.0', { upstream: odd.url });
      await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '5.0.0', reason: 'odd labels' });
      await serving({ fallback: [{ version: '1.0.0' }] });
      const a = await predict(url, { x: 2 }, { id: 'odd-1' });
      assert.deepStrictEqual([a.status, a.body.prediction, a.version, a.fallback], [200, 'yes', '1.0.0', 'version:1.0.0'], JSON.stringify(a.body));
      await serving({});
      const b = await predict(url, { x: 2 });
      assert.equal(b.status, 502, JSON.stringify(b.body));
      assert.match((b.body.error as { message: string }).message, /5\.0\.0: invalid_response: .*"maybe".*classes/);
      await server.deps.registry?.recorder.flush();
      // audit 29: the answer is an event of 1.0.0, which gave it; 5.0.0's is its failure, under a new id (the request's
      // own id names the answer); until then one event of 5.0.0 with 1.0.0's answer and 5.0.0's error
      const [e] = await server.deps.store.getEvents(['odd-1']);
      assert.deepStrictEqual([e?.version, e?.prediction, e?.error], ['1.0.0', 'yes', null]);
      const failed = (await server.deps.store.queryEvents({ model: 'churn', from: 0, to: Date.now() + 1000, version: '5.0.0' }));
      assert.deepStrictEqual(failed.map((f) => [f.prediction, /invalid_response/.test(f.error ?? '')]), [[null, true], [null, true]], 'the answer with a fallback and the 502');
      assert.ok(failed.every((f) => f.id !== 'odd-1'));
      assert.equal(server.deps.registry?.stats.arm('churn', '5.0.0').errors, 2, 'both answers counted as errors of 5.0.0');
    } finally {
      await serving({});
      await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '1.0.0', reason: 'back' });
      await odd.close();
    }
  });
});
