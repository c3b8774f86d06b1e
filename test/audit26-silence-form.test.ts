import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Server } from '../src/server.js';
import { browserUnavailable, clickAndWait, launch, openView, watchErrors } from './helpers/browser.js';
import { call, succeeding, testServer } from './helpers/server.js';

/*
 * Audit 26 (dashboard): the Alerts view's silence form split each matcher at its first "=", so `severity!=warning`
 * was stored as an equality matcher on a label named "severity!" and `metric=~drift:.*` as one on the text "~drift:.*":
 * silences that muted nothing, shown as made. It now reads the four operators as `lookout silences add --matcher`
 * does (one parser, src/core/rules/matchers.ts), and refuses a part it cannot read, sending nothing.
 */
interface SilenceJson { comment: string; matchers: Array<{ name: string; value: string; isRegex?: boolean; isNegative?: boolean }> }

describe('audit 26: the dashboard\'s silence form reads !=, =~ and !~ (Chromium)', { skip: browserUnavailable() ?? false, timeout: 120_000 }, () => {
  let s: Server;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const ok = succeeding(() => s.url);
  const silences = async (): Promise<SilenceJson[]> => (await ok('GET', '/v1/silences'))['silences'] as SilenceJson[];

  before(async () => {
    [s, browser] = await Promise.all([testServer(), launch()]);
    await ok('POST', '/v1/models', { name: 'churn', outputKind: 'binary', classes: ['0', '1'], inputSchema: { type: 'object' } });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchErrors(page);
    await openView(page, `${s.url}/ui/#/alerts`, { complete: true });
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  const submit = async (matchers: string, comment: string): Promise<void> => {
    await page.fill('[data-testid="silence-matchers"]', matchers);
    await page.fill('[data-testid="silence-comment"]', comment);
  };

  test('each operator is stored as the matcher written, a regex with commas whole', async () => {
    await submit('model=churn, severity!=warning, metric=~drift:.*, tier!~a{1,3}', 'audit26 operators');
    await clickAndWait(page, page.locator('[data-testid="silence-form"] button[type="submit"]'), 'Silence created');
    const made = (await silences()).find((x) => x.comment === 'audit26 operators');
    assert.deepEqual(made?.matchers, [
      { name: 'model', value: 'churn' },
      { name: 'severity', value: 'warning', isNegative: true },
      { name: 'metric', value: 'drift:.*', isRegex: true },
      { name: 'tier', value: 'a{1,3}', isRegex: true, isNegative: true },
    ]);
    // and the list shows them as written
    await page.locator('[data-testid="silences-table"]', { hasText: 'severity!=warning' }).waitFor();
    assert.match((await page.locator('[data-testid="silences-table"]').textContent()) ?? '', /model=churn, severity!=warning, metric=~drift:\.\*, tier!~a\{1,3\}/);
    assert.deepEqual(errors, []);
  });

  test('a part without an operator is refused with the forms, and nothing is sent', async () => {
    const before = (await silences()).length;
    await submit('model=churn, severity', 'audit26 refused');
    await page.locator('[data-testid="silence-form"] button[type="submit"]').click();
    const toast = page.locator('[data-testid="toast"]', { hasText: 'matcher must look like' });
    await toast.waitFor();
    assert.match((await toast.textContent()) ?? '', /matcher must look like name=value, name!=value, name=~regex or name!~regex \(got "severity"\)/);
    assert.equal((await call(s.url, 'GET', '/v1/silences')).status, 200);
    assert.equal((await silences()).length, before);
  });
});
