import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Server } from '../src/server.js';
import type { ActionRecord } from '../src/storage/alerts.js';
import { browserUnavailable, clickAndWait, launch, openView, watchErrors } from './helpers/browser.js';
import type { Receiver } from './helpers/receiver.js';
import { call } from './helpers/server.js';
import { serverWithWaitingActions } from './helpers/waiting-actions.js';

/*
 * Issue 4 and issue 6: the Alerts view lists the actions waiting for a human (a retrain or a rollback configured with
 * `approval: true`), with Approve (confirmed: it changes production) and Reject, as `lookout actions approve|reject`.
 * Until 2026-12 the dashboard did not show them at all: approving took curl.
 */
const unavailable = browserUnavailable();

describe('issue 4: actions waiting for approval in the dashboard\'s Alerts view (Chromium)', { skip: unavailable ?? false, timeout: 120_000 }, () => {
  let s: Server;
  let retrain: Receiver;
  let waiting: Record<string, string> = {};
  let browser: Browser;
  let page: Page;
  let errors: string[];
  before(async () => {
    [{ s, retrain, waiting }, browser] = await Promise.all([serverWithWaitingActions(), launch()]);
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchErrors(page);
  });
  after(async () => {
    await browser?.close();
    await s?.close();
    await retrain?.close();
  });

  const row = (model: string) => page.locator(`[data-testid="actions-table"] tr[data-action-id="${waiting[model]}"]`);
  const state = async (model: string): Promise<string> => ((await call(s.url, 'GET', `/v1/actions?model=${model}`)).body['actions'] as ActionRecord[])[0]?.state ?? 'none';

  test('approve (after a confirmation) runs the retraining job; reject does not; both leave the list', async () => {
    await openView(page, `${s.url}/ui/#/alerts`, { complete: true });
    assert.equal(await page.locator('[data-testid="actions-table"] tbody tr').count(), 2);
    assert.match((await row('churn').textContent()) ?? '', /retrain.*churn/);

    // cancelling the confirmation runs nothing
    await row('churn').locator('button[data-action="approve"]').click();
    await page.locator('[data-testid="confirm-dialog"] button', { hasText: 'Cancel' }).click();
    assert.equal(await state('churn'), 'pending_approval');
    assert.equal(retrain.received.length, 0);

    await clickAndWait(page, row('churn').locator('button[data-action="approve"]'), `Action ${waiting['churn']} approved`, true);
    assert.equal(await state('churn'), 'done');
    assert.equal(retrain.received.length, 1, 'the retraining webhook was called once');
    assert.equal(await row('churn').count(), 0, 'no longer waiting');

    await clickAndWait(page, row('eta').locator('button[data-action="reject"]'), `Action ${waiting['eta']} rejected`);
    assert.equal(await state('eta'), 'rejected');
    assert.equal(retrain.received.length, 1, 'a rejected action does not run');
    await page.locator('[data-testid="no-waiting-actions"]').waitFor();
    const decided = ((await call(s.url, 'GET', '/v1/actions')).body['actions'] as ActionRecord[]).map((a) => [a.model, a.state, a.detail['approvedBy'] ?? a.detail['rejectedBy']]);
    assert.deepEqual(decided.sort(), [['churn', 'done', 'dashboard'], ['eta', 'rejected', 'dashboard']]);
    assert.deepEqual(errors, []);
  });

  test('issue 4 list pages: more actions waiting than a page (1,000) says so under the table, with the command of the rest', async () => {
    const store = s.deps.store.alertStore();
    for (let i = 0; i < 1001; i++) await store.putAction({ id: `many-${String(i).padStart(4, '0')}`, at: 1_700_000_000_000 + i, kind: 'retrain', model: 'churn', alertId: null, state: 'pending_approval', detail: {}, updatedAt: 1_700_000_000_000 });
    await openView(page, `${s.url}/ui/#/alerts`, { complete: true });
    const panel = page.locator('[data-testid="waiting-actions"]');
    assert.equal(await panel.locator('[data-testid="actions-table"] tbody tr').count(), 1000);
    // the oldest is the one left out; the page ends at the second oldest
    assert.equal(await panel.locator('[data-testid="more-note"]').textContent(), 'The first 1,000 actions waiting are shown; more with `lookout actions list --state pending_approval --before many-0001` or the API\'s next page.');
    assert.equal(await page.locator('[data-testid="alerts"] [data-testid="more-note"]').count(), 0, 'no note under a list that is whole');
    assert.deepEqual(errors, []);
  });
});
