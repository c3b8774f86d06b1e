import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Server } from '../src/server.js';
import { browserUnavailable, launch, openView, watchErrors } from './helpers/browser.js';
import { poster, testServer } from './helpers/server.js';

/*
 * Audit 23: the y axis of a chart of small values read alike: a throughput of a few events an hour was drawn with
 * ticks "0, 0.01, 0.01, 0.02" (num(v, 2) of 0, 0.005, 0.01, 0.015). Tick labels now take more digits until ticks of
 * different values read differently. A real server with an injected clock, real events, Chromium; the labels the
 * canvas draws are on the chart's figure (data-y-ticks). Also (the same model, without reference or costs): a panel
 * the server cannot compute (422: no reference) was a red error box in the feature and debug views, and the cost
 * "$0.0 (— per inference; 0 of 90 events reported a cost)".
 */
const unavailable = browserUnavailable();
const NOW = Date.UTC(2026, 11, 7, 12);
const MIN = 60_000;
const HOURS = 6;

describe('audit 23: chart axes of small values tell their ticks apart (Chromium)', { skip: unavailable ?? false, timeout: 120_000 }, () => {
  let s: Server;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  before(async () => {
    browser = await launch();
    s = await testServer({ clock: () => NOW });
    const post = poster(() => s.url);
    const schema = { type: 'object', properties: { x: { type: 'number' } } };
    await post('/v1/models', { name: 'quiet', outputKind: 'regression', inputSchema: schema });
    await post('/v1/models/quiet/versions', { version: '1.0.0' });
    const from = NOW - HOURS * 60 * MIN;
    // quiet: an event every 4 minutes (15 an hour: ~0.004 events/s)
    const quiet = Array.from({ length: HOURS * 15 }, (_, i) => ({ model: 'quiet', version: '1.0.0', timestamp: from + i * 4 * MIN, features: { x: i }, prediction: 1, latencyMs: 10 }));
    const r = await post('/v1/events', { events: quiet });
    assert.equal(r['accepted'], quiet.length, JSON.stringify(r).slice(0, 300));
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    errors = watchErrors(page);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  /** The y-axis labels the chart drew, once drawn. */
  async function ticks(testid: string): Promise<string[]> {
    const fig = page.locator(`[data-testid="${testid}"] figure[data-y-ticks], figure[data-testid="${testid}"][data-y-ticks]`).first();
    await fig.waitFor({ timeout: 30_000 });
    return String(await fig.getAttribute('data-y-ticks')).split('|').filter((t) => t !== '');
  }

  /** Distinct ticks read differently, and only 0 reads as zero. */
  function assertReadable(labels: string[], zero: RegExp, what: string): void {
    assert.ok(labels.length >= 3, `${what}: ${labels.join(', ')}`);
    assert.equal(new Set(labels).size, labels.length, `${what}: ticks read alike: ${labels.join(', ')}`);
    assert.ok(labels.filter((l) => zero.test(l)).length <= 1, `${what}: more than one tick reads as zero: ${labels.join(', ')}`);
  }

  test('a throughput of a few events an hour', async () => {
    const range = `from=${NOW - HOURS * 60 * MIN}&to=${NOW}`;
    await openView(page, `${s.url}/ui/#/model/quiet?${range}`, { complete: true });
    const throughput = await ticks('throughput');
    assertReadable(throughput, /^0(\.0*)?$/, 'throughput');
    assert.ok(throughput.some((t) => /^0\.00\d/.test(t)), `ticks of thousandths: ${throughput.join(', ')}`);
    // the model has no reference: its drift is answered 422 (the view says so)
    assert.deepEqual(errors.filter((e) => !/422 .*\/drift\?/.test(e)), []);
  });

  test('no reference, no costs: said as such, not as a failure or a cost of $0.0', async () => {
    const range = `from=${NOW - HOURS * 60 * MIN}&to=${NOW}`;
    await openView(page, `${s.url}/ui/#/model/quiet?${range}`, { complete: true });
    const summary = (await page.locator('[data-testid="model-summary"]').textContent()) ?? '';
    assert.match(summary, /Costnot reported \(no event of the range has a costUsd\)/);
    assert.doesNotMatch(summary, /\$0\.0/);
    // the feature and debug views' drift panels: a version without a reference is a note, not a red error (audit 23)
    for (const hash of [`#/feature/quiet/x?${range}`, `#/debug/quiet?${range}`]) {
      await openView(page, `${s.url}/ui/${hash}`, { complete: true });
      assert.equal(await page.locator('.notice.error').count(), 0, `${hash}: ${await page.locator('.notice.error').allTextContents()}`);
      assert.equal(await page.locator('section.panel[data-state="error"]').count(), 0, hash);
      const notes = await page.locator('section.panel[data-state="not-computable"] .notice.not-available').allTextContents();
      assert.ok(notes.some((t) => /has no reference yet/.test(t)), `${hash}: ${JSON.stringify(notes)}`);
    }
  });
});
