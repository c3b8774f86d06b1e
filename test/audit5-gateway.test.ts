import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { declareChurn, twoVersionGateway, type TwoVersionGateway } from './helpers/registry.js';
import { call, testServer } from './helpers/server.js';
import { many, predict } from './helpers/predict.js';
import { startModelServer } from './helpers/upstream.js';

/** A model server answering every request with `status` and `body` (what startModelServer's failEvery cannot vary). */
async function answering(status: number, body: string): Promise<{ url: string; requests: number; close(): Promise<void> }> {
  const state = { url: '', requests: 0, close: async () => undefined as void };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      state.requests++;
      res.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/predict`;
  state.close = () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); });
  return state;
}

describe('audit 5: gateway (real upstream model servers on loopback)', { timeout: 120_000 }, () => {
  let server: Server;
  let url: string;
  let g: TwoVersionGateway;
  const eventsById = async (ids: string[]) => {
    await server.deps.registry?.recorder.flush();
    return new Map((await server.deps.store.getEvents(ids)).map((e) => [e.id, e]));
  };
  before(async () => {
    g = await twoVersionGateway();
    ({ server } = g);
    url = server.url;
  });
  after(() => g.close());

  test('audit 5: a failed canary call is recorded under the prediction id its model server was sent; the answer\'s id names the served answer, and its label lands there', async () => {
    const seen: Array<{ server: string; pid: unknown; rid: unknown }> = [];
    const bad = await startModelServer({ failEvery: 1, onRequest: (_p, h) => seen.push({ server: 'canary', pid: h['x-lookout-prediction-id'], rid: h['x-request-id'] }) });
    g.v1.behaviour.onRequest = (_p, h) => seen.push({ server: 'primary', pid: h['x-lookout-prediction-id'], rid: h['x-request-id'] });
    try {
      assert.equal((await call(url, 'PUT', '/v1/models/churn/versions/2.5.0', { upstream: bad.url })).status, 201);
      await g.serving({ timeoutMs: 1000, policy: { kind: 'canary', candidate: '2.5.0', percent: 100 } });
      // a generated prediction id
      const a = await predict(url, { x: 2 });
      assert.deepStrictEqual([a.status, a.version, a.body.id], [200, '1.0.0', a.id], JSON.stringify(a.body));
      const [toCanary, toPrimary] = seen.splice(0);
      assert.equal(toCanary?.server, 'canary');
      assert.equal(toPrimary?.server, 'primary');
      assert.equal(toPrimary?.pid, a.id, 'the primary, which answered, was sent the answer\'s id');
      assert.equal(toPrimary?.rid, a.id);
      assert.notEqual(toCanary?.pid, a.id, 'the failed canary call has an id of its own');
      assert.equal(toCanary?.rid, toCanary?.pid);
      const stored = await eventsById([String(toCanary?.pid), String(a.id)]);
      const failed = stored.get(String(toCanary?.pid));
      assert.deepStrictEqual([failed?.version, failed?.prediction], ['2.5.0', null], 'the canary\'s log line joins its failed event');
      assert.match(failed?.error ?? '', /HTTP 500/);
      const answered = stored.get(String(a.id));
      assert.deepStrictEqual([answered?.version, answered?.prediction, answered?.error], ['1.0.0', 'yes', null], 'the answer\'s id names the served answer');
      const l = await call(url, 'POST', '/v1/labels', [{ id: a.id, label: 'no' }]);
      assert.equal(l.status, 200, JSON.stringify(l.body));
      const labelled = await server.deps.store.labelledEvents({ model: 'churn', from: 0, to: Date.now() + 60_000 });
      assert.deepStrictEqual(labelled.filter((e) => e.event.id === a.id).map((e) => [e.event.version, e.event.prediction, e.label]), [['1.0.0', 'yes', 'no']]);

      // the caller's x-request-id is passed on to both calls
      const b = await predict(url, { x: 2 }, {}, { 'x-request-id': 'trace-5' });
      const [c2, p2] = seen.splice(0);
      assert.deepStrictEqual([c2?.rid, p2?.rid, p2?.pid], ['trace-5', 'trace-5', b.id]);
      assert.equal((await eventsById([String(c2?.pid)])).get(String(c2?.pid))?.version, '2.5.0');

      // the request's own id stays the served answer's; the canary's failure is an event of its own (a retry with the
      // id must not collide with it)
      const c = await predict(url, { x: 2 }, { id: 'audit5-own-id' });
      assert.deepStrictEqual([c.status, c.version, c.id], [200, '1.0.0', 'audit5-own-id']);
      assert.deepStrictEqual(seen.splice(0).map((x) => [x.server, x.pid]), [['canary', 'audit5-own-id'], ['primary', 'audit5-own-id']]);
      assert.equal((await eventsById(['audit5-own-id'])).get('audit5-own-id')?.version, '1.0.0');

      // nothing answers: the failed request's event has the id its model servers were sent (details.id)
      await g.serving({ timeoutMs: 1000 });
      await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '2.5.0', reason: 'ids test' });
      const d = await predict(url, { x: 2 });
      assert.equal(d.status, 502);
      const detailsId = (d.body['error'] as { details: { id: string } }).details.id;
      assert.deepStrictEqual(seen.splice(0).map((x) => x.pid), [detailsId]);
      const dEvent = (await eventsById([detailsId])).get(detailsId);
      assert.deepStrictEqual([dEvent?.version, dEvent?.prediction], ['2.5.0', null], 'the failed request\'s event joins the model server\'s log');
    } finally {
      delete g.v1.behaviour.onRequest;
      await call(url, 'PUT', '/v1/models/churn/aliases/production', { version: '1.0.0', reason: 'back' });
      await g.serving({});
      await bad.close();
    }
  });

  test('audit 5: a prediction id a header cannot carry (non-Latin-1 text, a line break) is answered, percent-encoded in the headers and stored as sent', async () => {
    const seen: unknown[] = [];
    g.v1.behaviour.onRequest = (_p, h) => seen.push(h['x-lookout-prediction-id']);
    try {
      for (const id of ['予測-1', 'réq-ü', 'a\nb']) {
        const a = await predict(url, { x: 1 }, { id });
        assert.deepStrictEqual([a.status, a.version, a.body.id], [200, '1.0.0', id], JSON.stringify(a.body));
        assert.equal(a.id, encodeURIComponent(id), 'the answer\'s header');
        assert.deepStrictEqual(seen.splice(0), [encodeURIComponent(id)], 'the upstream\'s header');
        assert.equal((await eventsById([id])).get(id)?.prediction, 'yes', 'stored under the id as sent');
      }
      // printable ASCII is sent as it is
      const b = await predict(url, { x: 1 }, { id: 'order 17/%20:a' });
      assert.equal(b.id, 'order 17/%20:a');
      assert.deepStrictEqual(seen.splice(0), ['order 17/%20:a']);
    } finally {
      delete g.v1.behaviour.onRequest;
    }
  });

  test('audit 5: a 400 validation_failed names the offending field of features (a missing or unknown one too) and the schema rule it broke', async () => {
    type D = { code: string; message: string; details: { errors: Array<{ path: string; schemaPath: string; message: string }> } };
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ x: 'a' }, '/x', '#/properties/x/type'],
      [{}, '/x', '#/required'],
      [{ x: 1, z: 2 }, '/z', '#/additionalProperties'],
    ];
    for (const [features, path, schemaPath] of cases) {
      const r = await predict(url, features);
      const err = r.body['error'] as D;
      assert.deepStrictEqual([r.status, err.code], [400, 'validation_failed']);
      assert.deepStrictEqual(err.details.errors.map((d) => [d.path, d.schemaPath]), [[path, schemaPath]], JSON.stringify(err));
      assert.ok(err.message.includes(path), err.message);
    }
  });
});

const pgUrl = process.env['LOOKOUT_TEST_PG_URL'];
const nulSchema = `lookout_a5gw_${process.pid}_${Date.now()}`;
after(async () => {
  if (!pgUrl) return;
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${nulSchema}" CASCADE`);
  await client.end();
});

