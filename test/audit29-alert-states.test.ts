import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Server } from '../src/server.js';
import type { AlertRecord } from '../src/storage/alerts.js';
import { browserUnavailable, launch, openView, watchErrors } from './helpers/browser.js';
import { lookoutAsync } from './helpers/cli.js';
import { succeeding, testServer } from './helpers/server.js';

/*
 * Audit 29: an empty list of open alerts said so and nothing else. After `lookout serve --demo` every incident of the
 * demo is resolved: `lookout alerts list` answered "no open alerts" and the dashboard's Alerts view (state "open" by
 * default) "No open alerts active in this range", with no sign of the incidents a newcomer came to see. Both now count
 * the alerts of the other states (with the same filters) and say how to list them.
 */
describe('audit 29: an empty alert list of one state tells the alerts of the others', { timeout: 120_000 }, () => {
  let s: Server;
  const ok = succeeding(() => s.url);

  before(async () => {
    s = await testServer();
    for (const model of ['churn', 'eta']) await ok('POST', '/v1/models', { name: model, outputKind: 'regression', inputSchema: { type: 'object' } });
    const raise = async (model: string, source: string): Promise<string> =>
      ((await ok('POST', '/v1/alerts', { source, model, severity: 'page', summary: `alert ${source}` }))['alert'] as AlertRecord).id;
    // churn: two resolved and one acknowledged; eta: one resolved
    for (const src of ['c1', 'c2']) await ok('POST', `/v1/alerts/${await raise('churn', src)}/resolve`, { by: 'ann' });
    await ok('POST', `/v1/alerts/${await raise('churn', 'c3')}/ack`, { by: 'bob' });
    await ok('POST', `/v1/alerts/${await raise('eta', 'e1')}/resolve`, { by: 'ann' });
  });
  after(() => s?.close());

  const cli = async (...args: string[]): Promise<string> => {
    const r = await lookoutAsync(['alerts', 'list', '--url', s.url, ...args]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  test('lookout alerts list: the other states counted, with the command listing them (the same filters)', async () => {
    assert.equal(await cli(), 'no open alerts; 4 other alerts: 1 acknowledged, 3 resolved (lookout alerts list --state all)\n');
    assert.equal(await cli('--model', 'eta'), 'no open alerts of model eta; 1 other alert: 1 resolved (lookout alerts list --state all --model eta)\n');
    assert.equal(await cli('--model', 'eta', '--state', 'acknowledged'), 'no acknowledged alerts of model eta; 1 other alert: 1 resolved (lookout alerts list --state all --model eta)\n');
    // nothing else to tell: as before
    assert.equal(await cli('--state', 'all', '--model', 'eta', '--active-from', '2099-01-01T00:00:00Z'), 'no alerts of model eta active from 2099-01-01T00:00:00Z\n');
    // a list with rows is unchanged, and --json is the list alone
    assert.match(await cli('--state', 'acknowledged'), /^id +state +severity/);
    assert.deepEqual(JSON.parse(await cli('--json')), []);
  });

  test('the dashboard\'s Alerts view: the other states counted, with a link showing them (Chromium)', { skip: browserUnavailable() ?? false }, async () => {
    let browser: Browser | undefined;
    try {
      browser = await launch();
      const page: Page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const errors = watchErrors(page);
      await openView(page, `${s.url}/ui/#/alerts?state=open`, { complete: true });
      assert.equal(await page.locator('[data-testid="no-alerts"]').textContent(), 'No open alerts active in this range.');
      assert.equal(await page.locator('[data-testid="other-states"]').textContent(), '4 other alerts were active in this range (1 acknowledged, 3 resolved): show all states.');
      await page.locator('[data-testid="other-states-link"]').click();
      await page.locator('[data-testid="alerts-table"]').waitFor();
      assert.equal(await page.locator('[data-testid="alerts-table"] [data-alert]').count(), 4);
      assert.equal(await page.locator('[data-testid="other-states"]').count(), 0);
      assert.deepEqual(errors, []);
    } finally {
      await browser?.close();
    }
  });
});
