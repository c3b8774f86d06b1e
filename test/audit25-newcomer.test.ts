import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import { lookoutAsync } from './helpers/cli.js';
import { call, succeeding, testServer } from './helpers/server.js';

/*
 * Audit 25, a first-time user following the README, getting-started, registry and gateway docs against a real
 * `lookout serve` (DuckDB file store):
 * - POST /v1/models/:name/predict of a model whose version has no upstream (every `--demo` model), whose serving alias
 *   is not set, or that is paused answered 503 naming the cause only ("1.0.0: no upstream configured"): now the
 *   message says what to run (the CLI command and the API call), the `details.attempts` unchanged;
 * - `lookout rollout abort|pause|resume` without such a rollout said `has no running or paused or promoted rollout`
 *   (a baking rollout is "promoted") with no way on: now `no running, paused or baking rollout to abort` and where to
 *   see the last one;
 * - an alert that kept firing over several windows updated its `observed` value and window at each evaluation but
 *   kept the "most affected" segments of the window it started in (the demo's monthly_spend drift alert: observed
 *   0.1559 on 11-30, segments eu 0.82, us 0.70 of 11-28): they are now those of the window observed;
 * - registering a candidate version (registry.md's `PUT .../versions/1.4.0`) makes it the newest, which monitoring
 *   queries read by default: `/drift` of the model then answered 422 "version 1.4.0 ... has no reference yet" with no
 *   word of why that version, nor of `?version=`; the distribution's 422 did not say how to upload one (since audit 26
 *   a model with a serving alias is read at its version by default: test/audit26-default-version);
 * - `--help`: `rollout start --reason` and `versions register --git-commit` had no description, `promote --resamples`
 *   no default, `--analysis` sent to docs/registry.md (its settings are in
 *   docs/gateway.md), `lookout status --api-key` asked for the admin scope "for changes" (it changes nothing: read).
 */
const SCHEMA = { type: 'object', properties: { amount: { type: 'number' } } };

