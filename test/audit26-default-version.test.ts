import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Server } from '../src/server.js';
import type { EvaluationRecord } from '../src/storage/alerts.js';
import { browserUnavailable, launch, openView, openViewAsking, watchErrors } from './helpers/browser.js';
import { lookoutAsync } from './helpers/cli.js';
import { call, succeeding, testServer } from './helpers/server.js';

/*
 * Audit 26: a query, monitor or SLO without a version read the model's newest version. Registering a candidate (the
 * registry's `PUT .../versions/1.1.0`, before it gets any traffic) made it the newest: every dashboard and query showed
 * a version without events, monitors of production's error rate answered `insufficient_data` and SLOs kept a full
 * budget, while production (50% errors here) went on unwatched. Now the default is the version the serving alias
 * (`production` unless the model's serving config names another) points to, else the newest; /v1/models says which
 * (`defaultVersion`).
 */
const H = 3_600_000;
const T0 = Date.UTC(2026, 2, 2, 9);
const NOW = T0 + H + 30_000;
const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };

describe('audit 26: without a version, queries, monitors and SLOs read the serving alias\'s version, not a candidate registered since', () => {
  let s: Server;
  const ok = succeeding(() => s.url);
  const lastEvaluation = async (id: string): Promise<EvaluationRecord> => {
    const ev = (await ok('GET', `/v1/monitors/${id}/evaluations?from=${T0}&to=${NOW}`))['evaluations'] as EvaluationRecord[];
    return ev.at(-1) as EvaluationRecord;
  };
  const modelOf = async (name: string): Promise<Record<string, unknown>> => ok('GET', `/v1/models/${name}`);

  before(async () => {
    s = await testServer({ clock: () => NOW, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    for (const name of ['fraud', 'plain']) {
      await ok('POST', '/v1/models', { name, outputKind: 'regression', inputSchema: SCHEMA });
      await ok('PUT', `/v1/models/${name}/versions/1.0.0`, {});
      const events = Array.from({ length: 200 }, (_, i) => ({ model: name, version: '1.0.0', timestamp: T0 + i * 10_000, features: { x: i % 10 }, prediction: i, error: i % 2 === 0 ? 'timeout' : null }));
      await ok('POST', '/v1/events', { events });
      const csv = `x,prediction\n${Array.from({ length: 50 }, (_, i) => `${i % 10},${i}`).join('\n')}\n`;
      const up = await call(s.url, 'PUT', `/v1/models/${name}/versions/1.0.0/reference`, csv, { 'content-type': 'text/csv' });
      assert.equal(up.status, 200, JSON.stringify(up.body));
    }
    await ok('PUT', '/v1/models/fraud/aliases/production', { version: '1.0.0', reason: 'first release' });
    await ok('POST', '/v1/monitors', { id: 'errors', model: 'fraud', metric: 'errorRate', window: '1h', minSamples: 10, levels: [{ severity: 'page', threshold: 0.1 }] });
    await ok('POST', '/v1/slos', { id: 'avail', model: 'fraud', kind: 'availability', objective: 0.99, windowDays: 7 });
    // the candidate: registered, no traffic yet
    for (const name of ['fraud', 'plain']) await ok('PUT', `/v1/models/${name}/versions/1.1.0`, { notes: 'candidate' });
  });
  after(() => s?.close());

  test('the model says which version is read by default: the serving alias\'s, else the newest', async () => {
    assert.equal((await modelOf('fraud'))['defaultVersion'], '1.0.0');
    assert.equal((await modelOf('plain'))['defaultVersion'], '1.1.0', 'no alias set: the newest, as before');
    const list = (await ok('GET', '/v1/models'))['models'] as Array<{ name: string; defaultVersion: string }>;
    assert.deepEqual(list.map((m) => [m.name, m.defaultVersion]), [['fraud', '1.0.0'], ['plain', '1.1.0']]);
    // and `lookout models list` has it in a column
    const cli = await lookoutAsync(['models', 'list', '--url', s.url]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /^model\s+kind\s+versions\s+default\s+aliases$/m);
    assert.match(cli.stdout, /^fraud\s+regression\s+2\s+1\.0\.0\s+production=1\.0\.0$/m);
    assert.match(cli.stdout, /^plain\s+regression\s+2\s+1\.1\.0\s+-$/m);
  });

  test('queries without ?version= answer production\'s traffic (the candidate had none)', async () => {
    const range = `from=${T0}&to=${T0 + H}`;
    const health = await ok('GET', `/v1/models/fraud/health?${range}`);
    assert.deepEqual([health['version'], health['events'], health['errorRate']], ['1.0.0', 200, 0.5]);
    const drift = await ok('GET', `/v1/models/fraud/drift?${range}`);
    assert.equal(drift['version'], '1.0.0');
    const candidate = await ok('GET', `/v1/models/fraud/health?${range}&version=1.1.0`);
    assert.equal(candidate['events'], 0, 'the candidate is still there to ask for');
    // a model without a serving alias reads its newest, and a 422 says why that one
    const plain = await call(s.url, 'GET', `/v1/models/plain/drift?${range}`);
    assert.equal(plain.status, 422);
    assert.match((plain.body['error'] as { message: string }).message, /; 1\.1\.0 is the newest version of "plain" \(its serving alias is not set\), which a query reads unless given \?version= \(versions with a reference: 1\.0\.0\)$/);
  });

  test('a monitor and an SLO without a version watch production: the error rate pages, the budget burns', async () => {
    await ok('POST', '/v1/monitors/run', {});
    const e = await lastEvaluation('errors');
    assert.deepEqual([e.status, e.value, e.samples], ['page', 0.5, 200], JSON.stringify(e));
    const slos = (await ok('GET', '/v1/slos?model=fraud'))['slos'] as Array<{ id: string; errorBudgetRemaining: number | null }>;
    const avail = slos.find((x) => x.id === 'avail');
    assert.ok(avail && avail.errorBudgetRemaining !== null && avail.errorBudgetRemaining < 0, JSON.stringify(avail));
  });

  test('an unknown ?version= (and a reference upload or a registry read of one) names the known versions and the one meant', async () => {
    const want = 'model "fraud" has no version "v1.0.0"; known: 1.0.0, 1.1.0; did you mean "1.0.0"?';
    for (const [method, path, body, headers] of [
      ['GET', '/v1/models/fraud/health?version=v1.0.0'],
      ['GET', '/v1/models/fraud/drift?version=v1.0.0'],
      ['PUT', '/v1/models/fraud/versions/v1.0.0/reference', 'x,prediction\n1,1\n', { 'content-type': 'text/csv' }],
      ['GET', '/v1/models/fraud/versions/v1.0.0'],
      ['POST', '/v1/alerts', { source: 'audit26', model: 'fraud', version: 'v1.0.0', severity: 'warning', summary: 'x' }],
    ] as Array<[string, string, unknown?, Record<string, string>?]>) {
      const r = await call(s.url, method, path, body, headers);
      // before: "has no version "1.0"" alone (the first four), or "known versions: ..." without the one meant
      assert.deepEqual([r.status, r.body['error']], [404, { code: 'unknown_version', message: want, details: {} }], `${method} ${path}`);
    }
    const mon = await call(s.url, 'POST', '/v1/monitors', { id: 'pinned', model: 'fraud', version: 'v1.0.0', metric: 'errorRate', window: '1h', levels: [{ severity: 'page', threshold: 0.1 }] });
    assert.equal(mon.status, 400);
    assert.match((mon.body['error'] as { message: string }).message, /model "fraud" has no version "v1\.0\.0"; known: 1\.0\.0, 1\.1\.0; did you mean "1\.0\.0"\?/);
  });

  test('the dashboard\'s model page picks the version its figures are of: production\'s, not the candidate (Chromium)', { skip: browserUnavailable() ?? false }, async () => {
    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const errors = watchErrors(page);
      const range = `from=${new Date(T0).toISOString()}&to=${new Date(T0 + H).toISOString()}`;
      const asked = await openViewAsking(page, `${s.url}/ui/#/model/fraud?${range}`, '/v1/monitors');
      // the picker said v1.1.0 (the newest) over the figures of 1.0.0 that the server answered
      assert.equal(await page.locator('select[aria-label="version"]').inputValue(), '1.0.0');
      const text = (await page.locator('main').textContent()) ?? '';
      assert.match(text, /Events\s*200(?!\d)/);
      assert.match(text, /monitor fraud errorRate: page/, 'the page of 1.0.0 counts the monitor watching it');
      assert.deepEqual(asked.map((u) => u.searchParams.get('model')), ['fraud'], 'the model\'s monitors, not every monitor');
      assert.deepEqual(errors, []);
      // the candidate's page and row do not: the monitor without a version watches 1.0.0 (they were red for it)
      await openView(page, `${s.url}/ui/#/model/fraud?${range}&version=1.1.0`, { complete: true });
      assert.doesNotMatch((await page.locator('main').textContent()) ?? '', /monitor fraud errorRate/);
      await openView(page, `${s.url}/ui/#/?${range}`, { complete: true });
      const row = (version: string) => page.locator(`[data-testid="models-table"] tr[data-model="fraud"][data-version="${version}"]`);
      assert.equal(await row('1.0.0').getAttribute('data-status'), 'red');
      assert.match((await row('1.0.0').textContent()) ?? '', /monitor fraud errorRate: page/);
      assert.doesNotMatch((await row('1.1.0').textContent()) ?? '', /monitor fraud errorRate/);
      // the candidate has no reference: its drift request's 422 is the only error
      assert.deepEqual(errors.filter((e) => !/status of 422 .*\/v1\/models\/fraud\/drift\?.*version=1\.1\.0/.test(e)), []);
    } finally {
      await browser.close();
    }
  });

  test('moving the serving alias moves the default: after a promotion the new version is read', async () => {
    await ok('PUT', '/v1/models/fraud/aliases/production', { version: '1.1.0', reason: 'promoted' });
    assert.equal((await modelOf('fraud'))['defaultVersion'], '1.1.0');
    const health = await ok('GET', `/v1/models/fraud/health?from=${T0}&to=${T0 + H}`);
    assert.deepEqual([health['version'], health['events']], ['1.1.0', 0]);
    // a model whose serving config names another alias reads that alias's version
    await ok('PUT', '/v1/models/fraud/aliases/live', { version: '1.0.0', reason: 'serving alias' });
    await ok('PUT', '/v1/models/fraud/serving', { alias: 'live' });
    assert.equal((await modelOf('fraud'))['defaultVersion'], '1.0.0');
  });
});
