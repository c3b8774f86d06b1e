import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Server } from '../src/server.js';
import { browserUnavailable, launch, openView, watchErrors } from './helpers/browser.js';
import { call, poster, testServer } from './helpers/server.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const unavailable = browserUnavailable();

describe('audit 9 (web): a segment key that needs URL encoding', { skip: unavailable ?? false, timeout: 120_000 }, () => {
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
    await post('/v1/models', { name: 'm', outputKind: 'binary', classes: ['0', '1'], segmentKeys: ['region code'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
    await post('/v1/models/m/versions', { version: '1' });
    const reference = `x,prediction\n${Array.from({ length: 300 }, (_, i) => `${i % 50},${i % 2}`).join('\n')}\n`;
    const up = await fetch(`${s.url}/v1/models/m/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: reference });
    assert.equal(up.status, 200, await up.text());
    const events = Array.from({ length: 300 }, (_, i) => ({
      id: `e-${i}`, model: 'm', version: '1', timestamp: from + i * 20_000, segment: { 'region code': i % 3 === 0 ? 'eu west' : 'us' }, features: { x: i % 50 }, prediction: String(i % 2),
    }));
    await post('/v1/events', { events });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  test('issue 6: the model page\'s segment table names "region code=eu west" with its counts (the key was shown, and queried, as "region%20code")', async () => {
    await openView(page, `${s.url}/ui/#/model/m?${range}`, { complete: true });
    const rows = page.locator('[data-testid="segments-table"] tbody tr');
    const shown = new Map<string, string>();
    for (let i = 0; i < await rows.count(); i++) {
      const cells = rows.nth(i).locator('td');
      shown.set((await cells.nth(0).textContent()) ?? '', (await cells.nth(1).textContent()) ?? '');
    }
    for (const value of ['eu west', 'us']) {
      const api = await call(s.url, 'GET', `/v1/models/m/health?${range}&segment=${encodeURIComponent(`region code=${value}`)}`);
      assert.equal(api.status, 200, JSON.stringify(api.body));
      const events = String(api.body['events']);
      assert.equal(shown.get(`region code=${value}`), events, `segment rows: ${JSON.stringify([...shown])}`);
    }
    assert.deepEqual(errors, []);
  });
});
