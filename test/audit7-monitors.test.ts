import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import type { Server } from '../src/server.js';
import { browserUnavailable, launch, openView, watchErrors } from './helpers/browser.js';
import { openStore } from '../src/storage/open.js';
import { tempDir } from './helpers/cli.js';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { call, poster, testServer } from './helpers/server.js';

const NUMERIC_X = { type: 'object', properties: { x: { type: 'number' }, c: { type: 'string' } } };
const CATEGORICAL_X = { type: 'object', properties: { x: { type: 'string' }, c: { type: 'string' } } };

interface MonitorView { id: string; problem: { code: string; message: string } | null }

async function monitorsOf(url: string): Promise<Map<string, MonitorView>> {
  const r = await call(url, 'GET', '/v1/monitors');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return new Map((r.body['monitors'] as MonitorView[]).map((m) => [m.id, m]));
}

describe('audit 7 (monitors): a model declaration that makes monitors unusable says so', { timeout: 60_000 }, () => {
  const now = Date.UTC(2026, 1, 2, 12);
  let s: Server;
  const post = poster(() => s.url);

  before(async () => {
    s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: NUMERIC_X });
    await post('/v1/models/churn/versions', { version: '1' });
    await post('/v1/monitors', { id: 'dx', model: 'churn', metric: 'drift:x', method: 'ks', window: '1h', levels: [{ severity: 'page', threshold: 0.01 }] });
    await post('/v1/monitors', { id: 'pd', model: 'churn', metric: 'predictionDrift', method: 'chisquare', window: '1h', levels: [{ severity: 'page', threshold: 0.01 }] });
    await post('/v1/monitors', { id: 'dc', model: 'churn', metric: 'drift:c', method: 'chisquare', window: '1h', levels: [{ severity: 'page', threshold: 0.01 }] });
  });
  after(() => s.close());

  test('x turned categorical: accepted (200) with a warning naming the monitor, and GET /v1/monitors shows it misconfigured until it is edited', async () => {
    const before = await monitorsOf(s.url);
    assert.equal(before.get('dx')?.problem, null);
    const r = await call(s.url, 'POST', '/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: CATEGORICAL_X });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const warnings = r.body['warnings'] as Array<{ monitor: string; problem: string }> | undefined;
    assert.ok(Array.isArray(warnings), `no warnings in ${JSON.stringify(r.body).slice(0, 400)}`);
    assert.deepEqual(warnings.map((w) => w.monitor), ['dx']);
    assert.match(warnings[0]?.problem ?? '', /method ks does not apply to categorical feature "x"/);
    const after = await monitorsOf(s.url);
    assert.equal(after.get('dx')?.problem?.code, 'misconfigured');
    assert.match(after.get('dx')?.problem?.message ?? '', /methods for it: .*chisquare/);
    assert.equal(after.get('dc')?.problem, null);
    // the way out: the monitor edited to a method of the new kind
    await post('/v1/monitors', { id: 'dx', model: 'churn', metric: 'drift:x', method: 'chisquare', window: '1h', levels: [{ severity: 'page', threshold: 0.01 }] });
    assert.equal((await monitorsOf(s.url)).get('dx')?.problem, null);
  });

  test('a regression declaration: the chisquare predictionDrift monitor is named; a declaration that breaks nothing has no warnings', async () => {
    const r = await call(s.url, 'POST', '/v1/models', { name: 'churn', outputKind: 'regression', inputSchema: CATEGORICAL_X });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const warnings = r.body['warnings'] as Array<{ monitor: string; problem: string }>;
    assert.deepEqual(warnings.map((w) => w.monitor), ['pd']);
    assert.match(warnings[0]?.problem ?? '', /method chisquare does not apply to the numerical prediction/);
    assert.equal((await monitorsOf(s.url)).get('pd')?.problem?.code, 'misconfigured');
    const back = await call(s.url, 'POST', '/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: CATEGORICAL_X });
    assert.equal(back.status, 200);
    assert.equal(back.body['warnings'], undefined);
    assert.equal((await monitorsOf(s.url)).get('pd')?.problem, null);
  });

  test('a monitor declared before its model had a version (not checkable then): the first version\'s registration names it', async () => {
    await post('/v1/models', { name: 'early', outputKind: 'binary', classes: ['0', '1'], inputSchema: CATEGORICAL_X });
    await post('/v1/monitors', { id: 'early-x', model: 'early', metric: 'drift:x', method: 'wasserstein', window: '1h', levels: [{ severity: 'page', threshold: 0.2 }] });
    const r = await call(s.url, 'POST', '/v1/models/early/versions', { version: '1' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const warnings = r.body['warnings'] as Array<{ monitor: string; problem: string }>;
    assert.deepEqual(warnings.map((w) => w.monitor), ['early-x']);
    assert.match(warnings[0]?.problem ?? '', /method wasserstein does not apply to categorical feature "x" of early@1/);
  });

  test('the registry\'s registration of a first version (PUT /v1/models/:name/versions/:version) names such a monitor too', async () => {
    await post('/v1/models', { name: 'late', outputKind: 'binary', classes: ['0', '1'], inputSchema: CATEGORICAL_X });
    await post('/v1/monitors', { id: 'late-x', model: 'late', metric: 'drift:x', method: 'ks', window: '1h', levels: [{ severity: 'page', threshold: 0.01 }] });
    const r = await call(s.url, 'PUT', '/v1/models/late/versions/1.0.0', {});
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const warnings = r.body['warnings'] as Array<{ monitor: string; problem: string }> | undefined;
    assert.deepEqual(warnings?.map((w) => w.monitor), ['late-x'], JSON.stringify(r.body));
    assert.match(warnings?.[0]?.problem ?? '', /method ks does not apply to categorical feature "x" of late@1\.0\.0/);
  });

  test('a feature dropped from the schema: its monitor is named', async () => {
    const r = await call(s.url, 'POST', '/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { c: { type: 'string' } } } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const warnings = r.body['warnings'] as Array<{ monitor: string; problem: string }>;
    assert.deepEqual(warnings.map((w) => w.monitor), ['dx']);
    assert.match(warnings[0]?.problem ?? '', /unknown feature "x"/);
  });
});

/** A lookout.yaml declaring model churn (x of type `xType`, version 1) in `dir`, data in dir/data. */
function config(dir: string, xType: 'number' | 'string'): string {
  const cfg = join(dir, 'lookout.yaml');
  writeFileSync(cfg, [
    'dataDir: ./data',
    'models:',
    '  - name: churn',
    '    outputKind: binary',
    '    classes: ["0", "1"]',
    '    inputSchema:',
    '      type: object',
    '      properties:',
    `        x: { type: ${xType} }`,
    '        c: { type: string }',
    '    versions:',
    '      - version: "1"',
  ].join('\n'));
  return cfg;
}

describe('audit 7 (monitors): stored monitors are checked when the server loads them', { timeout: 120_000 }, () => {
  const dir = tempDir('lookout-audit7-monitors-');
  let srv: RunningServer | null = null;
  after(async () => { await srv?.stop(); });

  test('a stored monitor its model no longer fits, and one stored by an older release, are logged once at start and shown with their problem; the invalid one is not evaluated', async () => {
    srv = await spawnServe(['--config', config(dir, 'number')]);
    const ok = (r: { status: number; body: unknown }): void => assert.ok(r.status < 300, JSON.stringify(r.body));
    ok(await call(srv.url, 'POST', '/v1/monitors', { id: 'dx', model: 'churn', metric: 'drift:x', method: 'ks', window: '1h', levels: [{ severity: 'page', threshold: 0.01 }] }));
    ok(await call(srv.url, 'POST', '/v1/monitors', { id: 'rate', model: 'churn', metric: 'predictionRate', class: '1', window: '1h', levels: [{ severity: 'page', threshold: 0.9 }] }));
    assert.equal(await srv.stop(), 0);
    srv = null;
    // as an older release stored them: a ks level of 1.5 (refused since), and a definition without the spc and baseline
    // sections (filled with their defaults today)
    const store = await openStore(`duckdb:${join(dir, 'data', 'lookout.duckdb')}`);
    await store.init();
    const stored = (await store.alertStore().listMonitors()).find((m) => m.id === 'rate');
    assert.ok(stored);
    const { spc: _s, baseline: _b, ...older } = stored.definition;
    await store.alertStore().putMonitor({ ...stored, definition: older });
    await store.alertStore().putMonitor({
      ...stored, id: 'old',
      definition: { ...stored.definition, id: 'old', metric: 'drift:c', method: 'ks', levels: [{ severity: 'page', threshold: 1.5 }] },
    });
    // an SLO whose objective (1.5) no release accepts today
    await store.alertStore().putMonitor({
      id: 'slo-old', model: 'churn', type: 'slo', createdAt: stored.createdAt, updatedAt: stored.updatedAt,
      definition: { id: 'slo-old', model: 'churn', name: 'old', kind: 'availability', objective: 1.5, windowDays: 30, minEvents: 20, labels: {} },
    });
    await store.close();

    srv = await spawnServe(['--config', config(dir, 'string')]);
    const ms = await monitorsOf(srv.url);
    assert.equal(ms.get('dx')?.problem?.code, 'misconfigured');
    assert.match(ms.get('dx')?.problem?.message ?? '', /method ks does not apply to categorical feature "x"/);
    assert.equal(ms.get('old')?.problem?.code, 'invalid');
    assert.match(ms.get('old')?.problem?.message ?? '', /levels\[0\]\.threshold 1\.5 does not fit drift method ks/);
    assert.equal(ms.get('rate')?.problem, null);
    const rate = (await call(srv.url, 'GET', '/v1/monitors/rate')).body['monitor'] as Record<string, unknown>;
    assert.deepEqual(rate['spc'], { history: 48, recent: 6, lambda: 0.2, k: 0.5 });
    ok(await call(srv.url, 'POST', '/v1/monitors/run', {}));
    ok(await call(srv.url, 'POST', '/v1/monitors/run', {}));
    const evs = await call(srv.url, 'GET', '/v1/monitors/old/evaluations?from=0');
    assert.deepEqual(evs.body['evaluations'], []);
    const slos = (await call(srv.url, 'GET', '/v1/slos')).body['slos'] as Array<{ id: string; problem: { code: string; message: string } | null }>;
    assert.equal(slos.find((x) => x.id === 'slo-old')?.problem?.code, 'invalid');
    assert.match(slos.find((x) => x.id === 'slo-old')?.problem?.message ?? '', /objective/);
    const err = srv.stderr();
    assert.equal(err.match(/SLO "slo-old" is invalid/g)?.length, 1, err);
    assert.equal(err.match(/monitor "dx" does not fit its model/g)?.length, 1, err);
    assert.equal(err.match(/monitor "old" is invalid/g)?.length, 1, err);
    assert.doesNotMatch(err, /monitor "rate"/);
    // declared again (valid), it is evaluated and shown without a problem
    ok(await call(srv.url, 'POST', '/v1/monitors', { id: 'old', model: 'churn', metric: 'drift:c', method: 'chisquare', window: '1h', levels: [{ severity: 'page', threshold: 0.01 }] }));
    assert.equal((await monitorsOf(srv.url)).get('old')?.problem, null);
  });
});

describe('audit 7 (monitors): an SLO can be deleted', { timeout: 60_000 }, () => {
  const now = Date.UTC(2026, 1, 2, 12);
  let s: Server;
  const post = poster(() => s.url);
  before(async () => {
    s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: NUMERIC_X });
    await post('/v1/slos', { id: 'avail', model: 'churn', kind: 'availability', objective: 0.99 });
  });
  after(() => s.close());

  test('DELETE /v1/slos/:id removes it (200 with the definition, then 404); DELETE /v1/monitors/:id of an SLO says where it is', async () => {
    const wrong = await call(s.url, 'DELETE', '/v1/monitors/avail');
    assert.equal(wrong.status, 404);
    assert.match(JSON.stringify(wrong.body), /DELETE \/v1\/slos\/avail/);
    const r = await call(s.url, 'DELETE', '/v1/slos/avail');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal((r.body['slo'] as { id: string }).id, 'avail');
    const list = (await call(s.url, 'GET', '/v1/slos')).body['slos'] as unknown[];
    assert.deepEqual(list, []);
    const again = await call(s.url, 'DELETE', '/v1/slos/avail');
    assert.equal(again.status, 404);
    assert.equal((again.body['error'] as { code: string }).code, 'not_found');
  });
});

describe('audit 7 (monitors): an SLO pinned to a version the model lacks', { timeout: 60_000 }, () => {
  const now = Date.UTC(2026, 1, 2, 12);
  let s: Server;
  const post = poster(() => s.url);
  before(async () => {
    s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: NUMERIC_X });
    await post('/v1/models/churn/versions', { version: '1' });
  });
  after(() => s.close());

  test('is refused (400 validation_failed naming the versions), as a monitor is; one of a known version is accepted', async () => {
    const r = await call(s.url, 'POST', '/v1/slos', { id: 'avail', model: 'churn', kind: 'availability', objective: 0.99, version: '9' });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    const err = r.body['error'] as { code: string; message: string };
    assert.equal(err.code, 'validation_failed');
    assert.match(err.message, /model "churn" has no version "9"; known: 1/);
    assert.deepEqual((await call(s.url, 'GET', '/v1/slos')).body['slos'], []);
    const ok = await call(s.url, 'POST', '/v1/slos', { id: 'avail', model: 'churn', kind: 'availability', objective: 0.99, version: '1' });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
  });
});

