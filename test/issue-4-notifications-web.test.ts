import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Server } from '../src/server.js';
import { browserUnavailable, launch, openView, watchErrors } from './helpers/browser.js';
import { Receiver } from './helpers/receiver.js';
import { poster, testServer } from './helpers/server.js';

/*
 * Issue 4 (notifications): a notifier that fails (a pager webhook down) was visible only in the notification log
 * (GET /v1/notifications); the Alerts view now has a panel of the range's deliveries per notifier, sent and failed,
 * with the last failure's error. A real server with an injected clock, two loopback webhooks (one answering 500),
 * a real alert, Chromium.
 */
const unavailable = browserUnavailable();
const START = Date.UTC(2026, 10, 3, 9);
const MIN = 60_000;

describe('issue 4: notifier deliveries in the dashboard\'s Alerts view (Chromium)', { skip: unavailable ?? false, timeout: 120_000 }, () => {
  let s: Server;
  let ok: Receiver;
  let down: Receiver;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let now = START;
  before(async () => {
    [ok, down, browser] = await Promise.all([Receiver.start(), Receiver.start(500), launch()]);
    s = await testServer({
      clock: () => now,
      configure: (c) => {
        c.alerting = {
          evaluationInterval: 0, groupWait: '1m', groupInterval: '5m',
          notifiers: [{ id: 'pager', kind: 'webhook', url: `${ok.url}/hook` }, { id: 'chat', kind: 'webhook', url: `${down.url}/hook`, retries: 0 }],
        };
      },
    });
    const post = poster(() => s.url);
    await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
    await post('/v1/alerts', { source: 'feed', model: 'churn', severity: 'page', summary: 'feed stalled' });
    now += 2 * MIN; // past the group wait: sent to both, chat fails
    await post('/v1/monitors/run', {});
    now += 6 * MIN; // a group interval on: chat gets the group again (it failed), and fails again
    await post('/v1/monitors/run', {});
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchErrors(page);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
    await ok?.close();
    await down?.close();
  });

  test('per notifier: sent and failed in the range, the failing one first with its last error', async () => {
    assert.equal(ok.received.length, 1);
    assert.equal(down.received.length, 2);
    await openView(page, `${s.url}/ui/#/alerts?from=${START - 60 * MIN}&to=${START + 60 * MIN}`, { complete: true });
    const rows = page.locator('[data-testid="notifier-table"] tbody tr');
    assert.equal(await rows.count(), 2);
    const cells = async (i: number): Promise<string[]> => (await rows.nth(i).locator('td').allTextContents()).map((t) => t.trim());
    const chat = await cells(0);
    assert.deepEqual(chat.slice(0, 3), ['chat', '0', '2'], 'the failing notifier first');
    assert.match(chat[4] ?? '', /500/, 'its last error');
    assert.equal(await rows.nth(0).getAttribute('data-notifier'), 'chat');
    assert.deepEqual((await cells(1)).slice(0, 3), ['pager', '1', '0']);
    assert.equal((await cells(1))[4], '', 'no error for one that never failed');
    // a range without deliveries says so
    await openView(page, `${s.url}/ui/#/alerts?from=${START - 120 * MIN}&to=${START - 60 * MIN}`, { complete: true });
    await page.locator('[data-testid="no-notifications"]').waitFor();
    assert.deepEqual(errors, []);
  });
});
