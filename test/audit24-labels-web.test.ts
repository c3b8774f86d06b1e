import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Server } from '../src/server.js';
import { browserUnavailable, launch, openView, watchErrors } from './helpers/browser.js';
import { call, poster, testServer } from './helpers/server.js';

const H = 3_600_000;
const DAY = 24 * H;
const T0 = Date.UTC(2026, 10, 2, 9);
const unavailable = browserUnavailable();

describe('audit 24 (labels, web): the quality panel of a range whose events retention.eventsDays deleted', { skip: unavailable ?? false, timeout: 120_000 }, () => {
  let now = T0 + 2 * H;
  let s: Server;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const post = poster(() => s.url);

  before(async () => {
    [s, browser] = await Promise.all([testServer({ clock: () => now, configure: (c) => (c.retention = { eventsDays: 1 }) }), launch()]);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchErrors(page);
    await post('/v1/models', { name: 'old', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object', properties: { x: { type: 'number' } } } });
    await post('/v1/models/old/versions', { version: '1' });
    // a reference, so that the page's drift panels have one (a 422 otherwise)
    const reference = `x,prediction\n${Array.from({ length: 100 }, (_, i) => `${i},${i % 2}`).join('\n')}\n`;
    const up = await fetch(`${s.url}/v1/models/old/versions/1/reference`, { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: reference });
    assert.equal(up.status, 200, await up.text());
    const events = Array.from({ length: 40 }, (_, i) => ({ id: `o${i}`, model: 'old', version: '1', timestamp: T0 + i * 60_000, features: { x: i }, prediction: String(i % 2) }));
    assert.equal((await post('/v1/events', { events }))['accepted'], 40);
    assert.equal((await post('/v1/labels', { labels: events.map((e) => ({ id: e.id, label: e.prediction })) }))['accepted'], 40);
    now = T0 + DAY + 10 * H;
    assert.equal((await s.deps.retention?.run())?.events, 40);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  test('says the events were deleted with their labels, not that labels are needed (was: "needs labels (POST /v1/labels ...)" for a range fully labelled)', async () => {
    const range = `from=${T0}&to=${T0 + 2 * H}`;
    const b = await call(s.url, 'GET', `/v1/models/old/performance/buckets?${range}&step=1h`);
    assert.ok((b.body['buckets'] as Array<{ labelCoverageNote?: string }>)[0]?.labelCoverageNote, JSON.stringify(b.body));
    await openView(page, `${s.url}/ui/#/model/old?${range}`, { complete: true });
    const note = (await page.locator('[data-testid="quality"] [data-testid="no-labels"]').textContent()) ?? '';
    assert.match(note, /No labelled events in this range: the events of this range were deleted by retention\.eventsDays \(1 day\) with their labels/);
    assert.doesNotMatch(note, /needs labels/);
    assert.deepEqual(errors, []);
  });
});