describe('audit 7 (monitors): config-file monitors and SLOs of a model that is not declared', { timeout: 60_000 }, () => {
  let s: Server;
  before(async () => {
    s = await testServer({
      configure: (c) => {
        c.alerting = { evaluationInterval: 0 };
        c.monitors = [{ id: 'ghost-rate', model: 'ghost', metric: 'throughput', window: '1h', levels: [{ severity: 'page', threshold: 1 }] }];
        c.slos = [{ id: 'ghost-avail', model: 'ghost', kind: 'availability', objective: 0.99 }];
      },
    });
  });
  after(() => s.close());

  test('start (the model may be declared later) but are shown misconfigured, naming the undeclared model, until it is declared', async () => {
    const ms = await monitorsOf(s.url);
    assert.equal(ms.get('ghost-rate')?.problem?.code, 'misconfigured');
    assert.match(ms.get('ghost-rate')?.problem?.message ?? '', /model "ghost" is not declared/);
    const slos = (await call(s.url, 'GET', '/v1/slos')).body['slos'] as Array<{ id: string; problem: { code: string; message: string } | null }>;
    assert.match(slos.find((x) => x.id === 'ghost-avail')?.problem?.message ?? '', /model "ghost" is not declared/);
    const r = await call(s.url, 'POST', '/v1/models', { name: 'ghost', outputKind: 'binary', classes: ['0', '1'], inputSchema: NUMERIC_X });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal((await monitorsOf(s.url)).get('ghost-rate')?.problem, null);
  });
});

