import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from '../src/server.js';
import { tempDir } from './helpers/cli.js';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { call, testServer } from './helpers/server.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 11, 5, 12, 0, 0);

interface Row { status: string; code?: string; message?: string }

/**
 * Input schemas' regular expressions run on text any client with an ingest key sends. With JavaScript's backtracking
 * RegExp, a pattern such as "^(a+)+$" took 3.4 s for a 25-character value and twice as long per character more: one
 * event held the whole server (every request, the gateway) for as long. A real server process: before the fix, the
 * request below never ended, and the test process would have blocked with an in-process server.
 */
describe('input schemas\' regular expressions cannot hold the server (real server process)', () => {
  let s: RunningServer;
  before(async () => {
    s = await spawnServe(['--data-dir', tempDir('lookout-limits-')]);
  });
  after(async () => {
    await s.stop('SIGKILL');
  });

  const declare = (name: string, properties: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<{ status: number; body: Record<string, unknown> }> =>
    call(s.url, 'POST', '/v1/models', { name, outputKind: 'regression', inputSchema: { type: 'object', properties, ...extra } });

  test('a backtracking pattern checks a crafted value at once, and /healthz answers meanwhile', async () => {
    assert.equal((await declare('redos', { code: { type: 'string', pattern: '^(a+)+$' }, other: { type: 'string', pattern: '^[A-Z]{2}\\d{4}$' } })).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/models/redos/versions', { version: '1' })).status, 201);
    const event = (code: string, other = 'AB1234'): Record<string, unknown> => ({ model: 'redos', version: '1', features: { code, other }, prediction: 1 });
    const sent = fetch(`${s.url}/v1/events`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(20_000),
      body: JSON.stringify({ events: [event(`${'a'.repeat(5000)}!`), event('aaaa'), event('aaaa', 'ab12'), event('aaaa', 'AB12345')] }),
    });
    const health = await fetch(`${s.url}/healthz`, { signal: AbortSignal.timeout(20_000) });
    assert.equal(health.status, 200);
    const res = await sent;
    const body = await res.json() as { results: Row[] };
    assert.equal(res.status, 200, JSON.stringify(body));
    // The patterns still mean what they say: the crafted value and the two malformed codes refused, the good row kept.
    assert.deepEqual(body.results.map((r) => r.code ?? r.status), ['schema_violation', 'accepted', 'schema_violation', 'schema_violation']);
    assert.match(body.results[0]?.message ?? '', /\/code must match pattern/);
  });

  test('a pattern the linear engine cannot run (lookaround, backreference), or the "url" format, is refused naming it', async () => {
    const look = await declare('look', { pin: { type: 'string', pattern: '^(?=.*\\d).{4,}$' } });
    assert.equal(look.status, 400, JSON.stringify(look.body));
    const error = look.body['error'] as { code: string; message: string };
    assert.equal(error.code, 'validation_failed');
    assert.match(error.message, /properties\.pin\.pattern "\^\(\?=\.\*\\\\d\)\.\{4,\}\$" cannot be used: .*RE2.*lookaround/);
    const back = await declare('back', {}, { patternProperties: { '^(a)\\1$': { type: 'number' } } });
    assert.equal(back.status, 400, JSON.stringify(back.body));
    assert.match((back.body['error'] as { message: string }).message, /^inputSchema is not a valid input schema: patternProperties key "\^\(a\)\\\\1\$" cannot be used/);
    const url = await declare('url', { link: { type: 'string', format: 'url' } });
    assert.equal(url.status, 400, JSON.stringify(url.body));
    assert.match((url.body['error'] as { message: string }).message, /properties\.link\.format "url" is refused: .*use "uri"/);
    assert.equal((await declare('uri', { link: { type: 'string', format: 'uri' } })).status, 201);
  });
});

describe('hostile feature values (real server, DuckDB file)', () => {
  let server: Server;
  let base = '';
  before(async () => {
    server = await testServer({ clock: () => NOW, configure: (c) => { c.dataDir = tempDir('lookout-limits-'); } });
    base = server.url;
  });
  after(async () => {
    await server.close();
  });

  test('a value nested deeper than the limit is one rejected row under a recursive schema, not a 500 for the whole batch', async () => {
    const schema = { type: 'object', properties: { tree: { $ref: '#/definitions/node' }, x: { type: 'number' } }, definitions: { node: { type: 'array', items: { $ref: '#/definitions/node' } } } };
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'tree', outputKind: 'regression', inputSchema: schema })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/tree/versions', { version: '1' })).status, 201);
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const row = (tree: string, id: string): string => `{"id":"${id}","model":"tree","version":"1","timestamp":${NOW - HOUR},"features":{"tree":${tree},"x":1},"prediction":1}`;
    const res = await fetch(`${base}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"events":[${row(deep, 'deep')},${row('[[],[[]]]', 'fine')}]}` });
    const body = await res.json() as { results: Row[] };
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.deepEqual(body.results.map((r) => r.code ?? r.status), ['invalid_features', 'accepted']);
  });

  test('a categorical value is counted under its first 256 characters: long texts cannot grow every window summary', async () => {
    const schema = { type: 'object', properties: { note: { type: 'string' } } };
    assert.equal((await call(base, 'POST', '/v1/models', { name: 'notes', outputKind: 'regression', inputSchema: schema })).status, 201);
    assert.equal((await call(base, 'POST', '/v1/models/notes/versions', { version: '1' })).status, 201);
    const long = (i: number): string => `${'n'.repeat(300)}${i}`;
    const csv = ['note', ...Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 'short' : long(i)))].join('\n');
    const ref = await fetch(`${base}/v1/models/notes/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: csv });
    assert.equal(ref.status, 200, await ref.text());
    const t = NOW - 2 * HOUR;
    // 10 distinct texts of 20,000 characters: each would have been a category of its own, in every window it falls in.
    const events = Array.from({ length: 20 }, (_, i) => ({ model: 'notes', version: '1', timestamp: t + i * 1000, features: { note: i % 2 === 0 ? 'short' : `${'n'.repeat(20_000)}${i}` }, prediction: 0 }));
    assert.equal((await call(base, 'POST', '/v1/events', { events })).body['accepted'], 20);
    const d = await call(base, 'GET', `/v1/models/notes/features/note/distribution?from=${t}&to=${t + HOUR}`);
    assert.equal(d.status, 200, JSON.stringify(d.body));
    const cut = `${'n'.repeat(256)}…`;
    const text = JSON.stringify(d.body);
    assert.ok(text.length < 5000, `the answer names each category in at most 257 characters (${text.length} characters)`);
    // The reference's and the events' long texts are one category, cut alike: no drift from the cut.
    const body = d.body as unknown as { categories: Array<{ name: string; reference: number; current: number }> };
    const byValue = new Map(body.categories.map((c) => [c.name, c]));
    assert.deepEqual([...byValue.keys()].sort(), ['short', cut].sort(), text.slice(0, 500));
    assert.equal(byValue.get(cut)?.current, 0.5);
    assert.equal(byValue.get(cut)?.reference, 0.5);
  });
});
