import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { hashKey } from '../src/http/auth.js';
import { browserUnavailable, clickAndWait, launch, openView, watchErrors, type RequestTiming } from './helpers/browser.js';
import { tempDir } from './helpers/cli.js';
import { demoDataDir } from './helpers/demo-store.js';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { call } from './helpers/server.js';
import { serverFigures } from './helpers/server-figures.js';
import { startModelServer } from './helpers/upstream.js';

const DAY = 86_400_000;
/** Screenshots go to a temp folder unless LOOKOUT_SCREENSHOTS_DIR names one (`npm run screenshots`: docs/screenshots). */
const SHOTS = process.env['LOOKOUT_SCREENSHOTS_DIR'] ? resolve(process.env['LOOKOUT_SCREENSHOTS_DIR']) : tempDir('lookout-shots-');
/** The issue's target: every panel of a view (the deferred /performance ones too) drawn within 1 s; a slower first load is measured once more. */
const TARGET_MS = 1000;
/**
 * What fails the test: a shared 2-core CI machine cannot time a 1 s target reliably (tests are not benchmarks),
 * so the run fails only on a view far over it; the figures against the 1 s target are printed every run.
 */
const FAIL_MS = Number(process.env['LOOKOUT_DASHBOARD_FAIL_MS'] ?? 3000);
const unavailable = browserUnavailable();
const RED = 'rgb(220, 38, 38)';
/** The text of a red status badge: a darker red, 4.5:1 on the badge's pale red (RED there is 3.9:1). */
const RED_BADGE = 'rgb(185, 28, 28)';

/** Computed text colour (a string function: this file is compiled without the DOM library). */
const color = (l: Locator): Promise<string> => l.evaluate(new Function('e', 'return getComputedStyle(e).color') as (e: unknown) => string);

const VIEWS: Array<[string, string]> = [
  ['overview', '#/overview'], ['model', '#/model/churn'], ['feature', '#/feature/churn/monthly_spend'],
  ['alerts', '#/alerts?state=all'], ['slos', '#/slos'], ['registry', '#/registry'],
  ['executive', '#/exec'], ['oncall', '#/oncall'], ['debug', '#/debug/churn'],
];

/**
 * CI time (2026-12-07): one Chromium for both servers' tests (a launch is ~1.5 CPU-seconds); each page opens in a
 * context of its own (browser.newPage), so the keys' session storage is not shared with the demo's pages.
 */
let chromium: Promise<Browser> | undefined;
const sharedBrowser = (): Promise<Browser> => (chromium ??= launch());
after(async () => {
  await (await chromium)?.close();
});

