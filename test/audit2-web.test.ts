import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { browserUnavailable, launch, openView, watchErrors } from './helpers/browser.js';
import { tempDir } from './helpers/cli.js';
import { spawnServe, type RunningServer } from './helpers/process.js';

const unavailable = browserUnavailable();

/** Runs `action` (which changes the URL) and waits until the view it leads to has rendered its main panels. */
async function rerender(page: Page, action: () => Promise<void>): Promise<void> {
  const before = await page.evaluate('window.__lookout.renderStartMs') as number;
  await action();
  await page.waitForFunction(`window.__lookout.renderStartMs > ${before} && window.__lookout.readyMs !== undefined`);
}

/** Model alpha with two versions (no traffic needed: the tests only change filters). */
function config(dir: string): string {
  const cfg = join(dir, 'lookout.yaml');
  writeFileSync(cfg, [
    'dataDir: ./data', 'models:', '  - name: alpha', '    outputKind: binary', '    classes: ["0", "1"]',
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
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
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
});