for (const b of [{ name: 'DuckDB file', skip: false as const }, { name: 'PostgreSQL', skip: pgUrl ? false as const : 'LOOKOUT_TEST_PG_URL not set', storage: `${pgUrl ?? ''}?schema=${nulSchema}` }]) {
  describe(`audit 5: U+0000 through the gateway on the ${b.name} store`, { skip: b.skip, timeout: 60_000 }, () => {
    test('audit 5: an id or a segment value with U+0000 is a 400 before any upstream call, and an upstream error text with U+0000 does not lose the batch of events recorded with it', async () => {
      const s = await testServer({ configure: (c) => { c.registry = { tickMs: 0, refreshMs: 0 }; if ('storage' in b) c.storage = b.storage; } });
      const ok = await startModelServer();
      try {
        await declareChurn(s.url, [{ version: '1.0.0', upstream: ok.url }], '1.0.0');
        const before = ok.requests;
        for (const extra of [{ id: 'n\u0000id' }, { segment: { region: 'e\u0000u' } }]) {
          const r = await predict(s.url, { x: 1 }, extra);
          assert.equal(r.status, 400, JSON.stringify(r.body));
          assert.equal((r.body['error'] as { code: string }).code, 'bad_request');
        }
        assert.equal(ok.requests, before, 'refused before any upstream call');
        // a crashing upstream whose error body has a NUL: its failed event is recorded with the others of the batch
        const server500 = await answering(500, '{"error":"bad\u0000byte"}');
        try {
          await call(s.url, 'PUT', '/v1/models/churn/versions/3.0.0', { upstream: server500.url });
          await call(s.url, 'PUT', '/v1/models/churn/serving', { policy: { kind: 'canary', candidate: '3.0.0', percent: 50 } });
          const answers = await many(40, 4, (i) => predict(s.url, { x: 1 }, { id: `nul-batch-${i}` }));
          assert.ok(answers.every((a) => a.status === 200), JSON.stringify(answers.find((a) => a.status !== 200)?.body));
          assert.ok(server500.requests > 0);
          await s.deps.registry?.recorder.flush();
          const stored = await s.deps.store.getEvents(answers.map((_a, i) => `nul-batch-${i}`));
          assert.equal(stored.length, 40, 'the answers\' events are stored');
          const failed = await s.deps.store.queryEvents({ model: 'churn', from: 0, to: Date.now() + 1000, version: '3.0.0' });
          assert.equal(failed.length, server500.requests, 'the candidate\'s failed events are stored');
          assert.ok(failed.every((e) => e.error !== null && !e.error.includes('\u0000')), JSON.stringify(failed[0]?.error));
          assert.equal(s.deps.registry?.recorder.failed, 0);
        } finally {
          await server500.close();
        }
        // a model without declared classes: an answered label with U+0000 (or over 1024 characters, as POST /v1/events
        // refuses them) is an invalid answer, not a prediction that fails its batch
        const free = await answering(200, '{"prediction":"a\\u0000b"}');
        try {
          assert.equal((await call(s.url, 'POST', '/v1/models', { name: 'free', outputKind: 'binary', inputSchema: { type: 'object' } })).status, 201);
          const v = await call(s.url, 'PUT', '/v1/models/free/versions/1.0.0', { upstream: free.url });
          assert.equal(v.status, 201, JSON.stringify(v.body));
          assert.equal((await call(s.url, 'PUT', '/v1/models/free/aliases/production', { version: '1.0.0', reason: 'nul' })).status, 200);
          const r = await call(s.url, 'POST', '/v1/models/free/predict', { features: {}, id: 'free-1' });
          assert.equal(r.status, 502, JSON.stringify(r.body));
          assert.match(JSON.stringify(r.body), /invalid_response/);
          await s.deps.registry?.recorder.flush();
          assert.equal(s.deps.registry?.recorder.failed, 0);
          const [e] = await s.deps.store.queryEvents({ model: 'free', from: 0, to: Date.now() + 1000 });
          assert.deepStrictEqual([e?.version, e?.prediction], ['1.0.0', null]);
        } finally {
          await free.close();
        }
      } finally {
        await s.close();
        await ok.close();
      }
    });
  });
}