describe('issue 6: dashboard on `lookout serve --demo` in Chromium', { skip: unavailable ?? false, timeout: 180_000 }, () => {
  let srv: RunningServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  before(async () => {
    // On a copy of the run's demo fill (test/serve-demo checks the fill itself): `--demo` on it adds nothing.
    [srv, browser] = await Promise.all([demoDataDir('lookout-dash-').then((dir) => spawnServe(['--demo', '--data-dir', dir])), sharedBrowser()]);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchErrors(page);
  });
  after(async () => {
    await page?.close();
    await srv?.stop();
  });

  test('issue 6: every view renders without console errors and draws all its panels (load times printed against the 1 s target); screenshots', async () => {
    mkdirSync(SHOTS, { recursive: true });
    // Warm-up of the browser and the process (first page of a new Chromium, first DuckDB reads): all its panels
    // are awaited, so none of its requests is still running when the first measured view opens.
    await openView(page, `${srv.url}/ui/#/overview`, { complete: true, timeoutMs: 60_000 });
    const before = await serverFigures(srv.url); // also resets the server's event-loop delay figures
    const figures: string[] = [];
    const slow: string[] = [];
    const over: string[] = [];
    const overFirst: string[] = [];
    const chartCounts: string[] = [];
    for (const [name, hash] of VIEWS) {
      const requests: RequestTiming[] = [];
      const t = await openView(page, `${srv.url}/ui/${hash}`, { complete: true, timeoutMs: 60_000, requests });
      const failed = await page.locator('[data-state="error"]').allTextContents();
      assert.deepEqual(failed, [], `${name}: panels failed`);
      assert.equal(await page.locator('.notice.error').count(), 0, `${name}: error notice`);
      // Works offline: everything the view loads (HTML, scripts, styles, fonts, data) comes from this server.
      assert.deepEqual([...new Set(requests.map((r) => r.origin))], [new URL(srv.url).origin], `${name}: requests to other origins`);
      assert.deepEqual(errors, [], `${name}: console errors`);
      // At most 12 charts per view (the issue's 8-12 per audience view).
      const charts = await page.locator('figure.chart-card').count();
      assert.ok(charts <= 12, `${name}: ${charts} charts`);
      chartCounts.push(`${name} ${charts}`);
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
      // Over the target: a second full load tells the view's speed from a moment when the shared machine was
      // busy (each load waits for all panels, so no request of one load runs during the next).
      const loads = [t];
      if (!((t.completeMs ?? Infinity) < TARGET_MS)) loads.push(await openView(page, `${srv.url}/ui/${hash}`, { complete: true, timeoutMs: 60_000 }));
      const best = Math.min(...loads.map((x) => x.completeMs ?? Infinity));
      figures.push(`${name.padEnd(10)} main panels ${loads.map((x) => String(Math.round(x.readyMs ?? NaN)).padStart(5)).join(' ')} ms   all panels ${loads.map((x) => String(Math.round(x.completeMs ?? NaN)).padStart(5)).join(' ')} ms`);
      if (!(best < TARGET_MS)) over.push(`${name}: all panels in ${Math.round(best)} ms`);
      if (!((t.completeMs ?? Infinity) < TARGET_MS)) {
        overFirst.push(`${name} (${Math.round(t.completeMs ?? NaN)} ms)`);
        // Where the time went: the slowest requests of that load (a long server time is the server's, the rest the browser's).
        const worst = [...requests].sort((a, b) => (b.totalMs || 0) - (a.totalMs || 0)).slice(0, 6);
        figures.push(`    ${name} first open, slowest requests (start, total, server ms): ${worst.map((r) => `+${Math.round(r.startMs)} ${Math.round(r.totalMs)} ${Math.round(r.serverMs)} ${r.path.split('?')[0]}`).join('; ')}`);
      }
      if (!(best < FAIL_MS)) slow.push(`${name}: all panels in ${Math.round(best)} ms`);
    }
    const after = await serverFigures(srv.url);
    const gcs = ['minor', 'major', 'incremental'].map((k) => `${k} ${after.gcsOver(k, '0.1') - before.gcsOver(k, '0.1')}`);
    figures.push(`charts per view: ${chartCounts.join(', ')}`);
    figures.push(`server during the measured opens: event loop blocked at most ${Math.round(after.lagMaxMs)} ms; garbage collections of 0.1 s or more: ${gcs.join(', ')}`);
    console.log(`dashboard load times, ms from navigation start, 30 days of demo data (load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}):\n  ${figures.join('\n  ')}`
      + `\n  target ${TARGET_MS} ms, first open of each view (after the start-up warm-up of the query caches): ${overFirst.length === 0 ? 'MET by every view' : `NOT MET by ${overFirst.join(', ')}`}`
      + `\n  target ${TARGET_MS} ms, best of the first and a repeated open: ${over.length === 0 ? 'MET by every view' : `NOT MET by ${over.join(', ')}`}`);
    assert.deepEqual(slow, [], `views slower than ${FAIL_MS} ms`);
  });

  test('issue 6: the demo drift incident (churn, 10 to 7 days ago) is red', async () => {
    const now = Date.now();
    await openView(page, `${srv.url}/ui/#/overview?from=${now - 10 * DAY}&to=${now - 7 * DAY}`, { complete: true });
    const row = page.locator('tr[data-model="churn"]');
    assert.equal(await row.getAttribute('data-status'), 'red');
    assert.equal(await color(row.locator('.badge').first()), RED_BADGE);
    // Which of the incident's monitors pages (drift share, monthly_spend PSI, or the accuracy drop the drift causes)
    // depends on how the day windows fall on the incident, i.e. on the time of day the demo starts.
    assert.match((await row.textContent()) ?? '', /page alert: (driftShare|drift:monthly_spend|accuracy) \(resolved\)/, 'a backfilled alert of the incident colours the range it fired in');
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
    // Regression (found when the suite ran at 23:10 UTC): the demo's first day window then held one hour, 64 events,
    // whose drift share (0.83, sampling noise) was shaded as an incident. Every shaded drift band is on a window of
    // at least MIN_BAND_EVENTS (1,000 since audit 25; 100 before) events.
    const t = Date.now();
    const daily = (await call(srv.url, 'GET', `/v1/models/churn/timeseries?metric=driftShare&granularity=day&from=${t - 31 * DAY}&to=${t}`)).body['points'] as Array<{ t: number; events: number }>;
    const bands = await page.locator('[data-testid="drift-share"] li').evaluateAll((li) => li.map((x) => x.textContent ?? '').filter((x) => x.includes('dataset drift')));
    assert.ok(bands.length >= 1);
    for (const b of bands) {
      const start = Date.parse(b.slice(0, 16).replace(' ', 'T') + ':00Z');
      assert.ok((daily.find((p) => p.t === start)?.events ?? 0) >= 1000, `a drift band on a window of few events: ${b}`);
    }
    assert.equal(await color(incidents.first()), RED);
    assert.deepEqual(errors, []);
  });

  /** Raises an alert through the real alert pipeline (POST /v1/alerts) and returns its id. */
  const raise = async (source: string, severity: string): Promise<string> => {
    const r = await call(srv.url, 'POST', '/v1/alerts', { source, model: 'churn', severity, summary: `e2e: ${source}`, labels: { check: 'dashboard' } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return (r.body['alert'] as { id: string }).id;
  };
  const storedAlert = async (id: string): Promise<Record<string, unknown>> => (await call(srv.url, 'GET', `/v1/alerts/${id}`)).body['alert'] as Record<string, unknown>;
  const click = clickAndWait;

  test('issue 6 (issue 4 merged): acknowledging an alert from the Alerts view changes the stored alert', async () => {
    const id = await raise('e2e-ack', 'page');
    await openView(page, `${srv.url}/ui/#/overview`, { complete: true });
    assert.match((await page.locator('tr[data-model="churn"]').textContent()) ?? '', /page alert: e2e-ack/);
    assert.equal(await page.locator('tr[data-model="churn"]').getAttribute('data-status'), 'red', 'an open page alert makes the model red');
    await openView(page, `${srv.url}/ui/#/alerts?state=open`, { complete: true });
    await click(page, page.locator(`tr[data-alert="${id}"] button[data-action="ack"]`), 'acknowledged');
    const a = await storedAlert(id);
    assert.equal(a['state'], 'acknowledged');
    assert.equal(a['acknowledgedBy'], 'dashboard');
    assert.deepEqual(errors, []);
  });

  test('issue 6 (issue 4 merged): resolving and marking a false positive from the Alerts view', async () => {
    const [res, fp] = [await raise('e2e-resolve', 'warning'), await raise('e2e-fp', 'page')];
    await openView(page, `${srv.url}/ui/#/alerts?state=open`, { complete: true });
    await click(page, page.locator(`tr[data-alert="${res}"] button[data-action="resolve"]`), 'resolved');
    await click(page, page.locator(`tr[data-alert="${fp}"] button[data-action="false-positive"]`), 'false positive');
    const [r, f] = [await storedAlert(res), await storedAlert(fp)];
    assert.equal(r['state'], 'resolved');
    assert.equal(typeof r['endsAt'], 'number');
    assert.equal(f['falsePositive'], true);
    assert.equal(f['state'], 'resolved');
    assert.equal(await page.locator(`tr[data-alert="${res}"]`).count(), 0, 'resolved alerts leave the open list');
    await openView(page, `${srv.url}/ui/#/alerts?state=resolved`, { complete: true });
    assert.match((await page.locator(`tr[data-alert="${fp}"]`).textContent()) ?? '', /false positive/);
    assert.deepEqual(errors, []);
  });

  test('issue 6 (issue 4 merged): creating a silence from an alert of the Alerts view stores it', async () => {
    const id = await raise('e2e-silence', 'warning');
    await openView(page, `${srv.url}/ui/#/alerts?state=open`, { complete: true });
    await page.locator(`tr[data-alert="${id}"] button[data-action="silence"]`).click();
    assert.equal(await page.inputValue('[data-testid="silence-matchers"]'), 'model=churn, alertname=e2e-silence, category=external');
    await page.fill('[data-testid="silence-hours"]', '3');
    await page.fill('[data-testid="silence-comment"]', 'e2e: planned retrain');
    await click(page, page.locator('[data-testid="silence-form"] button[type="submit"]'), 'Silence created');
    await page.locator('[data-testid="silences-table"]', { hasText: 'e2e: planned retrain' }).waitFor();
    const after = await call(srv.url, 'GET', '/v1/silences');
    const s = (after.body['silences'] as Array<{ comment: string; createdBy: string; active: boolean; matchers: Array<{ name: string; value: string }>; endsAt: number }>).find((x) => x.comment === 'e2e: planned retrain');
    assert.ok(s, 'the silence is stored');
    assert.deepEqual(s.matchers.map((m) => [m.name, m.value]), [['model', 'churn'], ['alertname', 'e2e-silence'], ['category', 'external']]);
    assert.equal(s.createdBy, 'dashboard');
    assert.equal(s.active, true);
    assert.ok(Math.abs(s.endsAt - (Date.now() + 3 * 3_600_000)) < 120_000);
    // A silence that starts later is pending (it read "expired", with no Expire button), and a negative matcher reads
    // as one (env!=prod read env=prod): as `lookout silences list` prints them.
    const later = await call(srv.url, 'POST', '/v1/silences', {
      matchers: [{ name: 'model', value: 'churn' }, { name: 'env', value: 'prod', isNegative: true }], startsAt: Date.now() + 3_600_000,
      endsAt: Date.now() + 7_200_000, createdBy: 'e2e', comment: 'e2e: next window',
    });
    assert.equal(later.status, 201, JSON.stringify(later.body));
    await openView(page, `${srv.url}/ui/#/alerts?state=open`, { complete: true });
    const row = page.locator('[data-testid="silences-table"] tbody tr', { hasText: 'e2e: next window' });
    const cells = await row.locator('td').allTextContents();
    assert.ok(cells.includes('model=churn, env!=prod'), cells.join(' | '));
    assert.ok(cells.includes('pending'), cells.join(' | '));
    assert.equal(await row.locator('button', { hasText: 'Expire' }).count(), 1);
    assert.match((await page.locator('[data-testid="silences-table"] tbody tr', { hasText: 'e2e: planned retrain' }).textContent()) ?? '', /active/);
    assert.equal((await call(srv.url, 'DELETE', `/v1/silences/${(later.body['silence'] as { id: string }).id}`)).status, 200);
    // Expired silences are listed when asked only (they pile up): the link shows them, with their state.
    await openView(page, `${srv.url}/ui/#/alerts?state=open`, { complete: true });
    await page.locator('[data-testid="silences-table"]', { hasText: 'e2e: planned retrain' }).waitFor();
    assert.equal(await page.locator('[data-testid="silences-table"] tbody tr', { hasText: 'e2e: next window' }).count(), 0, 'expired: not listed');
    await page.click('[data-testid="silences-toggle"]');
    const expired = page.locator('[data-testid="silences-table"] tbody tr', { hasText: 'e2e: next window' });
    await expired.waitFor();
    assert.ok((await expired.locator('td').allTextContents()).includes('expired'));
    assert.equal(await expired.locator('button', { hasText: 'Expire' }).count(), 0);
    assert.match(page.url(), /silences=all/);
    assert.deepEqual(errors, []);
  });

  test('issue 6 (issue 4 merged): the SLO view shows the error budget and burn rates of GET /v1/slos', async () => {
    const api = (await call(srv.url, 'GET', '/v1/slos')).body['slos'] as Array<{ name: string; errorBudgetRemaining: number | null }>;
    assert.ok(api.length >= 2, 'the demo declares SLOs');
    await openView(page, `${srv.url}/ui/#/slos`, { complete: true });
    const rows = page.locator('[data-testid="slo-table"] tbody tr');
    assert.deepEqual((await rows.evaluateAll((l) => l.map((e) => e.querySelector('td')?.textContent))).sort(), api.map((x) => x.name).sort());
    const budgets = await page.locator('[data-testid="slo-table"] .budget').evaluateAll((l) => l.map((e) => e.getAttribute('data-status')));
    assert.ok(budgets.every((b) => b === 'green' || b === 'yellow' || b === 'red'), JSON.stringify(budgets));
    assert.match((await rows.first().textContent()) ?? '', /×/);
    assert.deepEqual(errors, []);
  });

  test('issue 6 (issue 5 merged): registry & rollouts view on a running canary; pause, roll back with confirmation', async () => {
    const upstream = await startModelServer({ answer: (f) => ({ prediction: Number(f['support_calls']) > 2 ? '1' : '0', score: Math.min(0.95, 0.1 + 0.1 * Number(f['support_calls'])) }) });
    try {
      const put = async (method: string, path: string, body: unknown, status = 200): Promise<Record<string, unknown>> => {
        const r = await call(srv.url, method, path, body);
        assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.body)}`);
        return r.body;
      };
      const before = ((await call(srv.url, 'GET', '/v1/models/churn/aliases')).body['aliases'] as Record<string, string>)['production'];
      assert.ok(before, 'the demo sets a production alias');
      for (const v of ['9.0.0', '9.1.0']) await put('PUT', `/v1/models/churn/versions/${v}`, { upstream: upstream.url, lineage: { gitCommit: `e2e${v.replace(/\./g, '')}abcdef`, dataVersion: 'd-e2e', hyperparameters: { depth: 6 } } }, 201);
      await put('PUT', '/v1/models/churn/aliases/production', { version: '9.0.0', reason: 'e2e: serve through the gateway', by: 'e2e' });
      await put('POST', '/v1/models/churn/rollout', {
        candidate: '9.1.0', steps: [10, 25, 50, 100], stepDurationMs: 1000, maxStepDurationMs: 3_600_000, reason: 'e2e canary',
        // The subject is the view, not the analysis: latency noise of a loaded machine, and the score and prediction mix
        // of the ~20 requests the 10% step sees (random routing), must not fail the step.
        analysis: { minSamples: 20, maxLatencyRatio: 5, latencySlackMs: 200, maxPerformanceDrop: 1, maxDrift: 100 }, slo: { minSamples: 10_000 },
      }, 201);
      for (let i = 0; i < 400; i += 25) {
        await Promise.all(Array.from({ length: 25 }, async (_, j) => {
          const features = { age: 40, tenure_months: 12, monthly_spend: 50, support_calls: (i + j) % 5, plan: 'basic', channel: 'web' };
          const res = await fetch(`${srv.url}/v1/models/churn/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ features }) });
          assert.equal(res.status, 200, await res.text());
        }));
      }
      // the server's rollout controller ticks every 5 s: the first step passes on the traffic above
      const rollout = async (): Promise<Record<string, unknown>> => (await call(srv.url, 'GET', '/v1/models/churn/rollout')).body['rollout'] as Record<string, unknown>;
      const deadline = Date.now() + 30_000;
      while ((await rollout())['step'] !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      assert.equal((await rollout())['step'], 1, JSON.stringify(await rollout()));

      const p = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const errs = watchErrors(p);
      await openView(p, `${srv.url}/ui/#/registry/churn`, { complete: true });
      const reg = p.locator('[data-testid="registry-churn"]');
      assert.match((await reg.locator('[data-testid="versions-table"]').textContent()) ?? '', /commit e2e910abcd · data d-e2e · depth=6/);
      assert.match((await reg.locator('[data-testid="aliases"]').textContent()) ?? '', /production → 9\.0\.0.*canary → 9\.1\.0|canary → 9\.1\.0.*production → 9\.0\.0/);
      assert.match((await reg.locator('[data-testid="deployments-table"]').textContent()) ?? '', /set.*production.*→ 9\.0\.0.*e2e.*e2e: serve through the gateway/);
      const panel = reg.locator('[data-testid="rollout"]');
      assert.match((await panel.textContent()) ?? '', /Step2 of 4 \(10% → 25% → 50% → 100%\).*9\.1\.0 25%.*9\.0\.0 75%/);
      assert.match((await panel.locator('table').textContent()) ?? '', /errorRate.*pass/);
      await p.screenshot({ path: join(SHOTS, 'registry-rollout.png'), fullPage: true });

      await click(p, panel.locator('button[data-action="rollout-pause"]'), 'paused', true);
      assert.equal((await rollout())['state'], 'paused');
      await click(p, p.locator('[data-testid="rollout"] button[data-action="rollout-abort"]'), 'rolled back', true);
      const ended = await rollout();
      assert.equal(ended['state'], 'rolled_back');
      assert.match(String(ended['endReason']), /roll back rollout from the dashboard/);
      // cancelling the confirmation changes nothing; confirming rolls production back to the version before
      await p.locator('[data-testid="registry-churn"] button[data-action="rollback"]').click();
      await p.locator('[data-testid="confirm-dialog"] button', { hasText: 'Cancel' }).click();
      assert.equal(((await call(srv.url, 'GET', '/v1/models/churn/aliases')).body['aliases'] as Record<string, string>)['production'], '9.0.0');
      await click(p, p.locator('[data-testid="registry-churn"] button[data-action="rollback"]'), 'rolled back', true);
      const aliases = (await call(srv.url, 'GET', '/v1/models/churn/aliases')).body['aliases'] as Record<string, string>;
      assert.deepEqual([aliases['production'], aliases['canary']], [before, '9.0.0']);
      const last = ((await call(srv.url, 'GET', '/v1/models/churn/deployments')).body['deployments'] as Array<Record<string, unknown>>).at(-1);
      assert.deepEqual([last?.['kind'], last?.['alias'], last?.['from'], last?.['to'], last?.['by']], ['rollback', 'production', '9.0.0', before, 'dashboard']);

      await openView(p, `${srv.url}/ui/#/model/churn?range=24h&version=1.0.0`);
      const notes = await p.locator('[data-testid="latency"] ul.annotations li').evaluateAll((l) => l.map((e) => e.getAttribute('title')).join('\n'));
      assert.match(notes, /rollback production: 9\.0\.0 → 1\.0\.0 \(dashboard: rollback from the dashboard/);
      assert.deepEqual(errs, []);
      await p.close();
    } finally {
      await upstream.close();
    }
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
    [srv, browser] = await Promise.all([spawnServe(['--config', cfg]), sharedBrowser()]);
    const now = Date.now();
    const events = Array.from({ length: 60 }, (_, i) => ({
      model: 'pii', version: '1', timestamp: now - (60 - i) * 60_000, features: { email: `alice${i}@example.com`, amount: i, ssn: '[REDACTED]' }, prediction: String(i % 2), score: (i % 10) / 10,
    }));
    const res = await call(srv.url, 'POST', '/v1/events', { events }, { authorization: `Bearer ${keys.ingest}` });
    assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
  });
  after(async () => {
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
