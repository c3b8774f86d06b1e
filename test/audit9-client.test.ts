import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LookoutClient, type LookoutClientError } from '../src/client/index.js';
import { SERVER_MAX_BODY_BYTES } from '../src/client/batch.js';
import { DEFAULT_BODY_LIMIT } from '../src/http/app.js';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { tempDir } from './helpers/cli.js';
import { call, poster } from './helpers/server.js';
import { lookoutAsync } from './helpers/cli.js';
import { rolloutFixture, T0 } from './helpers/rollout.js';

describe('client audit 9', { timeout: 180_000 }, () => {
  let s: RunningServer;
  before(async () => {
    s = await spawnServe(['--data-dir', tempDir('lookout-a9-client-')]);
    const post = poster(() => s.url);
    await post('/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object' } });
    await post('/v1/models/m/versions', { version: '1' });
  });
  after(async () => {
    await s.stop();
  });

  test('issue 3: maxBatchChars above the server body limit: batches are cut at the 16 MiB of UTF-8 the server takes, a row larger alone is refused locally', async () => {
    // Before: maxBatchChars counted characters, and "日" is 3 bytes of UTF-8: a batch of 5.6 M characters was 16.8 MB,
    // which the server (a separate process) refused by closing the connection while the body was being written
    // (EPIPE, retried as a network error, the same oversized batch again) or with a 413 (split, one row failed).
    assert.equal(SERVER_MAX_BODY_BYTES, DEFAULT_BODY_LIMIT, 'the client knows the server limit');
    const bodies: number[] = [];
    const netErrors: string[] = [];
    // Observes each request's size and outcome; the requests go to the real server through the global fetch.
    const observe: typeof fetch = async (input, init) => {
      bodies.push(Buffer.byteLength(String(init?.body)));
      try {
        return await fetch(input, init);
      } catch (err) {
        netErrors.push(String((err as Error).cause ?? err));
        throw err;
      }
    };
    const errors: LookoutClientError[] = [];
    const client = new LookoutClient({ url: s.url, fetch: observe, maxBatchChars: 50_000_000, maxRetries: 2, backoff: { initialMs: 10, maxMs: 20 }, onError: (e) => errors.push(e) });
    const row = (id: string, chars: number): Parameters<LookoutClient['log']>[0] => ({ id, model: 'm', version: '1', features: { t: '日'.repeat(chars) }, prediction: '1' });
    client.log(row('fits-1', 2_500_000)); // 7.5 MB each: two per request
    client.log(row('fits-2', 2_500_000));
    client.log(row('fits-3', 2_500_000));
    client.log(row('alone-too-large', 5_600_000)); // 16.8 MB on its own
    client.log(row('fits-4', 1_000));
    await client.close({ timeoutMs: 60_000 });
    assert.deepEqual(netErrors, [], 'no request was cut off by the server');
    assert.ok(bodies.every((b) => b <= SERVER_MAX_BODY_BYTES), `every body fits: ${bodies.join(', ')}`);
    assert.equal(bodies.length, 2, `two requests (fits-1 and 2, then fits-3 and 4): ${bodies.join(', ')}`);
    const st = client.stats().events;
    assert.deepEqual([st.sent, st.rejected, st.failed, st.retries, st.queued, st.inFlight], [4, 1, 0, 0, 0, 0]);
    assert.deepEqual(errors.map((e) => [e.kind, e.count]), [['invalid', 1]]);
    assert.match(errors[0]?.message ?? '', /^row too large \(16,800,\d{3} bytes of UTF-8 JSON; the server takes at most 16,777,216 bytes per request\)$/);
    // Stored: the same ids again are duplicates, except the row refused.
    const again = await call(s.url, 'POST', '/v1/events', ['fits-1', 'fits-2', 'fits-3', 'alone-too-large', 'fits-4'].map((id) => row(id, 1)));
    assert.deepEqual((again.body['results'] as Array<{ code?: string }>).map((r) => r.code ?? 'accepted'), ['duplicate_id', 'duplicate_id', 'duplicate_id', 'accepted', 'duplicate_id']);
  });
});

