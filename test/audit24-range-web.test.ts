import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Server } from '../src/server.js';
import type { AlertRecord } from '../src/storage/alerts.js';
import { browserUnavailable, launch, openView, watchErrors } from './helpers/browser.js';
import { succeeding, testServer } from './helpers/server.js';

/*
 * Audit 24 (range, web): the dashboard's Alerts view listed alerts whatever the page's range. It now lists those active
 * at some moment of it (GET /v1/alerts?activeFrom=&activeTo=), says so, and names the open alerts that started after a
 * past range rather than hide them without a word. A real server whose clock is the browser's (alerts raised at past
 * times), Chromium.
 */
const unavailable = browserUnavailable();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('audit 24 (range): the Alerts view lists the alerts active in the page\'s range (Chromium)', { skip: unavailable ?? false, timeout: 120_000 }, () => {
  let s: Server;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  // the browser's time, when the alerts are made: every range below is relative to it
  const T = Date.now();
  let now = T;
  const id: Record<string, string> = {};
  const rows = async (): Promise<string[]> => {
    const ids = await page.locator('[data-testid="alerts-table"] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-alert') ?? ''));
    return ids.map((x) => Object.keys(id).find((k) => id[k] === x) ?? x).sort();
  };

  before(async () => {
    [s, browser] = await Promise.all([testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } }), launch()]);
    const ok = succeeding(() => s.url);
    await ok('POST', '/v1/models', { name: 'churn', outputKind: 'regression', inputSchema: { type: 'object' } });
    const raise = async (name: string, at: number): Promise<void> => {
      now = at;
      id[name] = ((await ok('POST', '/v1/alerts', { source: `audit24-${name}`, model: 'churn', severity: 'page', summary: `alert ${name}` }))['alert'] as AlertRecord).id;
    };
    const change = async (name: string, verb: 'resolve' | 'false-positive', at: number): Promise<void> => {
      now = at;
      await ok('POST', `/v1/alerts/${id[name]}/${verb}`, { by: 'ann' });
    };
    await raise('old-open', T - 40 * DAY);
    await raise('old-resolved-in', T - 40 * DAY);
    await raise('old-resolved-out', T - 40 * DAY);
    await change('old-resolved-out', 'resolve', T - 35 * DAY);
    await change('old-resolved-in', 'resolve', T - 20 * DAY);
    await raise('recent-fp', T - 2 * DAY);
    await change('recent-fp', 'false-positive', T - DAY - HOUR);
    await raise('new-open', T - HOUR);
    now = T;
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchErrors(page);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  test('a preset range: the alerts active in it (those that started before it and were still firing in it too), said so', async () => {
    const asked: URL[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname === '/v1/alerts') asked.push(u);
    });
    await openView(page, `${s.url}/ui/#/alerts?state=all`, { complete: true });
    assert.deepStrictEqual(await rows(), ['new-open', 'old-open', 'old-resolved-in', 'recent-fp'], 'the view\'s default range, the last 30 days: old-resolved-out ended before it');
    assert.match((await page.locator('[data-testid="alerts-range-note"]').textContent()) ?? '', /alerts active at some moment of the range \(last 30d\)/);
    // a range ending now gives no end: the server's now ends it
    const q = asked.find((u) => u.searchParams.get('state') === 'all');
    assert.ok(q, asked.join(', '));
    assert.ok(Math.abs(Number(q.searchParams.get('activeFrom')) - (T - 30 * DAY)) < 5 * 60_000, q.toString());
    assert.equal(q.searchParams.get('activeTo'), null);
    // the resolved alert's end is shown
    assert.match((await page.locator(`tr[data-alert="${id['old-resolved-in']}"]`).textContent()) ?? '', /40d ago.*20d ago/);
    await openView(page, `${s.url}/ui/#/alerts?state=all&range=24h`, { complete: true });
    assert.deepStrictEqual(await rows(), ['new-open', 'old-open'], 'the alert open 40 days is firing in the last 24 h; the false positive ended before it');
    await openView(page, `${s.url}/ui/#/alerts?state=resolved&range=24h`, { complete: true });
    assert.match((await page.locator('[data-testid="no-alerts"]').textContent()) ?? '', /No resolved alerts active in this range/);
    assert.deepStrictEqual(errors, []);
  });

  test('a past custom range: the alerts active in it; the open ones that started after it counted, with a link to the range up to now', async () => {
    const iso = (t: number): string => new Date(t).toISOString();
    await openView(page, `${s.url}/ui/#/alerts?state=resolved&from=${iso(T - 38 * DAY)}&to=${iso(T - 36 * DAY)}`, { complete: true });
    assert.deepStrictEqual(await rows(), ['old-resolved-in', 'old-resolved-out']);
    assert.equal(await page.locator('[data-testid="open-after-range"]').count(), 0, 'no note of open alerts on the resolved list');
    await openView(page, `${s.url}/ui/#/alerts?state=open&from=${iso(T - 39 * DAY)}&to=${iso(T - 3 * HOUR)}`, { complete: true });
    assert.deepStrictEqual(await rows(), ['old-open']);
    const note = page.locator('[data-testid="open-after-range"]');
    assert.match((await note.textContent()) ?? '', /^1 open alert started after this range and is not listed: show the range up to now\.$/);
    await note.locator('a').click();
    await page.locator(`tr[data-alert="${id['new-open']}"]`).waitFor();
    assert.deepStrictEqual(await rows(), ['new-open', 'old-open']);
    assert.equal(new URLSearchParams(page.url().split('?')[1] ?? '').get('state'), 'open');
    assert.equal(await page.locator('[data-testid="open-after-range"]').count(), 0);
    assert.deepStrictEqual(errors, []);
  });
});
