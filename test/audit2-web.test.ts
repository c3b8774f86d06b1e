import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { browserUnavailable, launch, openView, watchErrors, waitForPage } from './helpers/browser.js';
import { tempDir } from './helpers/cli.js';
import { spawnServe, type RunningServer } from './helpers/process.js';

const unavailable = browserUnavailable();

/** Runs `action` (which changes the URL) and waits until the view it leads to has rendered its main panels. */
async function rerender(page: Page, action: () => Promise<void>): Promise<void> {
  const before = await page.evaluate('window.__lookout.renderStartMs') as number;
  await action();
  await waitForPage(page, `window.__lookout.renderStartMs > ${before} && window.__lookout.readyMs !== undefined`);
}

/** Model alpha with two versions and a segment key (no traffic needed: the tests only change filters). */
function config(dir: string): string {
  const cfg = join(dir, 'lookout.yaml');
  writeFileSync(cfg, [
    'dataDir: ./data', 'models:', '  - name: alpha', '    outputKind: binary', '    classes: ["0", "1"]', '    segmentKeys: [region]',
    '    inputSchema: { type: object, properties: { amount: { type: number } } }',
    '    versions:', '      - version: "1"', '      - version: "2"',
  ].join('\n'));
  return cfg;
}

const hashParams = async (page: Page): Promise<Record<string, string>> =>
  Object.fromEntries(new URLSearchParams((await page.evaluate('location.hash') as string).split('?')[1] ?? ''));

describe('audit 2 (web): dashboard filters and time ranges', { skip: unavailable ?? false, timeout: 180_000 }, () => {
  let srv: RunningServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  before(async () => {
    [srv, browser] = await Promise.all([spawnServe(['--config', config(tempDir('lookout-audit2-web-'))]), launch()]);
    // A time zone off UTC by a half hour: the custom range's local times must become the right instants.
    page = await browser.newPage({ viewport: { width: 1400, height: 900 }, timezoneId: 'Asia/Kolkata' });
    errors = watchErrors(page);
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  test('alerts view: changing the state filter keeps the selected time range (and the range picker keeps the state)', async () => {
    await openView(page, `${srv.url}/ui/#/alerts?range=7d&state=open`);
    assert.equal(await page.locator('[data-testid="range-label"]').textContent(), 'last 7d');
    await rerender(page, () => page.selectOption('select[aria-label="alert state"]', 'resolved').then(() => undefined));
    assert.deepEqual(await hashParams(page), { range: '7d', state: 'resolved' });
    assert.equal(await page.locator('[data-testid="range-label"]').textContent(), 'last 7d', 'the view stays on the chosen range');
    assert.equal(await page.locator('select[aria-label="time range"]').inputValue(), '7d');
    await rerender(page, () => page.selectOption('select[aria-label="time range"]', '1h').then(() => undefined));
    assert.deepEqual(await hashParams(page), { range: '1h', state: 'resolved' });
    assert.equal(await page.locator('select[aria-label="alert state"]').inputValue(), 'resolved');
    assert.deepEqual(errors, []);
  });

  test('model view: changing the version keeps the segment and the range', async () => {
    await openView(page, `${srv.url}/ui/#/model/alpha?range=24h&segment=region%3Deu&version=2`);
    await rerender(page, () => page.selectOption('select[aria-label="version"]', '1').then(() => undefined));
    assert.deepEqual(await hashParams(page), { range: '24h', segment: 'region=eu', version: '1' });
    assert.equal(await page.locator('.page-head .badge', { hasText: 'segment' }).textContent(), 'segment region=eu');
    errors.length = 0; // the drift queries' expected 422 (these versions have no reference)
  });

  test('a custom from/to range is picked in the header, goes into the URL, is used by the view and kept by the navigation', async () => {
    await openView(page, `${srv.url}/ui/#/alerts?state=all`);
    // Times in the browser's time zone, as a datetime-local input takes them.
    const local = (ms: number): Promise<string> => page.evaluate(`(() => { const d = new Date(${ms}); return new Date(${ms} - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16); })()`) as Promise<string>;
    const day = 86_400_000;
    const from = Math.floor(Date.now() / day) * day - 3 * day;
    const to = from + 2 * day + 3_600_000;
    await page.selectOption('select[aria-label="time range"]', 'custom');
    const fromInput = page.locator('input[type="datetime-local"][aria-label="from"]');
    const toInput = page.locator('input[type="datetime-local"][aria-label="to"]');
    assert.ok(await fromInput.isVisible(), 'choosing "custom" shows the from/to inputs');

    // The start after the end: a clear message, the URL is unchanged.
    await fromInput.fill(await local(to));
    await toInput.fill(await local(from));
    const hashBefore = await page.evaluate('location.hash');
    await page.click('form.custom-range button[type="submit"]');
    assert.match((await page.locator('[data-testid="range-error"]').textContent()) ?? '', /start must be before the end/);
    assert.equal(await page.evaluate('location.hash'), hashBefore);

    const stats: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/v1/monitors/stats')) stats.push(r.url());
    });
    await fromInput.fill(await local(from));
    await toInput.fill(await local(to));
    await rerender(page, () => page.click('form.custom-range button[type="submit"]'));
    const params = await hashParams(page);
    assert.deepEqual(params, { state: 'all', from: new Date(from).toISOString(), to: new Date(to).toISOString() }, 'the range is in the (shareable) URL, the state filter kept');
    assert.match((await page.locator('[data-testid="range-label"]').textContent()) ?? '', new RegExp(new Date(from).toISOString().slice(0, 16)));
    assert.ok(stats.some((u) => new URL(u).searchParams.get('from') === String(from) && new URL(u).searchParams.get('to') === String(to)), `the view queries the custom range: ${stats.join(', ')}`);

    // The shared URL opens on the same range, the picker showing it; the navigation keeps it for the other views.
    const p = await browser.newPage({ viewport: { width: 1400, height: 900 }, timezoneId: 'Asia/Kolkata' });
    await openView(p, `${srv.url}/ui/#/alerts?from=${params['from']}&to=${params['to']}`);
    assert.equal(await p.locator('select[aria-label="time range"]').inputValue(), 'custom');
    assert.equal(await p.locator('input[aria-label="from"]').inputValue(), await local(from));
    assert.equal(await p.locator('input[aria-label="to"]').inputValue(), await local(to));
    await rerender(p, () => p.locator('nav a', { hasText: 'On-call' }).click());
    assert.deepEqual(await hashParams(p), { from: params['from'], to: params['to'] }, 'the navigation carries the range');
    await p.close();
    assert.deepEqual(errors, []);
  });
});
