import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { browserUnavailable, launch, openView, watchErrors, waitForPage } from './helpers/browser.js';
import { tempDir } from './helpers/cli.js';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { call } from './helpers/server.js';

const HOUR = 3_600_000;
const unavailable = browserUnavailable();

/** Two models from lookout.yaml: alpha with a reference and a few hours of traffic, beta with a reference and none. */
function config(dir: string): string {
  const ref = join(dir, 'ref.csv');
  writeFileSync(ref, 'amount,plan,prediction,label\n' + Array.from({ length: 300 }, (_, i) => `${i % 50},${['a', 'b', 'c'][i % 3]},${i % 2},${i % 3 === 0 ? 1 : 0}`).join('\n') + '\n');
  const model = (name: string): string[] => [
    `  - name: ${name}`,
    '    outputKind: binary',
    '    classes: ["0", "1"]',
    '    inputSchema:',
    '      type: object',
    '      properties:',
    '        amount: { type: number }',
    '        plan: { type: string }',
    '    versions:',
    '      - version: "1"',
    '        reference: { file: ref.csv }',
  ];
  const cfg = join(dir, 'lookout.yaml');
  writeFileSync(cfg, ['dataDir: ./data', 'models:', ...model('alpha'), ...model('beta')].join('\n'));
  return cfg;
}

