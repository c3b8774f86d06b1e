import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import type { ActionRecord } from '../src/storage/alerts.js';
import { lookoutAsync } from './helpers/cli.js';
import type { Receiver } from './helpers/receiver.js';
import { call } from './helpers/server.js';
import { serverWithWaitingActions } from './helpers/waiting-actions.js';

/*
 * Issue 4 (actions on severity, "optional human approval before it runs"): an action configured with `approval: true`
 * waits as pending_approval; until now only the API could approve it (POST /v1/actions/:id/approve), so the on-call
 * human needed curl. `lookout actions list|approve|reject`, and `GET /v1/actions?state=` to find the waiting ones.
 * A real server, a real monitor raising the alerts, a real loopback webhook as the retraining job.
 */
describe('issue 4: lookout actions list, approve, reject (and GET /v1/actions?state=)', { timeout: 60_000 }, () => {
  let s: Server;
  let retrain: Receiver;
  let waiting: Record<string, string> = {};
  before(async () => {
    ({ s, retrain, waiting } = await serverWithWaitingActions());
  });
  after(async () => {
    await s?.close();
    await retrain?.close();
  });

  const cli = (...args: string[]) => lookoutAsync(['actions', ...args, '--url', s.url]);
  const rows = async (...args: string[]): Promise<string[][]> => {
    const r = await cli('list', ...args);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim().split('\n').slice(2).map((line) => line.split(/\s+/).slice(0, 4));
  };

  test('list: every action, newest first, with its state; --state and --model pick; a bad --state is a usage error', async () => {
    const all = await rows();
    assert.deepEqual(all.map((r) => r.slice(1)).sort(), [['pending_approval', 'retrain', 'churn'], ['pending_approval', 'retrain', 'eta']]);
    assert.deepEqual((await rows('--state', 'pending_approval', '--model', 'eta')).map((r) => r[0]), [waiting['eta']]);
    assert.deepEqual(await rows('--state', 'done,failed'), []);
    const json = await cli('list', '--json', '--model', 'churn');
    assert.deepEqual((JSON.parse(json.stdout) as ActionRecord[]).map((a) => [a.id, a.state]), [[waiting['churn'], 'pending_approval']]);
    const bad = await cli('list', '--state', 'waiting');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--state must be all or a comma-separated list of pending_approval, queued, running, done, failed, rejected, skipped \(got "waiting"\)/);
    assert.equal(retrain.received.length, 0, 'nothing ran before an approval');
  });

  test('approve runs the action (the retraining webhook is called once), reject does not; deciding twice is refused', async () => {
    const ok = await cli('approve', waiting['churn'] as string, '--by', 'ann');
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, `action ${waiting['churn']} (retrain of churn): done\n`);
    assert.equal(retrain.received.length, 1);
    assert.equal((retrain.received[0]?.body as { model?: string } | undefined)?.model, 'churn');
    const no = await cli('reject', waiting['eta'] as string, '--by', 'bob', '--json');
    assert.equal(no.code, 0, no.stderr);
    const rejected = JSON.parse(no.stdout) as ActionRecord;
    assert.deepEqual([rejected.id, rejected.state, rejected.detail['rejectedBy']], [waiting['eta'], 'rejected', 'bob']);
    assert.equal(retrain.received.length, 1, 'a rejected action does not run');
    assert.deepEqual(await rows('--state', 'pending_approval'), []);
    const twice = await cli('approve', waiting['eta'] as string);
    assert.notEqual(twice.code, 0);
    assert.match(twice.stderr, /HTTP 409 conflict: action .* is rejected, not pending_approval: it cannot be approved/);
    assert.equal(retrain.received.length, 1);
    const unknown = await cli('reject', 'nope');
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /HTTP 404 not_found/);
    // the API: a state list, and a state it does not know
    const done = (await call(s.url, 'GET', '/v1/actions?state=done,rejected')).body['actions'] as ActionRecord[];
    assert.deepEqual(done.map((a) => a.state).sort(), ['done', 'rejected']);
    const r = await call(s.url, 'GET', '/v1/actions?state=approved');
    assert.equal(r.status, 400);
    assert.equal((r.body['error'] as { code: string }).code, 'bad_request');
  });
});