describe('audit 7 (monitors): a tick whose evaluations could not be stored loses no window', { timeout: 60_000 }, () => {
  const pgUrl = process.env['LOOKOUT_TEST_PG_URL'];
  const schema = `lookout_audit7mon_${process.pid}`;
  const HOUR = 3_600_000;
  let now = Date.UTC(2026, 1, 2, 12, 10);
  let s: Server | null = null;
  let client: pg.Client | null = null;
  after(async () => {
    await s?.close();
    await client?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client?.end();
  });

  test('the windows of a failed tick are evaluated by the next one (PostgreSQL refusing the evaluations for a while)', { skip: pgUrl ? false : 'LOOKOUT_TEST_PG_URL not set' }, async () => {
    s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; c.storage = `${pgUrl as string}?schema=${schema}`; } });
    const url = s.url;
    const post = poster(() => url);
    await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: NUMERIC_X });
    await post('/v1/monitors', { id: 'tp', model: 'churn', metric: 'throughput', window: '1h', minSamples: 0, levels: [{ severity: 'page', threshold: 1 }] });
    await post('/v1/monitors/run', {});
    const times = async (): Promise<number[]> => ((await call(url, 'GET', `/v1/monitors/tp/evaluations?from=${now - 10 * HOUR}&to=${now + 1}`)).body['evaluations'] as Array<{ at: number }>).map((e) => e.at);
    const last = (await times()).at(-1) as number;
    assert.equal(last, Date.UTC(2026, 1, 2, 12));
    client = new pg.Client({ connectionString: pgUrl });
    await client.connect();
    await client.query(`ALTER TABLE "${schema}".monitor_evaluations ADD CONSTRAINT audit7_refuse CHECK (ts <= ${last}) NOT VALID`);
    now += 2 * HOUR;
    const failed = await call(url, 'POST', '/v1/monitors/run', {});
    assert.equal(failed.status, 500, JSON.stringify(failed.body));
    await client.query(`ALTER TABLE "${schema}".monitor_evaluations DROP CONSTRAINT audit7_refuse`);
    await post('/v1/monitors/run', {});
    assert.deepEqual((await times()).filter((t) => t > last), [last + HOUR, last + 2 * HOUR]);
  });

  test('a resolve the alert store refused is not lost: the alert resolves at the next round', { skip: pgUrl ? false : 'LOOKOUT_TEST_PG_URL not set' }, async () => {
    const url = (s as Server).url;
    const post = poster(() => url);
    const base = now - (now % HOUR);
    const events = (from: number, bad: boolean): Array<Record<string, unknown>> => Array.from({ length: 20 }, (_, i) => ({
      id: `r${from}-${i}`, model: 'churn', version: '1', timestamp: from + i * 60_000, features: { x: 1, c: 'a' }, prediction: '1', score: 0.7, ...(bad && { error: 'boom' }),
    }));
    await post('/v1/models/churn/versions', { version: '1' });
    await post('/v1/monitors', { id: 'err', model: 'churn', metric: 'errorRate', window: '1h', minSamples: 10, levels: [{ severity: 'page', threshold: 0.5 }] });
    await post('/v1/events', { events: [...events(base, true), ...events(base + HOUR, false), ...events(base + 2 * HOUR, false)] });
    const alerts = async (): Promise<Array<{ state: string }>> => ((await call(url, 'GET', '/v1/alerts?state=all')).body['alerts'] as Array<{ state: string; monitorId: string }>).filter((a) => a.monitorId === 'err');
    now = base + HOUR + 60_000;
    await post('/v1/monitors/run', {});
    assert.deepEqual((await alerts()).map((a) => a.state), ['open']);
    await client?.query(`ALTER TABLE "${schema}".alerts ADD CONSTRAINT audit7_refuse CHECK (false) NOT VALID`);
    now = base + 2 * HOUR + 60_000;
    const failed = await call(url, 'POST', '/v1/monitors/run', {});
    assert.equal(failed.status, 500, JSON.stringify(failed.body));
    await client?.query(`ALTER TABLE "${schema}".alerts DROP CONSTRAINT audit7_refuse`);
    now = base + 3 * HOUR + 60_000;
    await post('/v1/monitors/run', {});
    assert.deepEqual((await alerts()).map((a) => a.state), ['resolved']);
  });
});

