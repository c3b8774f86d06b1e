import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { twoVersionGateway, type TwoVersionGateway } from './helpers/registry.js';
import { call } from './helpers/server.js';
import { many, predict } from './helpers/predict.js';
import { defaultAnswer, startModelServer, type ModelServer } from './helpers/upstream.js';

describe('audit 3: gateway failure semantics (real upstream model servers on loopback)', { timeout: 120_000 }, () => {
  let server: Server;
  let url: string;
  let v1: ModelServer;
  let v2: ModelServer;
  let g: TwoVersionGateway;
  const serving = (cfg: Record<string, unknown>): Promise<void> => g.serving(cfg);
  const eventsOf = async (version: string) => {
    await server.deps.registry?.recorder.flush();
    return server.deps.store.queryEvents({ model: 'churn', from: 0, to: Date.now() + 1000, version });
  };
  before(async () => {
    g = await twoVersionGateway();
    ({ server, v1, v2 } = g);
    url = server.url;
  });
  after(() => g.close());

  test('audit 3: a failing canary candidate (HTTP 500, then a hang) is answered by the primary, not the fallback chain; its failures count against the candidate', async () => {
    const bad = await startModelServer({ failEvery: 1 });
    const ids = new Set<string>();
    try {
      await call(url, 'PUT', '/v1/models/churn/versions/2.5.0', { upstream: bad.url });
      // a deadline a loaded machine's primary meets (the primary timing out would rightly go to the fallback chain)
      await serving({ timeoutMs: 1000, fallback: [{ static: { prediction: 'no', score: 0.5 } }], policy: { kind: 'canary', candidate: '2.5.0', percent: 50 } });
      server.deps.registry?.stats.reset('churn');
      const answers = await many(60, 8, (i) => predict(url, { x: (i % 5) - 2 }, { id: `canary-500-${i}` }));
      for (let i = 0; i < answers.length; i++) ids.add(`canary-500-${i}`);
      const wrong = answers.filter((a) => a.status !== 200 || a.version !== '1.0.0' || a.fallback !== null);
      assert.deepStrictEqual(wrong.slice(0, 3).map((a) => [a.status, a.version, a.fallback, a.body]), [], `${wrong.length} of 60 not answered by the primary`);
      assert.ok(answers.every((a, i) => a.body.prediction === defaultAnswer({ x: (i % 5) - 2 }).prediction), 'the primary\'s answers');
      const tried = bad.requests;
      assert.ok(tried > 10 && tried < 50, `${tried} of 60 routed to the candidate`);
      // the candidate's failures are its own: live statistics (rollout analysis) and failed events of its version
      assert.equal(server.deps.registry?.stats.arm('churn', '2.5.0').errors, tried);
      const failed = await eventsOf('2.5.0');
      assert.equal(failed.length, tried, 'one failed event of the candidate per failed call');
      assert.ok(failed.every((e) => e.prediction === null && /status: upstream answered HTTP 500/.test(e.error ?? '') && !ids.has(e.id)), JSON.stringify(failed[0]));
      // the requests' own events say the primary answered, with no error
      const stored = await server.deps.store.getEvents([...ids]);
      assert.equal(stored.length, 60);
      assert.deepStrictEqual(stored.filter((e) => e.version !== '1.0.0' || e.error !== null || e.prediction === null).map((e) => [e.id, e.version, e.error]), []);

      // a hanging candidate: the primary answers once the candidate's deadline passed
      bad.behaviour.hang = true;
      const before = bad.requests;
      const slow = await many(20, 8, (i) => predict(url, { x: 1 }, { id: `canary-hang-${i}` }));
      assert.ok(bad.requests > before, 'some requests routed to the hanging candidate');
      assert.deepStrictEqual(slow.filter((a) => a.status !== 200 || a.version !== '1.0.0' || a.fallback !== null).map((a) => [a.status, a.version, a.fallback]), []);
      assert.ok(slow.every((a) => a.ms < 2 * 1000 + 1000), `slowest ${Math.max(...slow.map((a) => a.ms)).toFixed(0)} ms`);
      const timeouts = (await eventsOf('2.5.0')).filter((e) => /timeout/.test(e.error ?? ''));
      assert.equal(timeouts.length, bad.requests - before);
      // the primary's events have its own latency, not the candidate's 1000 ms deadline as well
      const primaryEvents = await server.deps.store.getEvents(slow.map((_a, i) => `canary-hang-${i}`));
      assert.ok(primaryEvents.length === 20 && primaryEvents.every((e) => e.version === '1.0.0' && (e.latencyMs ?? Infinity) < 1000), JSON.stringify(primaryEvents.map((e) => [e.version, e.latencyMs])));
    } finally {
      await serving({});
      await bad.close();
    }
  });

  test('audit 3: a failed upstream answers 502 (error, invalid answer, unreachable) or 504 (timeout); 503 only when nothing could be called (paused)', async () => {
    const crashing = await startModelServer({ failEvery: 1 });
    const odd = await startModelServer({ answer: () => ({ prediction: 'maybe' }) });
    const hung = await startModelServer({ hang: true });
    const gone = await startModelServer();
    await gone.kill();
    type Err = { code: string; message: string; details: { attempts: Array<{ version: string; error: string }> } };
    const fails = async (production: string, cfg: Record<string, unknown> = {}): Promise<[number, string, string]> => {
      await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: production, reason: 'status test' });
      await serving({ timeoutMs: 300, ...cfg });
      const a = await predict(url, { x: 1 });
      const err = a.body.error as Err;
      assert.ok(Array.isArray(err.details.attempts) && err.details.attempts.length > 0, JSON.stringify(a.body));
      return [a.status, err.code, err.message];
    };
    try {
      for (const [v, u] of [['6.0.0', crashing.url], ['6.1.0', odd.url], ['6.2.0', hung.url], ['6.3.0', gone.url]] as const) {
        assert.equal((await call(url, 'PUT', `/v1/models/churn/versions/${v}`, { upstream: u })).status, 201);
      }
      const crashed = await fails('6.0.0');
      assert.deepStrictEqual(crashed.slice(0, 2), [502, 'upstream_error'], crashed[2]);
      assert.match(crashed[2], /6\.0\.0: status: upstream answered HTTP 500/);
      assert.deepStrictEqual((await fails('6.1.0')).slice(0, 2), [502, 'upstream_error']);
      assert.deepStrictEqual((await fails('6.3.0')).slice(0, 2), [502, 'upstream_error']);
      const timedOut = await fails('6.2.0');
      assert.deepStrictEqual(timedOut.slice(0, 2), [504, 'upstream_timeout'], timedOut[2]);
      // several attempts: the last upstream called decides
      assert.deepStrictEqual((await fails('6.2.0', { fallback: [{ version: '6.0.0' }] })).slice(0, 2), [502, 'upstream_error']);
      assert.deepStrictEqual((await fails('6.0.0', { fallback: [{ version: '6.2.0' }] })).slice(0, 2), [504, 'upstream_timeout']);
      // a paused fallback after a timeout: the timeout is what failed
      await call(url, 'POST', '/v1/models/churn/versions/6.0.0/pause', { reason: 'status test' });
      assert.deepStrictEqual((await fails('6.2.0', { fallback: [{ version: '6.0.0' }] })).slice(0, 2), [504, 'upstream_timeout']);
      // nothing called: a paused version, a paused model
      const paused = await fails('6.0.0');
      assert.deepStrictEqual(paused.slice(0, 2), [503, 'unavailable'], paused[2]);
      await call(url, 'POST', '/v1/models/churn/versions/6.0.0/resume', {});
      await call(url, 'POST', '/v1/models/churn/pause', { reason: 'status test' });
      assert.deepStrictEqual((await fails('1.0.0')).slice(0, 2), [503, 'unavailable']);
      await call(url, 'POST', '/v1/models/churn/resume', {});
    } finally {
      await call(url, 'POST', '/v1/models/churn/resume', {});
      await call(url, 'POST', '/v1/models/churn/versions/6.0.0/resume', {});
      await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '1.0.0', reason: 'back' });
      await serving({});
      for (const s of [crashing, odd, hung, gone]) await s.close();
    }
  });

  test('audit 3: upstreams get the prediction id (x-lookout-prediction-id) and a request id (the incoming x-request-id, else the prediction id), fallback and shadow calls too', async () => {
    const seen: Array<{ server: string; path: string; pid: unknown; rid: unknown }> = [];
    const log = (server: string) => (path: string, h: Record<string, unknown>) => seen.push({ server, path, pid: h['x-lookout-prediction-id'], rid: h['x-request-id'] });
    v1.behaviour.onRequest = log('v1');
    v2.behaviour.onRequest = log('v2');
    const down = await startModelServer({ failEvery: 1, onRequest: log('down') });
    try {
      const a = await predict(url, { x: 1 }, { id: 'rid-1' });
      assert.equal(a.status, 200);
      assert.deepStrictEqual(seen.splice(0), [{ server: 'v1', path: '/predict', pid: 'rid-1', rid: 'rid-1' }]);
      const b = await predict(url, { x: 1 }, {}, { 'x-request-id': 'trace-abc' });
      assert.ok(b.id !== null && b.id !== 'trace-abc');
      assert.deepStrictEqual(seen.splice(0), [{ server: 'v1', path: '/predict', pid: b.id, rid: 'trace-abc' }]);
      // a primary that fails, then its fallback version: both calls carry the ids
      await call(url, 'PUT', '/v1/models/churn/versions/7.0.0', { upstream: down.url });
      await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '7.0.0', reason: 'ids test' });
      await serving({ fallback: [{ version: '1.0.0' }] });
      const c = await predict(url, { x: 1 }, { id: 'rid-2' }, { 'x-request-id': 'trace-def' });
      assert.deepStrictEqual([c.status, c.version], [200, '1.0.0']);
      assert.deepStrictEqual(seen.splice(0), [{ server: 'down', path: '/predict', pid: 'rid-2', rid: 'trace-def' }, { server: 'v1', path: '/predict', pid: 'rid-2', rid: 'trace-def' }]);
      // nothing answers: the error names the prediction id the model server saw
      await serving({});
      const e = await predict(url, { x: 1 });
      assert.equal(e.status, 502);
      const [failed] = seen.splice(0);
      assert.deepStrictEqual([failed?.server, (e.body.error as { details: { id: string } }).details.id], ['down', failed?.pid]);
      assert.equal(failed?.rid, failed?.pid);
      // a shadow's mirrored call
      await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '1.0.0', reason: 'back' });
      await serving({ policy: { kind: 'shadow', candidate: '2.0.0' } });
      const d = await predict(url, { x: 1 }, { id: 'rid-3' });
      assert.equal(d.status, 200);
      for (const deadline = Date.now() + 5000; seen.length < 2 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 20));
      // the shadow is sent its own event's id (audit 6: it was sent rid-3, the primary's event's id, while its event had another)
      const [p, sh] = seen.splice(0).sort((x, y) => x.server.localeCompare(y.server));
      assert.deepStrictEqual(p, { server: 'v1', path: '/predict', pid: 'rid-3', rid: 'rid-3' });
      assert.deepStrictEqual([sh?.server, sh?.path, sh?.rid], ['v2', '/predict', 'rid-3']);
      // (recorded once its answer is in: the model server logs the call before answering)
      let recorded = false;
      for (const deadline = Date.now() + 5000; !recorded && Date.now() < deadline;) recorded = (await eventsOf('2.0.0')).some((ev) => ev.id === sh?.pid);
      assert.ok(recorded, `the shadow's event has the id ${String(sh?.pid)} it was sent`);
    } finally {
      delete v1.behaviour.onRequest;
      delete v2.behaviour.onRequest;
      await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '1.0.0', reason: 'back' });
      await serving({});
      await down.close();
    }
  });

  test('audit 3: a sticky key outside Latin-1 lands on the same version whether sent in the body, the x-lookout-route-key header (percent-encoded UTF-8, or raw UTF-8 bytes) or the feature', async () => {
    await serving({ policy: { kind: 'canary', candidate: '2.0.0', percent: 50, stickyKey: 'user' } });
    try {
      const keys = Array.from({ length: 40 }, (_, i) => [`Zoë-${i}`, `東京-${i}`, `user-${i}-👍`, `Łódź ${i}`][i % 4] as string);
      keys.push('café', 'naïve 100%', 'a+b c');
      const version = async (features: Record<string, unknown>, extra: Record<string, unknown>, headers: Record<string, string> = {}): Promise<string> => {
        const a = await predict(url, features, extra, headers);
        assert.equal(a.status, 200, JSON.stringify(a.body));
        return a.version as string;
      };
      const rows = await Promise.all(keys.map(async (k) => [
        k,
        await version({ x: 1 }, { key: k }),
        await version({ x: 1, user: k }, {}),
        await version({ x: 1 }, {}, { 'x-lookout-route-key': encodeURIComponent(k) }),
        // raw UTF-8 bytes (as curl sends them); a '%' is still an escape
        await version({ x: 1 }, {}, { 'x-lookout-route-key': Buffer.from(k.replaceAll('%', '%25'), 'utf8').toString('latin1') }),
      ]));
      assert.deepStrictEqual(rows.filter((r) => new Set(r.slice(1)).size !== 1), [], 'key: body, feature, header percent-encoded, header raw UTF-8');
      assert.ok(rows.some((r) => r[1] === '2.0.0') && rows.some((r) => r[1] === '1.0.0'));
      // Latin-1 text sent as such (one byte a character) still works
      assert.equal(await version({ x: 1 }, {}, { 'x-lookout-route-key': 'café' }), rows.find((r) => r[0] === 'café')?.[1]);
      // a header that is not percent-encoding is refused, naming the header
      const bad = await predict(url, { x: 1 }, {}, { 'x-lookout-route-key': '100%zz' });
      assert.equal(bad.status, 400, JSON.stringify(bad.body));
      assert.match((bad.body.error as { message: string }).message, /x-lookout-route-key.*percent-encoded/);
    } finally {
      await serving({});
    }
  });
});