describe('audit 9: lookout rollout status of an ended rollout', { timeout: 120_000 }, () => {
  test('issue 5: an automatic rollback is shown with the step and traffic share it was at, when and why, not "rolled_back at 0%"', async () => {
    // Before: "1.0.0 -> 1.1.0: rolled_back at 0% (not enough traffic at 10% after 3 s ...)": 0% is the weight after the
    // rollback, read as the step it failed at; nothing said when, nor where the traffic went.
    const f = await rolloutFixture({}, {});
    try {
      const cli = (...args: string[]) => lookoutAsync(['rollout', ...args, '--url', f.url]);
      await f.start({ steps: [10, 50, 100], stepDurationMs: 1000, maxStepDurationMs: 2000 });
      await f.tick(3000);
      assert.equal((await f.rollout()).state, 'rolled_back');
      let r = await cli('status', 'churn');
      assert.equal(r.code, 0, r.stderr);
      const ended = new Date(T0 + 3000).toISOString();
      assert.equal(r.stdout, `1.0.0 -> 1.1.0: rolled back at step 1 of 3 (10% of traffic) at ${ended}\nwhy: not enough traffic at 10% after 3 s (canary 0, primary 0, need 100)\n`);
      // a promoted rollout says so, and one rolled back after its promotion says that
      f.advance(1000);
      await f.start({ policy: 'blue-green', bakeMs: 600_000 });
      await f.tick(1);
      r = await cli('status', 'churn');
      assert.equal(r.stdout, `1.0.0 -> 1.1.0: promoted at ${new Date(T0 + 4000).toISOString()} (blue-green switch; watched for SLO breaches until ${new Date(T0 + 604_000).toISOString()})\n`);
      f.advance(1000);
      assert.equal((await call(f.url, 'POST', '/v1/models/churn/rollout/abort', { reason: 'complaints', by: 'alice' })).status, 200);
      r = await cli('status', 'churn');
      assert.equal(r.stdout, `1.0.0 -> 1.1.0: rolled back after its promotion (within its bake period) at ${new Date(T0 + 5001).toISOString()}\nwhy: complaints (by alice)\n`);
      r = await cli('status', 'churn', '--json');
      assert.deepEqual(JSON.parse(r.stdout).rollout.state, 'rolled_back');
    } finally {
      await f.close();
    }
  });

  test('issue 5: rollout abort of a promoted rollout whose alias was moved by hand meanwhile says where the alias is, not "all traffic to" the primary', async () => {
    // Before: "aborted: 1.1.0 rolled back, all traffic to 1.0.0" while "production" stayed on 1.2.0 (the server leaves an
    // alias moved by hand as it is, and says so in the rollout's endReason).
    const f = await rolloutFixture({}, {});
    try {
      assert.equal((await call(f.url, 'PUT', '/v1/models/churn/versions/1.2.0', {})).status, 201);
      await f.start({ policy: 'blue-green', bakeMs: 600_000 });
      assert.equal((await call(f.url, 'PUT', '/v1/models/churn/aliases/production', { version: '1.2.0', reason: 'hotfix' })).status, 200);
      const r = await lookoutAsync(['rollout', 'abort', 'churn', '--reason', 'oops', '--url', f.url]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^rollout \S+ of churn aborted: 1\.1\.0 rolled back, but "production" is on 1\.2\.0, not 1\.0\.0 \(it was moved during the rollout and left as it is\)\n$/);
      const aliases = (await call(f.url, 'GET', '/v1/models/churn/aliases')).body['aliases'] as Record<string, string>;
      assert.equal(aliases['production'], '1.2.0');
    } finally {
      await f.close();
    }
  });

  test('issue 5: a paused rollout is shown with all traffic on the primary, not "paused at 10%" (the candidate gets nothing while paused)', async () => {
    // Before: pause printed "rollout ID of churn: paused at 10%" and status "paused at 10% (step 1 of 2)", while the
    // gateway routes every request of a paused rollout to the primary.
    const f = await rolloutFixture({}, {});
    try {
      const cli = (...args: string[]) => lookoutAsync(['rollout', ...args, '--url', f.url]);
      await f.start({ steps: [10, 100] });
      let r = await cli('pause', 'churn');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^rollout \S+ of churn: paused at step 1 of 2 \(10% once resumed\); all traffic to 1\.0\.0 meanwhile\n$/);
      r = await cli('pause', 'churn');
      assert.match(r.stdout, /: paused at step 1 of 2 \(10% once resumed\); all traffic to 1\.0\.0 meanwhile \(already; nothing changed\)\n$/);
      r = await cli('status', 'churn');
      assert.equal(r.stdout, '1.0.0 -> 1.1.0: paused at step 1 of 2 (10% once resumed); all traffic to 1.0.0 meanwhile\n');
      const answers = await f.send(Array.from({ length: 40 }, (_, i) => `u${i}`), 4);
      assert.deepEqual(new Set(answers), new Set(['200 1.0.0']), 'every request went to the primary');
      r = await cli('resume', 'churn');
      assert.match(r.stdout, /^rollout \S+ of churn: running at 10% \(step 1 of 2\)\n$/);
    } finally {
      await f.close();
    }
  });
});