describe('audit 7 (monitors): the dashboard does not show a model whose monitor cannot work as OK', { skip: browserUnavailable() ?? false, timeout: 120_000 }, () => {
  const now = Date.UTC(2026, 1, 9, 0);
  let s: Server;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const post = poster(() => s.url);
  before(async () => {
    [s, browser] = await Promise.all([testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } }), launch()]);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchErrors(page);
    await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: NUMERIC_X });
    await post('/v1/models/churn/versions', { version: '1' });
    await post('/v1/events', { events: Array.from({ length: 20 }, (_, i) => ({ id: `e${i}`, model: 'churn', version: '1', timestamp: now - 30 * 60_000 + i * 60_000, features: { x: 1, c: 'a' }, prediction: '1', score: 0.7 })) });
    await post('/v1/monitors', { id: 'dx', name: 'x drift', model: 'churn', metric: 'drift:x', method: 'ks', window: '1h', levels: [{ severity: 'page', threshold: 0.01 }] });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  test('a misconfigured monitor makes its model yellow, with the reason', async () => {
    // events are stored now, so x cannot change kind: dropped from the schema instead
    const r = await call(s.url, 'POST', '/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { c: { type: 'string' } } } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await openView(page, `${s.url}/ui/#/overview?from=${now - 3_600_000}&to=${now}`, { complete: true });
    const row = page.locator('tr[data-model="churn"]');
    assert.equal(await row.getAttribute('data-status'), 'yellow', (await row.textContent()) ?? '');
    assert.match((await row.textContent()) ?? '', /monitor x drift misconfigured: unknown feature "x"/);
    assert.deepEqual(errors.filter((e) => !/status of 422 .*\/v1\/models\/churn\/drift/.test(e)), []);
  });
});

