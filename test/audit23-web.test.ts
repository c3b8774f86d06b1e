import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { browserUnavailable, launch, openView, watchErrors, waitForPage } from './helpers/browser.js';
import { demoDataDir } from './helpers/demo-store.js';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { call } from './helpers/server.js';

/*
 * Audit 23 (web), found walking docs/dashboard.md against `lookout serve --demo` in Chromium: an alert's links opened
 * the model over the range of the view they were in, not at the alert's time; the debug view dropped the segment of
 * the model page that linked to it (and showed neither it nor the version); the registry link dropped the range; a
 * long model or feature name made the page wider than the screen.
 */
const unavailable = browserUnavailable();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface AlertJson { id: string; model: string; version: string | null; state: string; startsAt: number; endsAt: number | null; labels: Record<string, string>; context: { metric?: string; windowStart?: number; windowEnd?: number } }

const paramsOf = (hrefText: string | null): URLSearchParams => new URLSearchParams((hrefText ?? '').split('?')[1] ?? '');

describe('audit 23 (web): links keep what they are about; long names fit the screen', { skip: unavailable ?? false, timeout: 300_000 }, () => {
  let srv: RunningServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  before(async () => {
    [srv, browser] = await Promise.all([demoDataDir('lookout-audit23-web-').then((dir) => spawnServe(['--demo', '--data-dir', dir])), launch()]);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchErrors(page);
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  test('an alert\'s dashboard link opens its model, version and time (around it, by 3 of its windows), not the alerts view\'s range', async () => {
    const all = (await call(srv.url, 'GET', '/v1/alerts?state=all')).body as { alerts: AlertJson[] };
    // the demo's drift incident of churn, 10 to 7 days ago: a daily monitor
    const a = all.alerts.find((x) => x.model === 'churn' && x.context.metric === 'drift:monthly_spend');
    assert.ok(a && a.endsAt !== null && a.context.windowStart !== undefined && a.context.windowEnd !== undefined, JSON.stringify(all.alerts.map((x) => x.context.metric)));
    assert.equal(a.context.windowEnd - a.context.windowStart, DAY);
    // a range the incident is in (audit 24: the view lists the alerts active in its range; it listed every alert)
    await openView(page, `${srv.url}/ui/#/alerts?state=all&range=30d`, { complete: true });
    const link = page.locator(`tr[data-alert="${a.id}"] .alert-context a`, { hasText: 'dashboard' });
    const p = paramsOf(await link.getAttribute('href'));
    assert.equal(p.get('range'), null, `the view's range is not the alert's: ${p.toString()}`);
    assert.equal(p.get('version'), a.version);
    assert.equal(Date.parse(p.get('from') ?? ''), a.startsAt - 3 * DAY, p.toString());
    assert.equal(Date.parse(p.get('to') ?? ''), a.endsAt + 3 * DAY, p.toString());
    await link.click();
    await waitForPage(page, `document.body.dataset.view === 'model' && document.body.dataset.complete === 'true'`);
    const label = (await page.locator('[data-testid="range-label"]').textContent()) ?? '';
    assert.equal(label, `${new Date(a.startsAt - 3 * DAY).toISOString().slice(0, 16)} – ${new Date(a.endsAt + 3 * DAY).toISOString().slice(0, 16)} UTC`);
    // the incident is on the page: the drift share chart's dataset-drift band
    assert.match((await page.locator('section[data-testid="drift-share"]').textContent()) ?? '', /dataset drift/);

    // an open alert on the on-call view (last 24 h): its link opens from 6 hours before it (an alert of no window), to now
    const raised = await call(srv.url, 'POST', '/v1/alerts', { source: 'audit23-web', model: 'eta', severity: 'page', summary: 'eta upstream timeouts' });
    assert.equal(raised.status, 201, JSON.stringify(raised.body));
    const open = (raised.body as { alert: AlertJson }).alert;
    await openView(page, `${srv.url}/ui/#/oncall`, { complete: true });
    // its summary is shown (it read 'audit23-web' alone, its source), here and on the Alerts view
    const item = page.locator('[data-testid="problems"] li', { hasText: 'audit23-web: eta upstream timeouts' });
    const q = paramsOf(await item.locator('a').first().getAttribute('href'));
    assert.equal(Date.parse(q.get('from') ?? ''), open.startsAt - 6 * HOUR, q.toString());
    assert.equal(q.get('to'), null, 'an open alert: the range ends now');
    assert.equal(q.get('range'), null);
    await openView(page, `${srv.url}/ui/#/alerts`, { complete: true });
    assert.match((await page.locator(`tr[data-alert="${open.id}"]`).textContent()) ?? '', /audit23-web: eta upstream timeouts/);
    assert.deepEqual(errors, []);
  });

  test('the debug view of a model page filtered to a segment shows that segment\'s figures, says so and links back with it', async () => {
    await openView(page, `${srv.url}/ui/#/model/churn?range=7d&version=1.0.0&segment=region%3Dus`, { complete: true });
    const debugHref = await page.locator('.page-head a', { hasText: 'debug view' }).getAttribute('href');
    assert.equal(paramsOf(debugHref).get('segment'), 'region=us', debugHref ?? '');
    // the registry link keeps the range, as every link between views does
    assert.equal(paramsOf(await page.locator('.page-head a', { hasText: 'registry' }).getAttribute('href')).get('range'), '7d');
    await page.locator('.page-head a', { hasText: 'debug view' }).click();
    await waitForPage(page, `document.body.dataset.view === 'debug' && document.body.dataset.complete === 'true'`);
    assert.match((await page.locator('.page-head').textContent()) ?? '', /segment region=us/);
    const row = page.locator('[data-testid="debug-stats"] tbody tr', { hasText: 'monthly_spend' });
    const shown = Number((await row.locator('td').nth(8).textContent())?.trim());
    const url = new URL(page.url());
    const range = new URLSearchParams(url.hash.split('?')[1]);
    assert.equal(range.get('segment'), 'region=us');
    // the figures of the range the view asked: its own request, sent again
    const asked = await page.evaluate(`performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('/v1/models/churn/drift'))`) as string[];
    // (the model page's request first: the debug view opened in the same document)
    const last = new URL(asked[asked.length - 1] as string);
    const drift = (await call(srv.url, 'GET', last.pathname + last.search)).body as { segment: string; features: Array<{ name: string; stats: Record<string, unknown> }> };
    assert.equal(drift.segment, 'region=us');
    const expected = drift.features.find((f) => f.name === 'monthly_spend')?.stats['wassersteinNormalized'] as number;
    assert.ok(Math.abs(shown - expected) < 1e-4, `shown ${shown}, the segment's ${expected}`);
    const back = paramsOf(await page.locator('.page-head a', { hasText: 'model view' }).getAttribute('href'));
    assert.deepEqual([back.get('range'), back.get('version'), back.get('segment')], ['7d', '1.0.0', 'region=us']);
    assert.deepEqual(errors, []);
  });

  test('a 119-character model name and a 94-character feature name: no view is wider than a 390 px screen', async () => {
    const name = `fraud_detection_model_for_the_european_payments_platform_with_a_very_long_name_${'x'.repeat(40)}`;
    const feature = 'transaction_amount_in_euros_normalised_by_merchant_category_average_over_the_last_ninety_days';
    const version = '1.0.0-release-candidate-with-a-long-suffix-name';
    const declared = await call(srv.url, 'POST', '/v1/models', { name, outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { [feature]: { type: 'number' } } } });
    assert.ok(declared.status < 300, JSON.stringify(declared.body));
    assert.ok((await call(srv.url, 'POST', `/v1/models/${name}/versions`, { version })).status < 300);
    const now = Date.now();
    const events = Array.from({ length: 40 }, (_, i) => ({ model: name, version, timestamp: now - i * 60_000, features: { [feature]: i }, prediction: String(i % 2), score: 0.5, latencyMs: 10 }));
    assert.equal((await call(srv.url, 'POST', '/v1/events', { events })).status, 200);
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      for (const hash of [`#/model/${name}`, `#/feature/${name}/${feature}`, `#/debug/${name}`, `#/registry/${name}`, '#/overview', '#/exec']) {
        await openView(phone, `${srv.url}/ui/${hash}`, { complete: true });
        const width = await phone.evaluate('document.documentElement.scrollWidth') as number;
        assert.ok(width <= 390, `${hash.slice(0, 20)}…: the page is ${width} px wide on a 390 px screen`);
      }
    } finally {
      await phone.close();
    }
  });
});
