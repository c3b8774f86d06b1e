import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { lookoutAsync } from './helpers/cli.js';
import { call, testServer } from './helpers/server.js';

/*
 * Issue 4 (silences): a deploy script that silences its model's alerts for each release leaves an expired silence a
 * day; after months `lookout silences list` printed hundreds of them around the one that mutes now. Silences have a
 * state as Alertmanager's (pending, active, expired); `GET /v1/silences?state=` picks states (every silence by default,
 * as before) and the CLI lists the active and pending ones unless asked (`--state all`, `--state expired`), as amtool.
 */
const H = 3_600_000;
let now = Date.UTC(2026, 3, 1, 12);

describe('issue 4: silences by state (GET /v1/silences?state=, lookout silences list --state)', { timeout: 60_000 }, () => {
  let s: Server;
  const id: Record<string, string> = {};
  before(async () => {
    s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    const add = async (name: string, startsAt: number, endsAt: number): Promise<void> => {
      const r = await call(s.url, 'POST', '/v1/silences', { matchers: [{ name: 'model', value: name }], startsAt, endsAt, createdBy: 'deploy', comment: name });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      id[name] = (r.body['silence'] as { id: string }).id;
    };
    await add('old', now - H, now + H); // expires when the clock moves on
    await add('expired-by-hand', now - H, now + 5 * H);
    assert.equal((await call(s.url, 'DELETE', `/v1/silences/${id['expired-by-hand']}`)).status, 200);
    await add('running', now - H, now + 10 * H);
    await add('tomorrow', now + 20 * H, now + 30 * H);
    now += 2 * H;
  });
  after(() => s?.close());

  const listed = async (q: string): Promise<Array<[string, string, boolean]>> => {
    const r = await call(s.url, 'GET', `/v1/silences${q}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return (r.body['silences'] as Array<{ comment: string; state: string; active: boolean }>).map((x) => [x.comment, x.state, x.active]);
  };

  test('the API: every silence by default, latest expiry first, each with its state; ?state= picks', async () => {
    const all: Array<[string, string, boolean]> = [['tomorrow', 'pending', false], ['running', 'active', true], ['old', 'expired', false], ['expired-by-hand', 'expired', false]];
    assert.deepEqual(await listed(''), all);
    assert.deepEqual(await listed('?state=all'), all);
    assert.deepEqual(await listed('?state=active'), [all[1]]);
    assert.deepEqual(await listed('?state=pending'), [all[0]]);
    assert.deepEqual(await listed('?state=active,pending'), [all[0], all[1]]);
    assert.deepEqual(await listed('?state=expired'), [all[2], all[3]]);
    assert.deepEqual(await listed('?state=expired,active,expired'), [all[1], all[2], all[3]]);
    for (const bad of ['muted', 'active,', '', 'ALL']) {
      const r = await call(s.url, 'GET', `/v1/silences?state=${encodeURIComponent(bad)}`);
      assert.equal(r.status, 400, bad);
      const error = r.body['error'] as { code: string; message: string };
      assert.equal(error.code, 'bad_request');
      // an empty state: refused as every empty query parameter is (audit 25)
      assert.match(error.message, bad === '' ? /query parameter "state" is empty/ : /state must be all or a comma-separated list of active, pending, expired/);
    }
    assert.equal((await call(s.url, 'GET', '/v1/silences?states=active')).status, 400, 'an unknown parameter');
  });

  test('the CLI: active and pending by default; --state all, --state expired; a bad --state is a usage error', async () => {
    const rows = async (...args: string[]): Promise<string[]> => {
      const r = await lookoutAsync(['silences', 'list', '--url', s.url, ...args]);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.trim().split('\n').slice(2).map((line) => line.split(/\s+/).slice(1, 3).join(' '));
    };
    assert.deepEqual(await rows(), ['pending model=tomorrow', 'active model=running']);
    assert.deepEqual(await rows('--state', 'all'), ['pending model=tomorrow', 'active model=running', 'expired model=old', 'expired model=expired-by-hand']);
    assert.deepEqual(await rows('--state', 'expired'), ['expired model=old', 'expired model=expired-by-hand']);
    const json = await lookoutAsync(['silences', 'list', '--url', s.url, '--json', '--state', 'active']);
    assert.deepEqual((JSON.parse(json.stdout) as Array<{ id: string; state: string }>).map((x) => [x.id, x.state]), [[id['running'], 'active']]);
    const bad = await lookoutAsync(['silences', 'list', '--url', s.url, '--state', 'muted']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--state must be all or a comma-separated list of active, pending, expired \(got "muted"\)/);
  });
});