describe('audit 7 (monitors): a monitor of a class its model does not declare', { timeout: 60_000 }, () => {
  const now = Date.UTC(2026, 1, 2, 12);
  let s: Server;
  const post = poster(() => s.url);
  before(async () => {
    s = await testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['no', 'yes'], inputSchema: NUMERIC_X });
    await post('/v1/models/churn/versions', { version: '1' });
  });
  after(() => s.close());

  test('is refused (400 naming the classes): no event can predict it; a declared class is accepted', async () => {
    for (const metric of ['predictionRate', 'recall']) {
      const r = await call(s.url, 'POST', '/v1/monitors', { id: `m-${metric}`, model: 'churn', metric, class: '1', window: '1h', levels: [{ severity: 'page', threshold: 0.5 }] });
      assert.equal(r.status, 400, `${metric}: ${JSON.stringify(r.body)}`);
      const err = r.body['error'] as { code: string; message: string };
      assert.equal(err.code, 'validation_failed');
      assert.match(err.message, /class "1" is not a class of model "churn"; its classes: no, yes/);
    }
    const ok = await call(s.url, 'POST', '/v1/monitors', { id: 'rate-yes', model: 'churn', metric: 'predictionRate', class: 'yes', window: '1h', levels: [{ severity: 'page', threshold: 0.5 }] });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
  });
});

