import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Server } from '../src/server.js';
import { browserUnavailable, launch, openView, openViewAsking, watchErrors } from './helpers/browser.js';
import { succeeding, testServer } from './helpers/server.js';

/*
 * Audit 27 (web dashboard, as a newcomer and an on-call engineer):
 * - a model declared without versions (POST /v1/models: a newcomer's first step; its events are refused until one is) was left out of the
 *   overview, which said "No models yet. Declare one…" of a server holding only it; its model, feature and debug views
 *   showed the API's 404 "has no versions yet" as a red error in every panel; and the executive and on-call per-model
 *   charts failed on it ("Not drawn: …", or a red error with no other model);
 * - the executive "Drift share" chart over a week read hour windows, where sampling noise alone crosses the dataset-drift
 *   line (75 of the demo's 169 hours), as the model view's drift charts did until audit 25;
 * - an executive tile of a model whose events report no costUsd said "cost $0.0" (the model page: "not reported");
 * - a link to a view the page does not have (`#/modle/churn`) showed the overview without a word.
 */
const H = 3_600_000;
const SCHEMA = { type: 'object', properties: { x: { type: 'number' } } };

describe('audit 27: the dashboard with a model without versions, the executive drift chart and cost (Chromium)', { skip: browserUnavailable() ?? false, timeout: 120_000 }, () => {
  let s: Server;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const ok = succeeding(() => s.url);

  before(async () => {
    [s, browser] = await Promise.all([testServer(), launch()]);
    await ok('POST', '/v1/models', { name: 'fresh', outputKind: 'binary', classes: ['0', '1'], inputSchema: SCHEMA });
    await ok('POST', '/v1/models', { name: 'scored', outputKind: 'regression', inputSchema: SCHEMA });
    await ok('POST', '/v1/models/scored/versions', { version: '1.0.0' });
    const t0 = Date.now() - 3 * H;
    // events without costUsd
    await ok('POST', '/v1/events', { events: Array.from({ length: 60 }, (_, i) => ({ model: 'scored', version: '1.0.0', timestamp: t0 + i * 60_000, features: { x: i % 7 }, prediction: i, latencyMs: 10 })) });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchErrors(page);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  const text = async (selector: string): Promise<string> => (await page.locator(selector).first().textContent()) ?? '';

  test('the overview lists a model without versions, grey, saying why', async () => {
    await openView(page, `${s.url}/ui/#/overview`, { complete: true });
    const row = page.locator('[data-testid="models-table"] tr[data-model="fresh"]');
    assert.equal(await row.count(), 1, 'the model without versions has a row');
    assert.equal(await row.getAttribute('data-status'), 'grey');
    assert.match((await row.textContent()) ?? '', /no versions yet: declare one \(POST \/v1\/models\/fresh\/versions, or `versions:` in lookout.yaml\) to send it events/);
    assert.equal(await page.locator('[data-testid="models-table"] tr[data-model="scored"]').count(), 1);
    assert.deepEqual(errors, []);
  });

  test('its model, feature and debug views say so once, with no failed panel', async () => {
    for (const hash of ['#/model/fresh', '#/feature/fresh/x', '#/debug/fresh']) {
      await openView(page, `${s.url}/ui/${hash}`, { complete: true });
      assert.match(await text('[data-testid="no-versions"]'), /Model fresh has no versions yet: declare one \(POST \/v1\/models\/fresh\/versions/, hash);
      assert.equal(await page.locator('[data-state="error"], .notice.error').count(), 0, `${hash}: a failed panel`);
    }
    assert.deepEqual(errors, []);
  });

  test('executive: charts draw the other models, the drift chart in day windows over a week, a cost not reported is not $0', async () => {
    const asked = await openViewAsking(page, `${s.url}/ui/#/exec?range=7d`, '/v1/models/scored/series');
    assert.equal(await page.locator('[data-state="error"], [data-testid="chart-failures"]').count(), 0, 'a chart failed on the model without versions');
    const drift = asked.filter((u) => u.searchParams.get('metrics')?.split(',').includes('driftShare'));
    assert.equal(drift.length, 1, asked.map((u) => u.search).join(' '));
    assert.equal(drift[0]?.searchParams.get('granularity'), 'day', `drift share asked as ${drift[0]?.search}`);
    assert.match(await text('[data-testid="exec-drift"] figcaption'), /\(day windows\)/);
    assert.equal(await text('.tile[data-model="scored"] [data-testid="tile-cost"]'), 'cost not reported');
    assert.equal(await text('.tile[data-model="fresh"] [data-testid="tile-cost"]'), 'cost —');
    // a day's range keeps hour windows (as the model view)
    const day = await openViewAsking(page, `${s.url}/ui/#/exec?range=24h`, '/v1/models/scored/series');
    assert.equal(day.find((u) => u.searchParams.get('metrics')?.split(',').includes('driftShare'))?.searchParams.get('granularity'), null);
    assert.deepEqual(errors, []);
  });

  test('a link to a view the page does not have says so above the overview it shows', async () => {
    await openView(page, `${s.url}/ui/#/modle/scored?range=7d`, { complete: true });
    assert.match(await text('[data-testid="unknown-view"]'), /There is no view "modle" \(the views: overview, model, feature, exec, oncall, debug, alerts, slos, registry\); the overview is shown\./);
    assert.equal(await page.locator('[data-testid="models-table"]').count(), 1);
    await openView(page, `${s.url}/ui/#/overview`, { complete: true });
    assert.equal(await page.locator('[data-testid="unknown-view"]').count(), 0);
    assert.deepEqual(errors, []);
  });

  test('on-call charts do not fail on the model without versions', async () => {
    await openView(page, `${s.url}/ui/#/oncall`, { complete: true });
    assert.equal(await page.locator('[data-state="error"], [data-testid="chart-failures"]').count(), 0);
    assert.deepEqual(errors, []);
  });
});
