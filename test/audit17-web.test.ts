import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { browserUnavailable, launch, openView, watchErrors, waitForPage } from './helpers/browser.js';
import { tempDir } from './helpers/cli.js';
import { spawnServe, type RunningServer } from './helpers/process.js';
import { call } from './helpers/server.js';

const HOUR = 3_600_000;
const unavailable = browserUnavailable();

/** A regressor and a classifier without a reference: traffic, no labels, so neither a realized nor an estimated value. */
function config(dir: string): string {
  const model = (name: string, kind: string): string[] => [
    `  - name: ${name}`,
    `    outputKind: ${kind}`,
    ...(kind === 'binary' ? ['    classes: ["0", "1"]'] : []),
    '    inputSchema: { type: object, properties: { amount: { type: number } } }',
    '    versions:',
    '      - version: "1"',
  ];
  const cfg = join(dir, 'lookout.yaml');
  writeFileSync(cfg, ['dataDir: ./data', 'models:', ...model('price', 'regression'), ...model('churn', 'binary')].join('\n'));
  return cfg;
}

describe('audit 17 (web): the executive view\'s tiles', { skip: unavailable ?? false, timeout: 120_000 }, () => {
  let srv: RunningServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  before(async () => {
    [srv, browser] = await Promise.all([spawnServe(['--config', config(tempDir('lookout-audit17-web-'))]), launch()]);
    const now = Date.now();
    const events = Array.from({ length: 60 }, (_, i) => [
      { model: 'price', version: '1', timestamp: now - HOUR + i * 30_000, features: { amount: i }, prediction: i * 1.5, latencyMs: 10 },
      { model: 'churn', version: '1', timestamp: now - HOUR + i * 30_000, features: { amount: i }, prediction: String(i % 2), score: (i % 10) / 10, latencyMs: 10 },
    ]).flat();
    const res = await call(srv.url, 'POST', '/v1/events', { events });
    assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
    page = await browser.newPage();
    errors = watchErrors(page);
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
  });

  test('a model with neither labels nor an estimate: its tile says so, not "estimated" over "-"', async () => {
    await openView(page, `${srv.url}/ui/#/exec`, { complete: true });
    await waitForPage(page, `document.querySelectorAll('.tile[data-model]').length === 2`);
    for (const [name, metric] of [['price', 'MAE'], ['churn', 'accuracy']] as const) {
      const tile = (await page.locator(`.tile[data-model="${name}"]`).textContent()) ?? '';
      assert.doesNotMatch(tile, /estimated/, `${name}: ${tile}`);
      assert.match(tile, new RegExp(`${metric} not known yet \\(no labels\\)`), `${name}: ${tile}`);
    }
    assert.deepEqual(errors, []);
  });
});