describe('audit 7 (monitors): posting a monitor or SLO again replaces it', { timeout: 60_000 }, () => {
  let s: Server;
  const post = poster(() => s.url);
  before(async () => {
    s = await testServer({ configure: (c) => { c.alerting = { evaluationInterval: 0 }; } });
    await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: NUMERIC_X });
  });
  after(() => s.close());

  test('201 when created, 200 when it replaces one (as POST /v1/models)', async () => {
    const mon = { id: 'tp', model: 'churn', metric: 'throughput', window: '1h', levels: [{ severity: 'page', threshold: 1 }] };
    assert.equal((await call(s.url, 'POST', '/v1/monitors', mon)).status, 201);
    const again = await call(s.url, 'POST', '/v1/monitors', { ...mon, window: '2h' });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.equal((again.body['monitor'] as { window: string }).window, '2h');
    const slo = { id: 'av', model: 'churn', kind: 'availability', objective: 0.99 };
    assert.equal((await call(s.url, 'POST', '/v1/slos', slo)).status, 201);
    assert.equal((await call(s.url, 'POST', '/v1/slos', { ...slo, objective: 0.999 })).status, 200);
    assert.equal((await call(s.url, 'POST', '/v1/monitors', { ...mon, id: undefined })).status, 201);
  });
});
