import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from './helpers/cli.js';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { call } from './helpers/server.js';

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
