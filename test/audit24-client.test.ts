import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LookoutClient } from '../src/client/index.js';
import type { LookoutClientError } from '../src/client/types.js';
import type { Server } from '../src/server.js';
import { call, poster, testServer } from './helpers/server.js';

const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };
const HOUR = 3_600_000;

describe('audit 24 (client): docs/client.md and docs/events.md walked against a real server (DuckDB file)', () => {
  let s: Server;
  const post = poster(() => s.url);

  before(async () => {
    s = await testServer();
    await post('/v1/models', { name: 'bin', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
    await post('/v1/models/bin/versions', { version: '1' });
  });
  after(() => s.close());

  test('a url that is not a URL (an unset environment variable: undefined, "") says what the client wants (was: "Invalid URL")', () => {
    for (const url of [undefined, '', 'lookout', 'http://']) {
      assert.throws(() => new LookoutClient({ url: url as unknown as string }), (err: Error) => {
        assert.equal(err.name, 'TypeError');
        assert.match(err.message, /url must be the Lookout server's base URL \(e\.g\. http:\/\/lookout:8080\)/, err.message);
        assert.ok(err.message.includes(url === undefined ? 'got undefined' : `got "${url}"`), err.message);
        return true;
      });
    }
  });

  test('log() of an event whose id is not a string of 1 to 128 characters: refused at once, saying so, and "" returned (was: the id lost, "" returned, the row sent and rejected invalid_id)', async () => {
    const errors: LookoutClientError[] = [];
    const c = new LookoutClient({ url: s.url, onError: (e) => errors.push(e) });
    const ev = { model: 'bin', version: '1', features: { x: 1 }, prediction: '1', score: 0.9 };
    const ids = [c.log({ ...ev, id: 12345 as unknown as string }), c.log({ ...ev, id: '' }), c.log({ ...ev, id: 'x'.repeat(129) })];
    assert.deepEqual(ids, ['', '', '']);
    // refused synchronously, before any request
    assert.deepEqual(errors.map((e) => [e.kind, e.endpoint, e.count]), [['invalid', 'events', 1], ['invalid', 'events', 1], ['invalid', 'events', 1]]);
    assert.match(errors[0]?.message ?? '', /id must be a string of 1 to 128 characters \(got the number 12345: send String\(id\), "12345"\)/);
    assert.match(errors[1]?.message ?? '', /id must be a string of 1 to 128 characters \(got ""\)/);
    assert.match(errors[2]?.message ?? '', /id must be a string of 1 to 128 characters \(got 129 characters\)/);
    const good = c.log({ ...ev, id: 'audit24-good' });
    assert.equal(good, 'audit24-good');
    await c.close();
    assert.deepEqual(c.stats().events, { queued: 0, inFlight: 0, sent: 1, rejected: 3, dropped: 0, failed: 0, retries: 0 });
    assert.equal(errors.length, 3, errors.map((e) => e.message).join('\n'));
    const q = (await call(s.url, 'GET', '/v1/models/bin/quality')).body;
    assert.equal(q['rejected'], 0, 'nothing refused locally reached the server');
  });

  test('the server\'s invalid_id for a number says to send it as text', async () => {
    const r = await post('/v1/events', [{ id: 42, model: 'bin', version: '1', features: { x: 1 }, prediction: '1' }]);
    const row = (r['results'] as Array<Record<string, unknown>>)[0] ?? {};
    assert.equal(row['code'], 'invalid_id');
    assert.match(String(row['message']), /\(got the number 42: send it as a string, "42"\)/);
  });

  test('invalid_score says what was sent (was: the bounds alone)', async () => {
    const r = await post('/v1/events', [
      { model: 'bin', version: '1', features: { x: 1 }, prediction: '1', score: 87 },
      { model: 'bin', version: '1', features: { x: 1 }, prediction: '1', scores: [0.2, '0.8'] },
    ]);
    const rows = r['results'] as Array<Record<string, unknown>>;
    assert.deepEqual(rows.map((x) => x['code']), ['invalid_score', 'invalid_score']);
    assert.match(String(rows[0]?.['message']), /^score must be a number in \[0, 1\] \(got 87\)$/);
    assert.match(String(rows[1]?.['message']), /numbers in \[0, 1\] \(got \[0\.2,"0\.8"\]\)$/);
  });

  test('a timestamp past the 24 h bound: the message says how far ahead it is of the server\'s clock and what to check (was: "timestamp is too far in the future")', async () => {
    const now = Date.now();
    const ahead = new Date(now + 3 * 24 * HOUR).toISOString();
    const r = await post('/v1/events', [{ model: 'bin', version: '1', features: { x: 1 }, prediction: '1', timestamp: ahead }]);
    const row = (r['results'] as Array<Record<string, unknown>>)[0] ?? {};
    assert.equal(row['code'], 'invalid_timestamp');
    const message = String(row['message']);
    assert.ok(message.includes(`timestamp ${ahead} is 72.0 h ahead of the server's clock`), message);
    assert.match(message, /at most 24 h ahead is accepted: check the sender's clock, and that a local time is not sent as UTC \("Z"\)/);
    const details = row['details'] as Record<string, unknown>;
    assert.equal(details['maxFutureMs'], 24 * HOUR);
    assert.equal(typeof details['serverTime'], 'string');
    assert.ok(Math.abs(Date.parse(String(details['serverTime'])) - now) < 60_000);
  });

  test('a prediction outside the declared classes: the message names them, as a label\'s does (was: only in details, which onError does not show)', async () => {
    const errors: LookoutClientError[] = [];
    const c = new LookoutClient({ url: s.url, onError: (e) => errors.push(e) });
    c.log({ model: 'bin', version: '1', features: { x: 1 }, prediction: 'yes', score: 0.9 });
    await c.close();
    assert.equal(errors.length, 1);
    assert.match(errors[0]?.message ?? '', /invalid_prediction: prediction "yes" is not one of the model's classes: 0, 1/);
  });

  test('close({ timeoutMs }) after a close() without a deadline: the later deadline applies (was: ignored, close waited the retry budget of a server that is down)', { timeout: 10_000 }, async () => {
    const down = await testServer();
    const url = down.url;
    await down.close(); // a real server, stopped: connection refused
    const errors: LookoutClientError[] = [];
    const c = new LookoutClient({ url, maxRetries: 50, backoff: { initialMs: 2000, maxMs: 30_000 }, onError: (e) => errors.push(e) });
    const id = c.log({ model: 'bin', version: '1', features: { x: 1 }, prediction: '1' });
    c.label(id, '1');
    const t0 = Date.now();
    const first = c.close(); // e.g. on the app's shutdown hook
    await new Promise((r) => setTimeout(r, 100));
    const second = c.close({ timeoutMs: 300 }); // the SIGTERM handler's deadline
    await Promise.all([first, second]);
    const ms = Date.now() - t0;
    assert.ok(ms < 3000, `close({ timeoutMs: 300 }) after close() took ${ms} ms`);
    const st = c.stats();
    assert.deepEqual([st.queued, st.inFlight, st.sent, st.failed], [0, 0, 0, 2]);
    assert.ok(errors.some((e) => e.kind === 'failed' && /the close\(\) deadline passed/.test(e.message)), errors.map((e) => e.message).join('\n'));
  });
  test('a batch given up without any answer, and rows dropped off a full queue: the messages say what to check (was: only the socket error, only the bounds)', async () => {
    const down = await testServer();
    const url = down.url;
    await down.close(); // a real server, stopped: connection refused
    const errors: LookoutClientError[] = [];
    const c = new LookoutClient({ url, maxQueue: 2, maxRetries: 1, backoff: { initialMs: 10, maxMs: 20 }, onError: (e) => errors.push(e) });
    for (let i = 0; i < 5; i++) c.log({ model: 'bin', version: '1', features: { x: i }, prediction: '1' });
    await c.close();
    const failed = errors.find((e) => e.kind === 'failed');
    assert.ok(failed, errors.map((e) => e.message).join('\n'));
    assert.match(failed.message, /gave up after 2 attempts\): TypeError: fetch failed \(connect ECONNREFUSED [^)]*\)/);
    assert.ok(failed.message.includes(`; no answer from ${url}/v1/events: check that the Lookout server is running and reachable there (url option), and raise timeoutMs if it is only slow`), failed.message);
    const dropped = errors.find((e) => e.kind === 'dropped');
    assert.equal(dropped?.count, 3);
    assert.match(dropped?.message ?? '', /oldest dropped first\): rows are logged faster than the server takes them \(see stats\(\)\.retries and the failed reports: is it down or slow\?\); raise maxQueue or maxQueueBytes to hold a longer outage/);
  });
});
