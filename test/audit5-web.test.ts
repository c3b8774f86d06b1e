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
});
