import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { LookoutConfig } from '../src/config.js';
import type { Server } from '../src/server.js';
import type { AlertRecord } from '../src/storage/alerts.js';
import { openStore } from '../src/storage/open.js';
import { browserUnavailable, launch, openView, openViewAsking, watchErrors } from './helpers/browser.js';
import { tempDir } from './helpers/cli.js';
import { declareChartModel } from './helpers/chart-model.js';
import { succeeding, testServer } from './helpers/server.js';

/*
 * Audit 24 (dashboard, web2):
 * - the time charts' alert markers came from the model's 1,000 newest alerts (GET /v1/alerts?model=&state=all), so a
 *   past range of a model with more newer alerts had none; they are now the alerts the server answers active in the
 *   chart's range (activeFrom/activeTo), every page of them;
 * - the on-call view's "Needs attention" read one page of open alerts (1,000): more were left out without a word; it now
 *   reads every page and says how many there are (since audit 25 it lists the 10 most urgent and counts the rest);
 * - a monitor stored by an older release with a level that can never be the verdict is answered with `warnings`
 *   (GET /v1/monitors); the dashboard showed nothing of them: the overview row and the model page show them as a note
 *   beside the status, not as an error (the colour is not changed).
 * A real server (its clock set back to raise and resolve alerts at past times) on a store written as an older release
 * would have, Chromium.
 */
const unavailable = browserUnavailable();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NEWER = 1001;

describe('audit 24 (web2): chart alert markers of a past range, every open alert on call, monitor warnings (Chromium)', { skip: unavailable ?? false, timeout: 240_000 }, () => {
  let s: Server;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const T = Date.now();
  let now = T;
  const iso = (t: number): string => new Date(t).toISOString();
  const dir = tempDir('lookout-audit24-web2-');

  before(async () => {
    const alerting = { configure: (c: LookoutConfig): void => { c.dataDir = dir; c.alerting = { evaluationInterval: 0 }; } };
    // as a release before audit 23 stored it: a monitor whose warning level (0.5) is never the verdict (page at 0.2 first)
    const first = await testServer(alerting);
    const ok0 = succeeding(() => first.url);
    // with a reference, so that drift answers (not a 422 in the page's console)
    for (const model of ['busy', 'churn']) await declareChartModel(first.url, model);
    await ok0('POST', '/v1/monitors', { id: 'errors', model: 'churn', metric: 'errorRate', window: '1h', minSamples: 0, levels: [{ severity: 'page', threshold: 0.5 }] });
    await ok0('POST', '/v1/monitors', { id: 'fine', model: 'busy', metric: 'errorRate', window: '1h', minSamples: 0, levels: [{ severity: 'page', threshold: 0.5 }] });
    await first.close();
    const store = await openStore(`duckdb:${join(dir, 'lookout.duckdb')}`);
    await store.init();
    const stored = (await store.alertStore().listMonitors()).find((m) => m.id === 'errors');
    assert.ok(stored);
    await store.alertStore().putMonitor({ ...stored, definition: { ...stored.definition, levels: [{ severity: 'warning', threshold: 0.5 }, { severity: 'page', threshold: 0.2 }] } });
    await store.close();

    [s, browser] = await Promise.all([testServer({ clock: () => now, ...alerting }), launch()]);
    const ok = succeeding(() => s.url);
    const raise = async (source: string, at: number): Promise<string> => {
      now = at;
      return ((await ok('POST', '/v1/alerts', { source, model: 'busy', severity: 'page', summary: `alert ${source}` }))['alert'] as AlertRecord).id;
    };
    // busy: an alert of 20 days ago (resolved a day later), then 1,001 newer ones, still open
    const past = await raise('past', T - 20 * DAY);
    now = T - 19 * DAY;
    await ok('POST', `/v1/alerts/${past}/resolve`, { by: 'ann' });
    for (let b = 0; b < NEWER; b += 50) await Promise.all(Array.from({ length: Math.min(50, NEWER - b) }, (_, i) => raise(`newer-${b + i}`, T - 2 * HOUR)));
    now = T;
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchErrors(page);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  test('a past range of a model with more than 1,000 newer alerts: its charts mark the alert of the range', async () => {
    const [from, to] = [T - 21 * DAY, T - 18 * DAY];
    const asked = await openViewAsking(page, `${s.url}/ui/#/model/busy?from=${iso(from)}&to=${iso(to)}`, '/v1/alerts');
    const notes = await page.locator('[data-testid="latency"] ul.annotations li.ann-alert').evaluateAll((l) => l.map((e) => e.getAttribute('title')));
    assert.deepEqual(notes, ['page alert: past: alert past'], 'the alert active in the range, none of the newer ones');
    // the server's rule: the alerts active in the chart's range (its end included), not the model's newest
    const q = asked.find((u) => u.searchParams.get('activeFrom') !== null && u.searchParams.get('model') === 'busy' && u.searchParams.get('state') === 'all' && u.searchParams.get('activeTo') === String(to + 1));
    assert.ok(q, asked.join(', '));
    assert.equal(q.searchParams.get('activeFrom'), String(from));
    assert.deepStrictEqual(errors, []);
  });

  test('more than 1,000 open alerts: "Needs attention" counts every one (the 10 most urgent listed since audit 25)', async () => {
    await openView(page, `${s.url}/ui/#/oncall`, { complete: true });
    const panel = page.locator('[data-testid="oncall-problems"]');
    assert.equal(await panel.locator('[data-testid="problems"] li').count(), 10);
    assert.equal((await panel.locator('[data-testid="open-count"]').textContent())?.trim(), '1,001 open alerts (1,001 page); the most urgent first:');
    assert.equal((await panel.locator('[data-testid="more-alerts"]').textContent())?.trim(), 'and 991 more — see Alerts: 991 open', 'every page read');
    assert.deepStrictEqual(errors, []);
  });

  test('a monitor stored with a dead level: its warning shows beside the status as a note, not an error', async () => {
    const row = (model: string) => page.locator(`[data-testid="models-table"] tbody tr[data-model="${model}"]`);
    await openView(page, `${s.url}/ui/#/overview?range=24h`, { complete: true });
    const note = row('churn').locator('[data-testid="monitor-warnings"]');
    assert.equal(await note.count(), 1);
    assert.match((await note.textContent()) ?? '', /^Note: monitor churn errorRate \(id errors\): "levels": warning at 0\.5 would never be the verdict, since page at 0\.2 is crossed first .*declare it again/);
    assert.equal(await note.getAttribute('role'), 'note');
    // not an error: the status is what it would be without the warning (no traffic: grey), the reasons do not hold it
    assert.equal(await row('churn').getAttribute('data-status'), 'grey');
    assert.doesNotMatch((await row('churn').locator('small.reasons').textContent()) ?? '', /levels/);
    assert.equal(await row('busy').locator('[data-testid="monitor-warnings"]').count(), 0, 'a monitor without warnings: no note');
    // the model page says it where a problem is said
    await openView(page, `${s.url}/ui/#/model/churn?range=24h`, { complete: true });
    const summary = page.locator('[data-testid="model-summary"]');
    assert.match((await summary.locator('[data-testid="monitor-warnings"]').textContent()) ?? '', /^Note: monitor churn errorRate \(id errors\): "levels": warning at 0\.5 would never be the verdict/);
    assert.equal(await summary.locator('[data-status]').first().getAttribute('data-status'), 'grey');
    assert.deepStrictEqual(errors, []);
  });
});
