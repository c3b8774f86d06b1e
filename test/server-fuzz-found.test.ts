import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { agent, deep, JSON_CT, send, sendRaw, text, type Answer, type RowResult } from './helpers/raw-http.js';
import { testServer } from './helpers/server.js';

type Row = Record<string, unknown>;

/*
 * Inputs the fuzzer found that break the server. They are kept out of the run above (its assertions must stay
 * deterministic) and checked here, one by one.
 */
describe('POST /v1/events: inputs found by fuzzing', () => {
  let s: Server;
  let base = '';
  const post = (path: string, body: string): Promise<Answer> => send(base, { kind: 'known', method: 'POST', path, headers: JSON_CT, body: text(body) });
  const ev = (id: string, features = ''): string => JSON.stringify({ id, model: 'kb', version: '1', features: { x: 1 }, prediction: '1' }).replace('"features":{"x":1', `"features":{"x":1${features}`);
  const deepArr = deep(10_000);

  before(async () => {
    s = await testServer({ configure: (c) => (c.ingest.sampleRate = 1) });
    base = s.url;
    const m = await post('/v1/models', JSON.stringify({ name: 'kb', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' }, free: {} } } }));
    assert.equal(m.status, 201, m.text);
    const v = await post('/v1/models/kb/versions', JSON.stringify({ version: '1' }));
    assert.equal(v.status, 201, v.text);
  });
  after(async () => {
    agent.destroy();
    await s.close();
  });

  test('a version nested 10,000 levels deep is a rejected row, not a 500 (fixed in validate-event.ts)', async () => {
    const a = await post('/v1/events', `{"events":[${ev('kb-v').replace('"version":"1"', `"version":${deepArr}`)}]}`);
    assert.equal(a.status, 200, a.text);
    assert.equal((JSON.parse(a.text) as { results: RowResult[] }).results[0]?.code, 'unknown_version');
  });

  test('ids that differ only in unpaired surrogates are refused, not a 503 (fixed in validate-event.ts)', async () => {
    // Both would be stored as "\ufffd": the batch used to fail on the primary key, and poison its group commit.
    const a = await post('/v1/events', `{"events":[${ev('\ud800')},${ev('\udbff')},${ev('kb-s\udc00')},${ev('kb-ok-\u{1F600}')}]}`);
    assert.equal(a.status, 200, a.text);
    assert.deepEqual((JSON.parse(a.text) as { results: RowResult[] }).results.map((x) => x.code ?? x.status), ['invalid_id', 'invalid_id', 'invalid_id', 'accepted']);
    assert.equal((await s.deps.store.getEvents(['kb-ok-\u{1F600}'])).length, 1);
  });

  test('issue 3: a value nested 10,000 levels deep in an untyped feature is a rejected row, not a 503', async () => {
    const a = await post('/v1/events', `{"events":[${ev('kb-deep-1', `,"free":${deepArr}`)},${ev('kb-deep-ok', `,"free":${deep(199)}`)}]}`);
    assert.equal(a.status, 200, a.text);
    assert.deepEqual((JSON.parse(a.text) as { results: RowResult[] }).results.map((x) => x.code ?? x.status), ['invalid_features', 'accepted']);
    assert.equal((await s.deps.store.getEvents(['kb-deep-1', 'kb-deep-ok'])).length, 1);
  });

  test('issue 3: a value nested 10,000 levels deep in an undeclared feature (raw features sampled) is a rejected row, not a 503', async () => {
    const a = await post('/v1/events', `{"events":[${ev('kb-deep-2', `,"other":${deep(10_000, true)}`)},${ev('kb-deep-3')}]}`);
    assert.equal(a.status, 200, a.text);
    assert.deepEqual((JSON.parse(a.text) as { results: RowResult[] }).results.map((x) => x.code ?? x.status), ['invalid_features', 'accepted']);
    const [stored] = await s.deps.store.getEvents(['kb-deep-3']);
    assert.deepEqual(stored?.features, { x: 1 }, 'sampled (sampleRate 1)');
  });

  test('issue 3: the same new id in two requests of one group commit fails neither them nor an unrelated request', async () => {
    const row = (id: string): Parameters<Server['deps']['pipeline']['submit']>[0][number] => ({
      id, model: 'kb', version: '1', ts: Date.now(), features: { x: 1 }, prediction: '1', score: null, scores: null, latencyMs: null, error: null, segment: {}, costUsd: null,
    });
    const before = await s.deps.store.countEvents('kb');
    // Submitted in one tick: the committer takes all three in one transaction (deterministic).
    const settled = await Promise.allSettled([s.deps.pipeline.submit([row('kb-same')], []), s.deps.pipeline.submit([row('kb-same')], []), s.deps.pipeline.submit([row('kb-innocent')], [])]);
    assert.deepEqual(settled.map((x) => x.status), ['fulfilled', 'fulfilled', 'fulfilled'], 'an unrelated request is not failed by another one');
    const dup = settled.map((x) => (x.status === 'fulfilled' ? [...x.value] : null));
    assert.deepEqual(dup, [[], ['kb-same'], []], 'the second copy is reported as a duplicate, not an error');
    assert.equal(await s.deps.store.countEvents('kb'), before + 2);
  });

  test('issue 3: malformed HTTP is answered with the catalog error body', async () => {
    for (const [raw, status, code] of [
      ['POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}', 400, 'bad_request'],
      ['GARBAGE\r\n\r\n', 400, 'bad_request'],
      [`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'h'.repeat(20_000)}\r\n\r\n`, 431, 'headers_too_large'],
    ] as const) {
      const a = await sendRaw(base, raw);
      assert.equal(a.status, status, a.text);
      const err = (JSON.parse(a.text) as { error?: { code?: unknown; message?: unknown } }).error;
      assert.equal(err?.code, code, a.text);
      assert.equal(typeof err?.message, 'string', a.text);
    }
    assert.equal((await send(base, { kind: 'after', method: 'GET', path: '/healthz', headers: {} })).status, 200, 'the server still answers');
  });

  test('issue 3: unknown properties of a model or version declaration are refused, not dropped', async () => {
    const a = await post('/v1/models', JSON.stringify({ name: 'kb2', outputKind: 'binary', inputSchema: {}, bogus: 1 }));
    assert.equal(a.status, 400, a.text);
    assert.equal((JSON.parse(a.text) as { error: { code: string } }).error.code, 'validation_failed');
    assert.equal((await post('/v1/models/kb/versions', JSON.stringify({ version: '9', reference: { from: 0, to: 1, extra: true } }))).status, 400);
    assert.equal(s.deps.catalog.model('kb2'), undefined);
    assert.equal(s.deps.catalog.version('kb', '9'), undefined);
  });

  test('issue 3: timestamps must be RFC 3339 date-times with a zone or epoch ms, not before 1970', async () => {
    const at = (id: string, timestamp: unknown): Row => ({ ...(JSON.parse(ev(id)) as Row), timestamp });
    const ok = new Date(Date.now() - 60_000).toISOString();
    const a = await post('/v1/events', JSON.stringify({ events: [at('kb-old', '1900-01-01T00:00:00Z'), at('kb-one', '1'), at('kb-date', '2026-01-01'), at('kb-local', ok.replace('Z', '')), at('kb-iso', ok), at('kb-off', ok.replace('Z', '+00:00')), at('kb-ms', Date.parse(ok))] }));
    assert.equal(a.status, 200, a.text);
    assert.deepEqual((JSON.parse(a.text) as { results: RowResult[] }).results.map((x) => x.code ?? x.status), ['invalid_timestamp', 'invalid_timestamp', 'invalid_timestamp', 'invalid_timestamp', 'accepted', 'accepted', 'accepted']);
  });
});
