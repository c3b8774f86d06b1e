import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Server } from '../src/server.js';
import type { AlertRecord, SilenceRecord } from '../src/storage/alerts.js';
import { browserUnavailable, launch, openView, openViewAsking, waitForPage, watchErrors } from './helpers/browser.js';
import { declareChartModel } from './helpers/chart-model.js';
import { succeeding, testServer } from './helpers/server.js';

/*
 * Audit 25 (dashboard):
 * - the time charts' silence markers read one page of GET /v1/silences (the 1,000 of the latest expiry) and filtered
 *   it, so among a deploy script's daily silences a past range had none; they are now the silences the server answers
 *   muting in the chart's range (activeFrom/activeTo), every page, drawn on the models their model matcher matches
 *   (a regex matched every model; `model!=churn` was drawn on churn);
 * - the on-call view's "Needs attention" listed every open alert (pushing its charts far down) and no acknowledged
 *   one: it now lists the 10 most urgent (open first, then by severity, newest first), the acknowledged ones after the
 *   open ones marked "acknowledged by NAME", and counts the rest with links to the Alerts view of their state.
 * A real server whose clock is set (silences and alerts made at past times), Chromium.
 */
const unavailable = browserUnavailable();
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** A deploy script's silences, one every 30 minutes: more than a page (1,000). */
const DEPLOYS = 1100;

