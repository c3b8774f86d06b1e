import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Server } from '../src/server.js';
import { browserUnavailable, launch, openView, watchErrors } from './helpers/browser.js';
import { call, poster, testServer } from './helpers/server.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const unavailable = browserUnavailable();

describe('audit 4 (web): a pending monitor (for:) in the dashboard', { skip: unavailable ?? false, timeout: 120_000 }, () => {
  const LIVE = Date.UTC(2026, 1, 9, 0);
  let now = LIVE + HOUR + MIN;
  let s: Server;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const post = poster(() => s.url);
  const events = (from: number, bad: boolean): Array<Record<string, unknown>> => Array.from({ length: 20 }, (_, i) => ({
    id: `w${from}-${i}`, model: 'churn', version: '1', timestamp: from + i * 3 * MIN, features: { x: 1 }, prediction: '1', score: 0.7, ...(bad && { error: 'boom' }),
  }));

  before(async () => {
    [s, browser] = await Promise.all([testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } }), launch()]);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchErrors(page);
    await post('/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
    await post('/v1/models/churn/versions', { version: '1' });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  test('a monitor crossing its level for less than its for: duration makes the model yellow, saying what it would fire at and when', async () => {
    await post('/v1/monitors', { id: 'held', model: 'churn', metric: 'errorRate', window: '1h', minSamples: 10, for: '2h', levels: [{ severity: 'page', threshold: 0.5 }] });
    await post('/v1/events', { events: events(LIVE + HOUR, true) });
    now = LIVE + 2 * HOUR + 2 * MIN;
    await post('/v1/monitors/run', {});
    const last = ((await call(s.url, 'GET', '/v1/monitors/held')).body['monitor'] as { last: Record<string, unknown> }).last;
    assert.deepEqual([last['status'], last['firesAt']], ['pending', LIVE + 4 * HOUR], JSON.stringify(last));
    await openView(page, `${s.url}/ui/#/overview?from=${LIVE + 3 * HOUR}&to=${LIVE + 4 * HOUR}`, { complete: true });
    const row = page.locator('tr[data-model="churn"]');
    assert.equal(await row.getAttribute('data-status'), 'yellow', (await row.textContent()) ?? '');
    assert.match((await row.textContent()) ?? '', /monitor churn errorRate: pending page \(fires at 2026-02-09 04:00 UTC if it holds\)/);
    // a model without a reference has no drift (422), which the overview leaves out: the only failed request
    assert.deepEqual(errors.filter((e) => !/status of 422 .*\/v1\/models\/churn\/drift/.test(e)), []);
  });

  test('the SLO view colours a burn by the page factor of the SLO\'s own window: 10x is red for a 7-day SLO (page at 3.36x), not yet for a 30-day one (14.4x)', async () => {
    for (const [id, windowDays] of [['avail7', 7], ['avail30', 30]] as const) {
      await post('/v1/slos', { id, name: `slo ${id}`, model: 'churn', kind: 'availability', objective: 0.9, windowDays, minEvents: 5 });
    }
    await openView(page, `${s.url}/ui/#/slos`, { complete: true });
    const cells = async (id: string): Promise<{ rules: string; burn1h: string | null }> => {
      const row = page.locator('[data-testid="slo-table"] tbody tr', { hasText: `slo ${id}` });
      // columns: SLO, model, objective, budget, alert rules, burn 5m, 30m, 1h, ...
      return { rules: (await row.locator('td').nth(4).textContent()) ?? '', burn1h: await row.locator('td').nth(7).locator('span').getAttribute('class') };
    };
    const week = await cells('avail7');
    const month = await cells('avail30');
    assert.match(week.rules, /^page 3\.36× \(1h\/5m\), page 1\.4× \(6h\/30m\), ticket 0\.7× \(1d\/2h\), ticket 0\.23× \(3d\/6h\)$/);
    assert.match(month.rules, /^page 14\.4× \(1h\/5m\), page 6× \(6h\/30m\), ticket 3× \(1d\/2h\), ticket 1× \(3d\/6h\)$/);
    assert.deepEqual([week.burn1h, month.burn1h], ['status-text-red', 'status-text-yellow']);
    assert.deepEqual(errors.filter((e) => !/status of 422 .*\/v1\/models\/churn\/drift/.test(e)), []);
  });
});