describe('audit 25: what a newcomer meets first says what to do', { timeout: 90_000 }, () => {
  let s: Server;
  let base = '';
  const ok = succeeding(() => base);
  const cli = (args: string[]) => lookoutAsync([...args, '--url', base], 30_000, { ...process.env, COLUMNS: '' });
  const predict = (model: string) => call(base, 'POST', `/v1/models/${model}/predict`, { features: { amount: 3 } });

  before(async () => {
    s = await testServer();
    base = s.url;
    await ok('POST', '/v1/models', { name: 'fraud', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
    await ok('PUT', '/v1/models/fraud/versions/1.0.0', {});
  });
  after(async () => {
    await s.close();
  });

  test('a predict no upstream could answer says what to set: the alias, the upstream, the pause', async () => {
    let r = await predict('fraud');
    assert.equal(r.status, 503);
    let e = r.body.error as { code: string; message: string; details: { attempts: Array<{ version: string | null; error: string }> } };
    assert.equal(e.code, 'unavailable');
    assert.deepEqual(e.details.attempts, [{ version: null, error: 'alias "production" is not set' }]);
    assert.match(e.message, /^model "fraud" cannot answer now: \(no version\): alias "production" is not set\. To serve it: point alias "production" at a version: lookout models set-alias fraud production VERSION --reason TEXT \(PUT \/v1\/models\/fraud\/aliases\/production\)$/);

    await ok('PUT', '/v1/models/fraud/aliases/production', { version: '1.0.0', reason: 'first' });
    r = await predict('fraud');
    e = r.body.error as typeof e;
    assert.equal(r.status, 503);
    assert.deepEqual(e.details.attempts, [{ version: '1.0.0', error: 'no upstream configured' }]);
    assert.match(e.message, /: 1\.0\.0: no upstream configured\. To serve it: give version 1\.0\.0 its model server's URL: lookout versions update fraud 1\.0\.0 --upstream URL \(PATCH \/v1\/models\/fraud\/versions\/1\.0\.0 \{"upstream": URL\}\)$/);

    await ok('POST', '/v1/models/fraud/pause', { reason: 'drill' });
    r = await predict('fraud');
    e = r.body.error as typeof e;
    assert.deepEqual(e.details.attempts, [{ version: '1.0.0', error: 'model paused' }]);
    assert.match(e.message, /: 1\.0\.0: model paused\. To serve it: resume the model: lookout models resume fraud \(POST \/v1\/models\/fraud\/resume\)$/);
    await ok('POST', '/v1/models/fraud/resume', {});

    await ok('POST', '/v1/models/fraud/versions/1.0.0/pause', {});
    r = await predict('fraud');
    e = r.body.error as typeof e;
    assert.deepEqual(e.details.attempts, [{ version: '1.0.0', error: 'version paused' }]);
    assert.match(e.message, /: 1\.0\.0: version paused\. To serve it: resume the version: lookout versions resume fraud 1\.0\.0 \(POST \/v1\/models\/fraud\/versions\/1\.0\.0\/resume\)$/);
    await ok('POST', '/v1/models/fraud/versions/1.0.0/resume', {});
  });

  test('a query of a version without a reference says how to upload one; without ?version= the serving alias\'s version is read (audit 26), not the candidate', async () => {
    const csv = `amount,prediction\n${Array.from({ length: 30 }, (_, i) => `${i},${i % 2}`).join('\n')}\n`;
    const up = await call(base, 'PUT', '/v1/models/fraud/versions/1.0.0/reference', csv, { 'content-type': 'text/csv' });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    await ok('PUT', '/v1/models/fraud/versions/1.4.0', { notes: 'candidate' });
    // audit 25: this answered 422 for 1.4.0, the newest; since audit 26 the version production points to is read (a model
    // without a serving alias still reads its newest, and its 422 says so: test/audit26-default-version)
    let r = await call(base, 'GET', '/v1/models/fraud/drift');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body['version'], '1.0.0');
    r = await call(base, 'GET', '/v1/models/fraud/drift?version=1.4.0');
    assert.equal((r.body.error as { message: string }).message, 'version 1.4.0 of "fraud" has no reference yet: upload one (PUT /v1/models/fraud/versions/1.4.0/reference)');
    r = await call(base, 'GET', '/v1/models/fraud/features/amount/distribution?version=1.4.0');
    assert.equal(r.status, 422);
    assert.match((r.body.error as { message: string }).message, /^version 1\.4\.0 of "fraud" has no reference yet: upload one \(PUT \/v1\/models\/fraud\/versions\/1\.4\.0\/reference\)$/);
    assert.equal((await call(base, 'GET', '/v1/models/fraud/drift?version=1.0.0')).status, 200);
  });

  test('rollout abort, pause and resume without such a rollout say so plainly and where to look', async () => {
    let r = await cli(['rollout', 'abort', 'fraud', '--reason', 'stop']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /model "fraud" has no running, paused or baking rollout to abort; `lookout rollout status fraud` \(GET \/v1\/models\/fraud\/rollout\) shows its last one \(HTTP 409 conflict\)/);
    r = await cli(['rollout', 'pause', 'fraud']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /model "fraud" has no running or paused rollout to pause; `lookout rollout status fraud`/);
    const a = await call(base, 'POST', '/v1/models/fraud/rollout/resume', {});
    assert.equal(a.status, 409);
    assert.match((a.body.error as { message: string }).message, /^model "fraud" has no running or paused rollout to resume; /);
  });

  test('--help describes every option, names the right doc and the scope a command needs', async () => {
    const start = await cli(['rollout', 'start', '--help']);
    assert.match(start.stdout, /--reason <text> +why \(kept in the deployment history\) \(required\)/);
    assert.match(start.stdout, /\(see docs\/gateway\.md\)/);
    assert.doesNotMatch(start.stdout, /docs\/registry\.md/);
    const status = await cli(['status', '--help']);
    assert.match(status.stdout, /--api-key <key> +API key \(read scope\)/);
    assert.doesNotMatch(status.stdout, /admin scope/);
    const pause = await cli(['versions', 'pause', '--help']);
    assert.match(pause.stdout, /--reason <text> +why \(kept in the deployment history\)/);
    assert.match(pause.stdout, /--by <name> +who/);
    const register = await cli(['versions', 'register', '--help']);
    assert.match(register.stdout, /--git-commit <sha> +the training code's commit \(lineage\.gitCommit\)/);
    const promote = await cli(['promote', '--help']);
    assert.match(promote.stdout, /--resamples <n> +bootstrap resamples \(default 1000\)/);
  });
});

describe('audit 25: the most affected segments of a firing alert are those of the window it observes', { timeout: 60_000 }, () => {
  const HOUR = 3_600_000;
  const H1 = Date.UTC(2026, 11, 7, 9, 0, 0);
  let now = H1 + HOUR + 5 * 60_000;
  let s: Server;
  let base = '';
  const ok = succeeding(() => base);
  // 40 events per region in the hour, `failed` of them with an error
  const hour = (start: number, failed: Record<string, number>) => ['eu', 'us'].flatMap((region) => Array.from({ length: 40 }, (_, i) => ({
    id: `${region}-${start}-${i}`, model: 'seg', version: '1', timestamp: new Date(start + i * 60_000).toISOString(), features: { amount: i },
    prediction: 1, segment: { region }, ...(i < (failed[region] ?? 0) && { error: 'boom' }),
  })));

  before(async () => {
    s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    base = s.url;
    await ok('POST', '/v1/models', { name: 'seg', outputKind: 'regression', segmentKeys: ['region'], inputSchema: SCHEMA });
    await ok('POST', '/v1/models/seg/versions', { version: '1' });
  });
  after(async () => {
    await s.close();
  });

  test('the second firing window names its own worst segment, with its value', async () => {
    // hour 1: eu fails half its requests, us none; hour 2: eu none, us 30 of 40
    assert.equal((await ok('POST', '/v1/events', { events: hour(H1, { eu: 20 }) }))['accepted'], 80);
    await ok('POST', '/v1/monitors', { id: 'seg-errors', model: 'seg', metric: 'errorRate', window: '1h', minSamples: 10, levels: [{ severity: 'page', threshold: 0.1 }] });
    await ok('POST', '/v1/monitors/run', {});
    const first = ((await ok('GET', '/v1/alerts?state=open'))['alerts'] as Array<{ context: Record<string, unknown> }>)[0];
    assert.ok(first, 'the first hour fires');
    assert.deepEqual(first.context['segments'], [{ segment: 'region=eu', value: 0.5 }, { segment: 'region=us', value: 0 }]);
    now = H1 + 2 * HOUR + 5 * 60_000;
    assert.equal((await ok('POST', '/v1/events', { events: hour(H1 + HOUR, { us: 30 }) }))['accepted'], 80);
    await ok('POST', '/v1/monitors/run', {});
    const alerts = (await ok('GET', '/v1/alerts?state=open'))['alerts'] as Array<{ context: Record<string, unknown> }>;
    assert.equal(alerts.length, 1, 'one alert, still open');
    const c = alerts[0]?.context ?? {};
    assert.equal(c['windowStart'], H1 + HOUR);
    assert.equal(c['observed'], 30 / 80);
    assert.deepEqual(c['segments'], [{ segment: 'region=us', value: 0.75 }, { segment: 'region=eu', value: 0 }]);
  });
});
