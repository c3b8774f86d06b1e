import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Server } from '../src/server.js';
import { browserUnavailable, launch, openView, watchErrors, waitForPage } from './helpers/browser.js';
import { call, poster, testServer } from './helpers/server.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const unavailable = browserUnavailable();

const hashParams = async (page: Page): Promise<Record<string, string>> =>
  Object.fromEntries(new URLSearchParams((await page.evaluate('location.hash') as string).split('?')[1] ?? ''));

/** Clicks a link and waits until the view it leads to has rendered all its panels. */
async function follow(page: Page, click: () => Promise<void>): Promise<void> {
  const before = await page.evaluate('window.__lookout.renderStartMs') as number;
  await click();
  await waitForPage(page, `window.__lookout.renderStartMs > ${before} && window.__lookout.completeMs !== undefined`);
}

describe('audit 8 (web): drill-down links keep the version and segment looked at', { skip: unavailable ?? false, timeout: 120_000 }, () => {
  let s: Server;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const post = poster(() => s.url);
  const from = NOW - 2 * HOUR;
  const range = `from=${from}&to=${NOW}`;

  before(async () => {
    [s, browser] = await Promise.all([testServer({ clock: () => NOW }), launch()]);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchErrors(page);
    // Model m, versions 1 and 2 with the same reference (x uniform on 0..99); version 1's traffic drifted
    // (x shifted by 60, in region eu only), version 2's not.
    await post('/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], segmentKeys: ['region'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
    const reference = `x,prediction\n${Array.from({ length: 400 }, (_, i) => `${i % 100},${i % 2}`).join('\n')}\n`;
    for (const v of ['1', '2']) {
      await post('/v1/models/m/versions', { version: v });
      const up = await fetch(`${s.url}/v1/models/m/versions/${v}/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: reference });
      assert.equal(up.status, 200, await up.text());
    }
    const events = ['1', '2'].flatMap((v) => Array.from({ length: 400 }, (_, i) => {
      const region = i % 2 === 0 ? 'eu' : 'us';
      return { id: `${v}-${i}`, model: 'm', version: v, timestamp: from + i * 15_000, segment: { region }, features: { x: (i % 100) + (v === '1' && region === 'eu' ? 60 : 0) }, prediction: String(i % 2) };
    }));
    await post('/v1/events', { events });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  test('an overview row of an older version leads to that version\'s model page, with the row\'s figures', async () => {
    // It led to the newest version's page (the model link had only the range): the user clicked a red row for
    // version 1 and saw version 2, green, with other numbers.
    await openView(page, `${s.url}/ui/#/overview?${range}`, { complete: true });
    const row = page.locator('[data-testid="models-table"] tbody tr[data-version="1"]');
    assert.equal(await row.getAttribute('data-status'), 'red');
    const drifted = (await row.locator('td').nth(7).textContent()) ?? '';
    await follow(page, () => row.locator('a', { hasText: 'm' }).click());
    assert.deepEqual(await hashParams(page), { from: String(from), to: String(NOW), version: '1' });
    assert.equal(await page.locator('select[aria-label="version"]').inputValue(), '1');
    const api = (await call(s.url, 'GET', `/v1/models/m/drift?${range}&version=1`)).body as { datasetDrift: { driftedFeatures: number; features: number } };
    const summary = (await page.locator('[data-testid="model-summary"]').textContent()) ?? '';
    assert.match(summary, new RegExp(`${api.datasetDrift.driftedFeatures}/${api.datasetDrift.features} features`));
    assert.equal(drifted, `${api.datasetDrift.driftedFeatures}/${api.datasetDrift.features} features`);
    assert.match(summary, /Problem|dataset drift/i);
    assert.deepEqual(errors, []);
  });

  test('a feature link of a model page for a version and segment opens the feature for them, and its model link leads back', async () => {
    // The feature link had only the range: the page showed the newest version's whole traffic (no drift)
    // under the model page's drifted row for version 1 in region eu.
    await openView(page, `${s.url}/ui/#/model/m?${range}&version=1&segment=region%3Deu`, { complete: true });
    const shown = (await page.locator('[data-testid="top-drifting"] tr[data-feature="x"] td').nth(3).textContent()) ?? '';
    await follow(page, () => page.locator('[data-testid="top-drifting"] a', { hasText: 'x' }).click());
    assert.deepEqual(await hashParams(page), { from: String(from), to: String(NOW), version: '1', segment: 'region=eu' });
    const api = (await call(s.url, 'GET', `/v1/models/m/drift?${range}&version=1&segment=region%3Deu`)).body as { features: Array<{ name: string; score: number; drifted: boolean }> };
    const x = api.features.find((f) => f.name === 'x');
    assert.ok(x?.drifted, JSON.stringify(x));
    const verdict = (await page.locator('[data-testid="feature-verdict"]').textContent()) ?? '';
    assert.match(verdict, /^Problem /, 'drifted, as in the row clicked');
    assert.ok(verdict.includes(`= ${shown} (`), `the feature page shows the score of the row clicked (${shown}): ${verdict}`);
    const score = Number(/= (\S+) \(/.exec(verdict)?.[1]);
    assert.ok(Math.abs(score - (x as { score: number }).score) <= 0.01 * (x as { score: number }).score, `the API's score ${x?.score}: ${verdict}`);
    await follow(page, () => page.locator('.page-head a', { hasText: 'm' }).click());
    assert.deepEqual(await hashParams(page), { from: String(from), to: String(NOW), version: '1', segment: 'region=eu' });
    assert.equal(await page.locator('select[aria-label="version"]').inputValue(), '1');
    // the debug link keeps the version too
    assert.equal(new URLSearchParams((await page.locator('.page-head a', { hasText: 'debug view' }).getAttribute('href'))?.split('?')[1]).get('version'), '1');
    assert.deepEqual(errors, []);
  });

  test('the quality panel of a range with traffic but no labels says there are none, or since when (it said nothing about labels)', async () => {
    await openView(page, `${s.url}/ui/#/model/m?${range}&version=2`, { complete: true });
    const api = (await call(s.url, 'GET', `/v1/models/m/performance?${range}&version=2`)).body as { labelled: number; events: number };
    assert.deepEqual([api.labelled, api.events > 0], [0, true]);
    assert.match((await page.locator('[data-testid="quality"] [data-testid="no-labels"]').textContent()) ?? '', /No labelled events in this range: realized accuracy needs labels/);
    // Labels for the first 50 minutes only (the 10:00 bucket): the line stops at 11:00 and the panel says why
    const label = (i: number): { id: string; label: string } => ({ id: `2-${i}`, label: String(i % 3 === 0 ? 1 : 0) });
    await post('/v1/labels', { labels: Array.from({ length: 200 }, (_, i) => label(i)) });
    await openView(page, `${s.url}/ui/#/model/m?${range}&version=2`, { complete: true });
    const buckets = (await call(s.url, 'GET', `/v1/models/m/performance/buckets?${range}&version=2&step=1h`)).body as { buckets: Array<{ to: number; labelled: number }> };
    assert.deepEqual(buckets.buckets.map((b) => b.labelled), [200, 0]);
    const upTo = new Date(buckets.buckets[0]?.to ?? 0).toISOString().slice(0, 16).replace('T', ' ');
    assert.match((await page.locator('[data-testid="quality"] [data-testid="no-labels"]').textContent()) ?? '', new RegExp(`No labelled events after ${upTo}Z: realized accuracy stops there`));
    // With every label the note goes
    await post('/v1/labels', { labels: Array.from({ length: 200 }, (_, i) => label(200 + i)) });
    await openView(page, `${s.url}/ui/#/model/m?${range}&version=2`, { complete: true });
    assert.equal(await page.locator('[data-testid="quality"] [data-testid="no-labels"]').count(), 0);
    assert.deepEqual(errors, []);
  });
});
