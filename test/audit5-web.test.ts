import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Server } from '../src/server.js';
import { browserUnavailable, launch, openView, watchErrors } from './helpers/browser.js';
import { multiclassRows } from './helpers/multiclass.js';
import { poster, testServer } from './helpers/server.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const unavailable = browserUnavailable();

describe('audit 5 (web): the quality chart of a multiclass model', { skip: unavailable ?? false, timeout: 120_000 }, () => {
  let s: Server;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const post = poster(() => s.url);

  before(async () => {
    [s, browser] = await Promise.all([testServer({ clock: () => NOW }), launch()]);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchErrors(page);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  test('draws the multiclass CBPE estimate beside the realized accuracy and says so (it asked for binary models only)', async () => {
    await post('/v1/models', { name: 'mc', outputKind: 'multiclass', classes: ['a', 'b', 'c'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
    await post('/v1/models/mc/versions', { version: '1' });
    const { reference, events } = multiclassRows();
    const up = await fetch(`${s.url}/v1/models/mc/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: reference });
    assert.equal(up.status, 200, await up.text());
    const from = NOW - 2 * HOUR;
    await post('/v1/events', { events: events.map((e, i) => ({ id: `mc-${i}`, model: 'mc', version: '1', timestamp: from + i * 20_000, features: { x: i }, prediction: e.prediction, scores: e.scores })) });
    await post('/v1/labels', { labels: events.map((e, i) => ({ id: `mc-${i}`, label: e.label })) });
    await openView(page, `${s.url}/ui/#/model/mc?from=${from}&to=${NOW}`, { complete: true });
    const chart = page.locator('[data-testid="quality-chart"]');
    assert.match((await chart.locator('figcaption').textContent()) ?? '', /realized \(95% CI\) vs estimated \(CBPE\)/);
    assert.match((await chart.locator('.u-legend').textContent()) ?? '', /estimated \(CBPE\)/);
    assert.deepEqual(errors, []);
  });
  test('the model view says how many events the cost is of; a feature view names the bucket of categories beyond the cap', async () => {
    // costEvents (7de4964) and the capped bucket's `other: true` (3cba28c) had no browser test.
    await post('/v1/models', { name: 'shop', outputKind: 'regression', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } });
    await post('/v1/models/shop/versions', { version: '1' });
    // 250 cities in the reference: over the summaries' cap of 200, the rest in the bucket
    const cities = Array.from({ length: 250 }, (_, i) => `c${i}`);
    const up = await fetch(`${s.url}/v1/models/shop/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: `city,prediction\n${cities.map((c, i) => `${c},${i}`).join('\n')}\n` });
    assert.equal(up.status, 200, await up.text());
    const from = NOW - HOUR;
    await post('/v1/events', { events: cities.map((c, i) => ({ id: `shop-${i}`, model: 'shop', version: '1', timestamp: from + i * 10_000, features: { city: c }, prediction: i, ...(i % 2 === 0 && { costUsd: 0.01 }) })) });
    await openView(page, `${s.url}/ui/#/model/shop?from=${from}&to=${NOW}`, { complete: true });
    assert.match((await page.locator('[data-testid="model-summary"]').textContent()) ?? '', /125 of 250 events reported a cost/);
    await openView(page, `${s.url}/ui/#/feature/shop/city?from=${from}&to=${NOW}`, { complete: true });
    const names = await page.locator('[data-testid="distribution"] .catname').allTextContents();
    assert.ok(names.includes('(other: categories beyond the cap)'), JSON.stringify(names));
    assert.ok(!names.includes('__other__'), JSON.stringify(names));
    assert.deepEqual(errors, []);
  });
});