describe('audit 25 (silences, web): chart silence markers of a past range, the on-call list (Chromium)', { skip: unavailable ?? false, timeout: 240_000 }, () => {
  let s: Server;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const T = Date.now();
  let now = T;
  const D = T - 25 * DAY;
  const iso = (t: number): string => new Date(t).toISOString();
  const deployAt = (i: number): number => D + i * 30 * MIN;
  const alertIds = new Map<string, string>();

  before(async () => {
    [s, browser] = await Promise.all([testServer({ clock: () => now, configure: (c) => { c.alerting = { evaluationInterval: 0 }; } }), launch()]);
    const ok = succeeding(() => s.url);
    for (const model of ['churn', 'fraud']) await declareChartModel(s.url, model);
    now = D - HOUR;
    const silence = (matchers: SilenceRecord['matchers'], startsAt: number, endsAt: number, comment: string) =>
      ok('POST', '/v1/silences', { matchers, startsAt, endsAt, createdBy: 'deploy', comment });
    for (let b = 0; b < DEPLOYS; b += 50) {
      await Promise.all(Array.from({ length: Math.min(50, DEPLOYS - b) }, (_, k) => silence([{ name: 'model', value: 'churn' }], deployAt(b + k), deployAt(b + k) + 10 * MIN, `deploy ${b + k}`)));
    }
    // silences of other models in the same range: not churn's
    await silence([{ name: 'model', value: 'fr.*', isRegex: true }], deployAt(4) + MIN, deployAt(4) + 5 * MIN, 'fraud regex');
    await silence([{ name: 'model', value: 'churn', isNegative: true }, { name: 'alertname', value: '.+', isRegex: true }], deployAt(4) + MIN, deployAt(4) + 5 * MIN, 'all but churn');
    // on call: 13 open alerts (3 critical, 6 page, 4 warning) and 2 acknowledged, raised a minute apart
    const raise = async (name: string, severity: string, i: number): Promise<void> => {
      now = T - 3 * HOUR + i * MIN;
      alertIds.set(name, ((await ok('POST', '/v1/alerts', { source: name, model: 'churn', severity, summary: `alert ${name}` }))['alert'] as AlertRecord).id);
    };
    const sevs: Array<[string, number]> = [['critical', 3], ['page', 6], ['warning', 4]];
    let i = 0;
    for (const [sev, n] of sevs) for (let k = 0; k < n; k++) await raise(`${sev}-${k}`, sev, i++);
    await raise('acked-ann', 'critical', i++);
    await raise('acked-bob', 'warning', i);
    now = T - HOUR;
    await ok('POST', `/v1/alerts/${alertIds.get('acked-ann')}/ack`, { by: 'ann', note: 'rolling back' });
    await ok('POST', `/v1/alerts/${alertIds.get('acked-bob')}/ack`, { by: 'bob' });
    now = T;
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchErrors(page);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  test('a past range among more than 1,000 newer silences: its charts mark the range\'s silences of the model, asked of the server', async () => {
    // from the start of deploy 2 to the start of deploy 5 (its end included, as the chart's axis)
    const [from, to] = [deployAt(2), deployAt(5)];
    const asked = await openViewAsking(page, `${s.url}/ui/#/model/churn?from=${iso(from)}&to=${iso(to)}`, '/v1/silences');
    const notes = await page.locator('[data-testid="latency"] ul.annotations li.ann-silence').evaluateAll((l) => l.map((e) => e.getAttribute('title')));
    assert.deepStrictEqual(notes, ['silence: deploy 2 (deploy)', 'silence: deploy 3 (deploy)', 'silence: deploy 4 (deploy)', 'silence: deploy 5 (deploy)'], 'the range\'s silences of churn: not those of fraud, nor the 1,000 newer ones');
    const q = asked.find((u) => u.searchParams.get('activeFrom') !== null);
    assert.ok(q, asked.join(', '));
    assert.deepStrictEqual([q.searchParams.get('activeFrom'), q.searchParams.get('activeTo')], [String(from), String(to + 1)]);
    assert.ok(asked.every((u) => u.searchParams.get('activeFrom') !== null), `every silence read of the charts is of the range: ${asked.join(', ')}`);
    // fraud's charts: the regex and the negative matcher's silences
    await openView(page, `${s.url}/ui/#/model/fraud?from=${iso(from)}&to=${iso(to)}`, { complete: true });
    const fraud = await page.locator('[data-testid="latency"] ul.annotations li.ann-silence').evaluateAll((l) => l.map((e) => e.getAttribute('title')));
    assert.deepStrictEqual(fraud.sort(), ['silence: all but churn (deploy)', 'silence: fraud regex (deploy)']);
    assert.deepStrictEqual(errors, []);
  });

  test('on call: the 10 most urgent alerts, the rest counted with links to the Alerts view of their state', async () => {
    await openView(page, `${s.url}/ui/#/oncall`, { complete: true });
    const panel = page.locator('[data-testid="oncall-problems"]');
    assert.equal((await panel.locator('[data-testid="open-count"]').textContent())?.trim(), '13 open alerts (3 critical, 6 page, 4 warning), 2 acknowledged; the most urgent first:');
    const shown = await panel.locator('[data-testid="problems"] li').evaluateAll((l) => l.map((e) => e.getAttribute('data-alert')));
    const names = shown.map((id) => [...alertIds].find(([, v]) => v === id)?.[0]);
    // open first (an acknowledged critical after the open warnings), by severity, the newest first
    assert.deepStrictEqual(names, ['critical-2', 'critical-1', 'critical-0', 'page-5', 'page-4', 'page-3', 'page-2', 'page-1', 'page-0', 'warning-3']);
    const more = panel.locator('[data-testid="more-alerts"]');
    assert.equal((await more.textContent())?.trim(), 'and 5 more — see Alerts: 3 open, 2 acknowledged');
    assert.equal(await more.locator('[data-testid="more-open"]').getAttribute('href'), '#/alerts?state=open');
    await more.locator('[data-testid="more-acknowledged"]').click();
    // (not waitForFunction: it evals in the page, which the dashboard's CSP refuses)
    await page.locator(`[data-testid="alerts-table"] tr[data-alert="${alertIds.get('acked-bob')}"]`).waitFor();
    await waitForPage(page, 'document.body.dataset.complete === "true"');
    assert.equal(new URL(page.url()).hash, '#/alerts?state=acknowledged');
    const rows = await page.locator('[data-testid="alerts-table"] tbody tr').evaluateAll((l) => l.map((e) => e.getAttribute('data-alert')));
    assert.deepStrictEqual(rows.sort(), [alertIds.get('acked-ann'), alertIds.get('acked-bob')].sort());
    assert.deepStrictEqual(errors, []);
  });

  test('on call with fewer than 10: every one, the acknowledged ones after the open ones, marked with who acknowledged', async () => {
    const ok = succeeding(() => s.url);
    for (const name of [...alertIds.keys()].filter((n) => /^(page|warning)-/.test(n))) await ok('POST', `/v1/alerts/${alertIds.get(name)}/resolve`, { by: 'ann' });
    await openView(page, `${s.url}/ui/#/oncall`, { complete: true });
    const panel = page.locator('[data-testid="oncall-problems"]');
    assert.equal((await panel.locator('[data-testid="open-count"]').textContent())?.trim(), '3 open alerts (3 critical), 2 acknowledged; the most urgent first:');
    const items = panel.locator('[data-testid="problems"] li');
    assert.deepStrictEqual(await items.evaluateAll((l) => l.map((e) => e.getAttribute('data-state'))), ['open', 'open', 'open', 'acknowledged', 'acknowledged']);
    assert.match((await items.nth(3).textContent()) ?? '', /^critical churn acked-ann: alert acked-ann · .* ago acknowledged by ann “rolling back”$/);
    assert.match((await items.nth(4).textContent()) ?? '', /^warning churn acked-bob: alert acked-bob · .* ago acknowledged by bob$/);
    assert.equal(await items.nth(0).locator('[data-testid="acknowledged"]').count(), 0);
    assert.equal(await panel.locator('[data-testid="more-alerts"]').count(), 0);
    assert.deepStrictEqual(errors, []);
  });
});