/** WCAG 2 contrast ratio of two CSS rgb()/rgba() colours (relative luminance as in the WCAG definition). */
function contrast(fg: string, bg: string): number {
  const lum = (css: string): number => {
    const [r, g, b] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map((x) => Number(x) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
  };
  const [hi, lo] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
}

describe('audit (web): dashboard defects a production user hits', { skip: unavailable ?? false, timeout: 180_000 }, () => {
  let srv: RunningServer;
  let empty: RunningServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  before(async () => {
    const dir = tempDir('lookout-audit-web-');
    [srv, empty, browser] = await Promise.all([spawnServe(['--config', config(dir)]), spawnServe(['--data-dir', tempDir('lookout-audit-web-empty-')]), launch()]);
    const now = Date.now();
    const events = Array.from({ length: 240 }, (_, i) => ({
      model: 'alpha', version: '1', timestamp: now - 3 * HOUR + i * 45_000, features: { amount: i % 50, plan: ['a', 'b', 'c'][i % 3] }, prediction: String(i % 2), score: (i % 10) / 10, latencyMs: 20 + (i % 7),
    }));
    const res = await call(srv.url, 'POST', '/v1/events', { events });
    assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchErrors(page);
  });
  after(async () => {
    await browser?.close();
    await Promise.all([srv?.stop(), empty?.stop()]);
  });

  test('a failed health or drift query never shows a model as OK; a chart whose requests failed says so instead of "No data"', async () => {
    // A custom range whose "from" is after its "to" (a hand-edited or mistyped link): the API answers 400 to each query.
    const now = Date.now();
    await openView(page, `${srv.url}/ui/#/overview?from=${now}&to=${now - 24 * HOUR}`, { complete: true });
    for (const model of ['alpha', 'beta']) {
      const row = page.locator(`tr[data-model="${model}"]`);
      assert.notEqual(await row.getAttribute('data-status'), 'green', `${model}: shown as OK though its queries failed`);
      assert.match((await row.locator('.reasons').textContent()) ?? '', /health query failed: .*"from" must be before "to"/);
    }
    await openView(page, `${srv.url}/ui/#/exec?from=${now}&to=${now - 24 * HOUR}`, { complete: true });
    const traffic = page.locator('section.panel', { hasText: 'Predictions per window' });
    assert.equal(await traffic.getAttribute('data-state'), 'error', 'the failed series requests are shown as an error');
    assert.match((await traffic.textContent()) ?? '', /"from" must be before "to"/);
    assert.equal(await page.locator('.empty', { hasText: 'No data in this range' }).count(), 0, 'failed requests are not "no data"');

    // The server answers the drift query of the model page with a 503 (overloaded, or a store error): the summary
    // says the drift query failed instead of "No reference for this version", and the status is not OK.
    const p = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await p.route(/\/v1\/models\/alpha\/drift\?/, (route) => route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'unavailable', message: 'store busy', details: null } }) }));
    await openView(p, `${srv.url}/ui/#/model/alpha?range=24h`);
    const summary = p.locator('[data-testid="model-summary"]');
    assert.match((await summary.textContent()) ?? '', /drift query failed: store busy \(HTTP 503, unavailable\)/);
    assert.doesNotMatch((await summary.textContent()) ?? '', /No reference for this version/);
    assert.notEqual(await summary.locator('.badge[data-status]').first().getAttribute('data-status'), 'green');
    await p.close();
    errors.length = 0; // the expected 400 answers of the reversed range
  });

  test('the model page status counts alerts and monitors like the overview row of the same range', async () => {
    const r = await call(srv.url, 'POST', '/v1/alerts', { source: 'audit-web', model: 'alpha', severity: 'page', summary: 'audit: model page status', labels: { check: 'audit' } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    await openView(page, `${srv.url}/ui/#/overview?range=24h`, { complete: true });
    const overviewStatus = await page.locator('tr[data-model="alpha"]').getAttribute('data-status');
    assert.equal(overviewStatus, 'red', 'an open page alert makes the overview row red');
    await openView(page, `${srv.url}/ui/#/model/alpha?range=24h`);
    const badge = page.locator('[data-testid="model-summary"] .badge[data-status]').first();
    assert.equal(await badge.getAttribute('data-status'), overviewStatus, 'the model page says the same as the overview');
    assert.match((await page.locator('[data-testid="model-summary"]').textContent()) ?? '', /page alert: audit-web/);
    assert.deepEqual(errors, []);
  });

  test('status badges: text contrast of at least 4.5:1 (WCAG AA for 12px text)', async () => {
    // alpha is red (the open page alert above), beta grey (no traffic)
    await openView(page, `${srv.url}/ui/#/overview?range=24h`, { complete: true });
    for (const status of ['red', 'grey']) {
      const badge = page.locator(`.badge[data-status="${status}"]`).first();
      const [fg, bg] = await badge.evaluate(new Function('e', 'const s = getComputedStyle(e); return [s.color, s.backgroundColor]') as (e: unknown) => [string, string]);
      const ratio = contrast(fg, bg);
      assert.ok(ratio >= 4.5, `${status} badge: ${fg} on ${bg} is ${ratio.toFixed(2)}:1`);
    }
  });

  test('sortable table headers work from the keyboard (Enter and Space), as their role="button" says', async () => {
    await openView(page, `${srv.url}/ui/#/overview?range=24h`, { complete: true });
    const header = page.locator('[data-testid="models-table"] th', { hasText: 'Model' });
    const order = (): Promise<Array<string | null>> => page.locator('[data-testid="models-table"] tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-model')));
    await header.focus();
    await page.keyboard.press('Enter');
    assert.equal(await header.getAttribute('aria-sort'), 'ascending');
    assert.deepEqual(await order(), ['alpha', 'beta']);
    await page.keyboard.press(' ');
    assert.equal(await header.getAttribute('aria-sort'), 'descending');
    assert.deepEqual(await order(), ['beta', 'alpha']);
  });

  test('at a phone width (390 px) no view is wider than the screen and the header does not cover the page', async () => {
    const p = await browser.newPage({ viewport: { width: 390, height: 800 } });
    const errs = watchErrors(p);
    for (const hash of ['#/overview?range=24h', '#/model/alpha?range=24h', '#/alerts?state=all', '#/registry/alpha', '#/slos', '#/debug/alpha']) {
      await openView(p, `${srv.url}/ui/${hash}`, { complete: true });
      const width = await p.evaluate('document.documentElement.scrollWidth') as number;
      assert.ok(width <= 390, `${hash}: the page is ${width} px wide on a 390 px screen`);
      const panels = await p.locator('section.panel').evaluateAll((l) => l.map((e) => Math.round(e.getBoundingClientRect().right)));
      assert.ok(panels.length > 0 && panels.every((r) => r <= 390), `${hash}: panels end at ${panels.join(', ')} px`);
      // the header (its links wrap to two rows on a phone) scrolls away with the page instead of staying over it
      await p.evaluate('window.scrollTo(0, 400)');
      const [top, scrolled] = await p.evaluate('[document.querySelector("header.top").getBoundingClientRect().top, window.scrollY]') as [number, number];
      assert.ok(Math.abs(top + scrolled) < 1, `${hash}: the header stays on screen after scrolling ${scrolled} px (top at ${top} px)`);
    }
    assert.deepEqual(errs, []);
    await p.close();
  });

  test('empty store: the registry, executive and on-call views say there are no models (not a blank page or "not available")', async () => {
    await openView(page, `${empty.url}/ui/#/registry`, { complete: true });
    assert.match((await page.locator('#app').textContent()) ?? '', /No models yet/);
    await openView(page, `${empty.url}/ui/#/registry/nope`, { complete: true });
    assert.match((await page.locator('#app').textContent()) ?? '', /Unknown model "nope"/);
    await openView(page, `${empty.url}/ui/#/exec`, { complete: true });
    assert.match((await page.locator('[data-testid="exec-models"]').textContent()) ?? '', /No models yet/);
    await openView(page, `${empty.url}/ui/#/oncall`, { complete: true });
    const changes = page.locator('[data-testid="oncall-changes"]');
    assert.doesNotMatch((await changes.textContent()) ?? '', /not available/, 'the server has deployment history; there are just no models');
    assert.match((await changes.textContent()) ?? '', /No deployments in this range/);
    assert.deepEqual(errors, []);
  });

  test('server stopped while the page is open: the panels say the server did not answer (not the bare "Failed to fetch")', async () => {
    const gone = await spawnServe(['--data-dir', tempDir('lookout-audit-web-gone-')]);
    const p = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await openView(p, `${gone.url}/ui/#/alerts?state=open`, { complete: true });
      await gone.stop();
      await p.evaluate('location.hash = "#/alerts?state=all"');
      await waitForPage(p, 'document.body.dataset.complete === "true" && document.querySelector(\'[data-testid="alerts"]\').dataset.state === "error"');
      const texts = await p.locator('section.panel[data-state="error"] .notice').allTextContents();
      assert.equal(texts.length, 5, JSON.stringify(texts)); // alerts, actions waiting for approval, silences, false-positive rates, notifier deliveries
      for (const t of texts) assert.match(t, /^The Lookout server did not answer \(.+\): it may be down or restarting\. Reload the page to try again\.$/);
    } finally {
      await p.close();
      await gone.stop();
    }
  });
});
