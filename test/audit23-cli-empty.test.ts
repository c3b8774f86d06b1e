import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { lookoutAsync } from './helpers/cli.js';
import { poster, testServer } from './helpers/server.js';

/*
 * Audit 23: `lookout alerts list` (and actions, silences, notifications) with nothing to list printed the table's header
 * and its rule alone, which reads as a broken command. Each now says what is not there, filters included; the table is
 * printed as before when there is a row. A real server on a real DuckDB store.
 */
describe('audit 23: empty CLI lists say so', { timeout: 60_000 }, () => {
  let s: Server;
  before(async () => {
    s = await testServer({ configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    await poster(() => s.url)('/v1/models', { name: 'm', outputKind: 'regression', inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
  });
  after(() => s?.close());

  const cli = async (...args: string[]): Promise<string> => {
    const r = await lookoutAsync([...args, '--url', s.url]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  test('nothing to list: one line saying what is not there', async () => {
    assert.equal(await cli('alerts', 'list'), 'no open alerts\n');
    assert.equal(await cli('alerts', 'list', '--state', 'all', '--model', 'm'), 'no alerts of model m\n');
    assert.equal(await cli('actions', 'list', '--state', 'pending_approval'), 'no actions in state pending_approval\n');
    assert.equal(await cli('silences', 'list'), 'no silences in state active,pending\n');
    assert.equal(await cli('notifications', 'list', '--status', 'failed'), 'no notifications failed in the range\n');
    // --json stays a JSON list
    assert.deepEqual(JSON.parse(await cli('alerts', 'list', '--json')), []);
  });

  test('a list with rows is the table, as before', async () => {
    await poster(() => s.url)('/v1/alerts', { source: 'feed', model: 'm', severity: 'page', summary: 'feed stalled' });
    const out = (await cli('alerts', 'list')).split('\n');
    assert.match(out[0] ?? '', /^id\s+state\s+severity/);
    assert.match(out[2] ?? '', /\sopen\s+page\s+m\s/);
  });
});
