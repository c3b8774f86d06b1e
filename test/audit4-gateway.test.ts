import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { twoVersionGateway, type TwoVersionGateway } from './helpers/registry.js';
import { call } from './helpers/server.js';
import { predict } from './helpers/predict.js';
import { startModelServer } from './helpers/upstream.js';

describe('audit 4: gateway (real upstream model servers on loopback)', { timeout: 120_000 }, () => {
  let server: Server;
  let url: string;
  let g: TwoVersionGateway;
  const serving = (cfg: Record<string, unknown>): Promise<void> => g.serving(cfg);
  before(async () => {
    g = await twoVersionGateway();
    ({ server } = g);
    url = server.url;
  });
  after(() => g.close());

  test('audit 4: one deadline per request: a slow primary and a slow fallback version are answered (static, else 504) within it, not within 2x', async () => {
    const SLACK = 250;
    g.v1.behaviour.delayMs = 3000;
    g.v2.behaviour.delayMs = 3000;
    try {
      // without deadlineMs each call has its own timeoutMs (as before): the slow fallback version is called after the primary
      await serving({ timeoutMs: 400, fallback: [{ version: '2.0.0' }, { static: { prediction: 'no', score: 0.5 } }] });
      const noDeadline = await predict(url, { x: 1 });
      assert.deepStrictEqual([noDeadline.status, noDeadline.version], [200, 'fallback:static'], JSON.stringify(noDeadline.body));
      assert.ok(noDeadline.ms >= 790, `without deadlineMs both calls had their timeoutMs: ${noDeadline.ms.toFixed(0)} ms`);
      // deadlineMs = timeoutMs: the primary spends it, the slow fallback version is not called, the static answer answers
      await serving({ timeoutMs: 400, deadlineMs: 400, fallback: [{ version: '2.0.0' }, { static: { prediction: 'no', score: 0.5 } }] });
      const v2Before = g.v2.requests;
      const stat = await predict(url, { x: 1 });
      assert.deepStrictEqual([stat.status, stat.version, stat.fallback], [200, 'fallback:static', 'static'], JSON.stringify(stat.body));
      assert.ok(stat.ms < 400 + SLACK, `answered after ${stat.ms.toFixed(0)} ms with a 400 ms deadline`);
      assert.equal(g.v2.requests, v2Before, 'no upstream call once the deadline is spent');
      // no static answer: a 504 within the deadline, naming the skipped step
      await serving({ timeoutMs: 400, deadlineMs: 400, fallback: [{ version: '2.0.0' }] });
      const none = await predict(url, { x: 1 });
      assert.equal(none.status, 504, JSON.stringify(none.body));
      const err = none.body.error as { code: string; details: { attempts: Array<{ version: string; error: string }> } };
      assert.equal(err.code, 'upstream_timeout');
      assert.ok(none.ms < 400 + SLACK, `504 after ${none.ms.toFixed(0)} ms with a 400 ms deadline`);
      assert.deepStrictEqual(err.details.attempts.map((a) => a.version), ['1.0.0', '2.0.0']);
      assert.match(err.details.attempts[1]?.error ?? '', /deadline/);
      // deadlineMs longer than timeoutMs: each call gets at most timeoutMs, and only what is left of the budget
      await serving({ timeoutMs: 400, deadlineMs: 600, fallback: [{ version: '2.0.0' }] });
      const longer = await predict(url, { x: 1 });
      assert.equal(longer.status, 504, JSON.stringify(longer.body));
      assert.ok(longer.ms >= 590 && longer.ms < 600 + SLACK, `504 after ${longer.ms.toFixed(0)} ms with a 600 ms deadline`);
      // ... so a fallback version that answers in time is served after a timed-out primary
      g.v2.behaviour.delayMs = 0;
      const fell = await predict(url, { x: 1 });
      assert.deepStrictEqual([fell.status, fell.version, fell.fallback], [200, '2.0.0', 'version:2.0.0'], JSON.stringify(fell.body));
      assert.ok(fell.ms < 600 + SLACK, `answered after ${fell.ms.toFixed(0)} ms`);
    } finally {
      g.v1.behaviour.delayMs = 0;
      g.v2.behaviour.delayMs = 0;
      await serving({});
    }
  });

  test('audit 4: a hanging canary candidate spends the deadline: a static answer (or 504) in time, no error of the primary; with deadlineMs to spare the primary answers', async () => {
    const SLACK = 250;
    g.v2.behaviour.hang = true;
    const from = Date.now();
    try {
      // without deadlineMs, the primary answers after the candidate's timeout (each call its own timeoutMs)
      await serving({ timeoutMs: 400, fallback: [{ static: { prediction: 'no', score: 0.5 } }], policy: { kind: 'canary', candidate: '2.0.0', percent: 100 } });
      const byPrimary = await predict(url, { x: 1 });
      assert.deepStrictEqual([byPrimary.status, byPrimary.version, byPrimary.fallback], [200, '1.0.0', null], JSON.stringify(byPrimary.body));
      await serving({ timeoutMs: 400, deadlineMs: 400, fallback: [{ static: { prediction: 'no', score: 0.5 } }], policy: { kind: 'canary', candidate: '2.0.0', percent: 100 } });
      const v1Before = g.v1.requests;
      const a = await predict(url, { x: 1 }, { id: 'audit4-canary-1' });
      assert.deepStrictEqual([a.status, a.version, a.fallback], [200, 'fallback:static', 'static'], JSON.stringify(a.body));
      assert.ok(a.ms < 400 + SLACK, `answered after ${a.ms.toFixed(0)} ms with a 400 ms deadline`);
      assert.equal(g.v1.requests, v1Before, 'the primary is not called past the deadline');
      await server.deps.registry?.recorder.flush();
      const events = await server.deps.store.queryEvents({ model: 'churn', from, to: Date.now() + 1000 });
      assert.deepStrictEqual(events.filter((e) => e.version === '1.0.0' && e.error !== null).map((e) => e.error), [], 'the candidate\'s timeout is not an error of the primary');
      assert.ok(events.some((e) => e.version === '2.0.0' && /timeout/.test(e.error ?? '')), 'the candidate\'s failed call is its event');
      await serving({ timeoutMs: 400, deadlineMs: 1000, fallback: [{ static: { prediction: 'no', score: 0.5 } }], policy: { kind: 'canary', candidate: '2.0.0', percent: 100 } });
      const b = await predict(url, { x: 1 });
      assert.deepStrictEqual([b.status, b.version, b.fallback], [200, '1.0.0', null], JSON.stringify(b.body));
      assert.ok(b.ms < 1000 + SLACK, `answered after ${b.ms.toFixed(0)} ms`);
    } finally {
      g.v2.behaviour.hang = false;
      await serving({});
    }
  });

  test('audit 4: an upstream score outside [0, 1], not a number, or scores not one per class in [0, 1] is an invalid answer (502 or fallback), never served nor recorded', async () => {
    let answer: Record<string, unknown> = {};
    const odd = await startModelServer({ answer: () => answer });
    const from = Date.now();
    try {
      assert.equal((await call(url, 'PUT', '/v1/models/churn/versions/8.0.0', { upstream: odd.url })).status, 201);
      await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '8.0.0', reason: 'score test' });
      await serving({ timeoutMs: 1000 });
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ prediction: 'yes', score: 1.7 }, /score 1\.7 is not a number in \[0, 1\]/],
        [{ prediction: 'no', score: -0.2 }, /score -0\.2 is not a number in \[0, 1\]/],
        [{ prediction: 'yes', score: 'NaN' }, /score "NaN" is not a number in \[0, 1\]/],
        [{ prediction: 'yes', scores: [0.2, 0.3, 0.5] }, /scores must be 2 numbers/],
        [{ prediction: 'yes', scores: [0.4, 1.2] }, /scores \[0\.4,1\.2\] are not numbers in \[0, 1\]/],
        [{ prediction: 'yes', scores: 'high' }, /scores "high" are not numbers in \[0, 1\]/],
      ];
      for (const [bad, why] of cases) {
        answer = bad;
        const a = await predict(url, { x: 1 });
        const err = a.body.error as { code: string; details: { attempts: Array<{ version: string; error: string }> } } | undefined;
        assert.deepStrictEqual([a.status, err?.code], [502, 'upstream_error'], `${JSON.stringify(bad)} answered ${JSON.stringify(a.body)}`);
        assert.match(err?.details.attempts[0]?.error ?? '', /^invalid_response: /);
        assert.match(err?.details.attempts[0]?.error ?? '', why);
      }
      // valid answers still pass: a score at the bounds, scores summing to 1 within float rounding, and scores rounded by
      // the model server (their sum is not checked, as POST /v1/events does not check it)
      for (const ok of [{ prediction: 'yes', score: 1 }, { prediction: 'no', score: 0, scores: [0.7, 0.1 + 0.2] }, { prediction: 'yes', score: null }, { prediction: 'yes', scores: [0.33, 0.66] }]) {
        answer = ok;
        const a = await predict(url, { x: 1 });
        assert.equal(a.status, 200, `${JSON.stringify(ok)}: ${JSON.stringify(a.body)}`);
      }
      // a static answer's scores are held to the same rule when configured
      const sum = await call(url, 'PUT', '/v1/models/churn/serving', { fallback: [{ static: { prediction: 'no', scores: [0.5, 0.6] } }] });
      assert.equal(sum.status, 400, JSON.stringify(sum.body));
      assert.match((sum.body['error'] as { message: string }).message, /fallback\[0\]\.static\.scores sum to 1\.1, not 1/);
      // with a fallback, the invalid answer falls back like any other
      await serving({ timeoutMs: 1000, fallback: [{ version: '1.0.0' }] });
      answer = { prediction: 'yes', score: 1.7 };
      const fell = await predict(url, { x: 1 });
      assert.deepStrictEqual([fell.status, fell.version, fell.fallback], [200, '1.0.0', 'version:1.0.0']);
      await server.deps.registry?.recorder.flush();
      const events = await server.deps.store.queryEvents({ model: 'churn', from, to: Date.now() + 1000, version: '8.0.0' });
      const scored = events.filter((e) => e.prediction !== null && e.error === null);
      assert.equal(scored.length, 4, 'only the valid answers are recorded as predictions');
      assert.ok(events.filter((e) => e.error !== null).every((e) => /invalid_response: upstream answer's scores? /.test(e.error ?? '')), JSON.stringify(events.map((e) => e.error)));
      assert.ok(events.every((e) => (e.score === null || (e.score >= 0 && e.score <= 1)) && (e.scores === null || e.scores.length === 2)), JSON.stringify(events.map((e) => [e.score, e.scores])));
    } finally {
      await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '1.0.0', reason: 'back' });
      await serving({});
      await odd.close();
    }
  });

  test('audit 4: an upstream answering a boolean label (classes "false", "true"), as POST /v1/events takes it, is served and recorded as that class, not a 502', async () => {
    const flag = await startModelServer({ answer: (f) => ({ prediction: Number(f['x']) > 0, score: Number(f['x']) > 0 ? 0.8 : 0.3 }) });
    try {
      const m = await call(url, 'POST', '/v1/models', { name: 'flag', outputKind: 'binary', inputSchema: { type: 'object', properties: { x: { type: 'number' } }, required: ['x'] }, classes: ['false', 'true'] });
      assert.ok(m.status === 201 || m.status === 200, JSON.stringify(m.body));
      assert.equal((await call(url, 'PUT', '/v1/models/flag/versions/1.0.0', { upstream: flag.url })).status, 201);
      assert.equal((await call(url, 'PUT', '/v1/models/flag/aliases/production', { version: '1.0.0', reason: 'boolean test' })).status, 200);
      const yes = await call(url, 'POST', '/v1/models/flag/predict', { features: { x: 1 }, id: 'audit4-flag-1' });
      assert.equal(yes.status, 200, JSON.stringify(yes.body));
      assert.deepStrictEqual([yes.body['prediction'], yes.body['score']], ['true', 0.8]);
      const no = await call(url, 'POST', '/v1/models/flag/predict', { features: { x: -1 } });
      assert.deepStrictEqual([no.status, no.body['prediction']], [200, 'false']);
      await server.deps.registry?.recorder.flush();
      const [e] = await server.deps.store.getEvents(['audit4-flag-1']);
      assert.deepStrictEqual([e?.version, e?.prediction, e?.error], ['1.0.0', 'true', null]);
    } finally {
      await flag.close();
    }
  });

  test('audit 4: deadlineMs is validated like timeoutMs (a number from timeoutMs to 120000) and shown by GET serving', async () => {
    for (const bad of [0, -5, 'soon', 1e9, 299]) {
      const r = await call(url, 'PUT', '/v1/models/churn/serving', { timeoutMs: 300, deadlineMs: bad });
      assert.equal(r.status, 400, `deadlineMs ${String(bad)}: ${JSON.stringify(r.body)}`);
      assert.match((r.body['error'] as { message: string }).message, /deadlineMs/);
    }
    const ok = await call(url, 'PUT', '/v1/models/churn/serving', { timeoutMs: 300, deadlineMs: 900 });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const shown = (await call(url, 'GET', '/v1/models/churn/serving')).body['serving'] as Record<string, unknown>;
    assert.deepStrictEqual([shown['timeoutMs'], shown['deadlineMs']], [300, 900]);
    await serving({});
  });
});
