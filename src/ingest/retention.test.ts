import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DuckDbStore } from '../storage/duckdb/store.js';
import type { ActionRecord, AlertRecord, NotificationRecord } from '../storage/alerts.js';
import type { EventRecord, SummaryRecord } from '../storage/types.js';
import { daySteps, Retention } from './retention.js';

const DAY = 86_400_000;
const dir = mkdtempSync(join(tmpdir(), 'lookout-retention-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('daySteps: a day further each, the cutoff last; one step when nothing older than a day is there', () => {
  const t0 = Date.UTC(2026, 0, 1);
  assert.deepEqual(daySteps(t0 + 5, t0 + 3 * DAY + 7), [t0 + DAY, t0 + 2 * DAY, t0 + 3 * DAY, t0 + 3 * DAY + 7]);
  assert.deepEqual(daySteps(t0 + 3 * DAY, t0 + 3 * DAY + 7), [t0 + 3 * DAY + 7]);
  assert.deepEqual(daySteps(t0 + 9 * DAY, t0 + 3 * DAY), [t0 + 3 * DAY]);
});

test('Retention: months to prune go a day per transaction (the write connection is not held for the whole deletion); what is left is what one deletion leaves', async () => {
  const store = await DuckDbStore.open(join(dir, 'r.duckdb'));
  await store.init();
  try {
    const now = Date.UTC(2026, 5, 1, 12);
    const start = now - 40 * DAY;
    const events: EventRecord[] = [];
    const windows: SummaryRecord[] = [];
    for (let d = 0; d < 40; d++) {
      const t = start + d * DAY;
      events.push({ id: `e${d}`, model: 'm', version: '1', ts: t, segment: '', prediction: '1', score: null, scores: null, latencyMs: 1, error: null, costUsd: null, features: null });
      windows.push({ model: 'm', version: '1', segment: '', granularity: 'minute', windowStart: Math.floor(t / 60_000) * 60_000, data: new Uint8Array([d]) });
    }
    await store.appendEvents(events);
    await store.putSummaries(windows);
    await store.alertStore().appendEvaluations(events.map((e) => ({ monitorId: 'mon', at: e.ts, status: 'ok', value: 1, baseline: null, threshold: null, samples: 1 })));
    const calls = { windows: 0, events: 0 };
    const counted = Object.assign(Object.create(store) as DuckDbStore, {
      pruneWindows: (...a: Parameters<DuckDbStore['pruneWindows']>) => (calls.windows++, store.pruneWindows(...a)),
      pruneEvents: (...a: Parameters<DuckDbStore['pruneEvents']>) => (calls.events++, store.pruneEvents(...a)),
    });
    const r = new Retention(counted, () => [{ name: 'm' }], () => now, { eventsMs: 10 * DAY, evaluationsMs: 10 * DAY });
    assert.deepEqual(await r.run(), { windows: 37, events: 30, evaluations: 30, alerts: 0, notifications: 0, actions: 0 });
    assert.deepEqual((await store.alertStore().listEvaluations('mon', 0, now)).map((e) => e.at), events.slice(30).map((e) => e.ts));
    assert.ok(calls.windows >= 37 && calls.events >= 30, JSON.stringify(calls));
    assert.deepEqual((await store.queryEvents({ model: 'm', from: 0, to: now })).map((e) => e.id), Array.from({ length: 10 }, (_, i) => `e${30 + i}`));
    assert.equal((await store.querySummaryKeys({ model: 'm', granularity: 'minute', from: 0, to: now })).length, 3);
    calls.windows = calls.events = 0;
    assert.deepEqual(await r.run(), { windows: 0, events: 0, evaluations: 0, alerts: 0, notifications: 0, actions: 0 });
    assert.deepEqual(calls, { windows: 1, events: 1 }, 'an hourly run with nothing old is one step each');
  } finally {
    await store.close();
  }
});

test('Retention with alertsMs (retention.alertsDays): resolved alerts a week past their end, notifications no restart reads, actions over and past the longest cooldown', async () => {
  const store = await DuckDbStore.open(join(dir, 'alerts.duckdb'));
  await store.init();
  try {
    const s = store.alertStore();
    const now = Date.UTC(2026, 5, 1, 12);
    const alert = (id: string, over: Partial<AlertRecord>): AlertRecord => ({
      id, fingerprint: `fp-${id}`, monitorId: 'mon', model: 'm', version: null, severity: 'warning', state: 'resolved', falsePositive: false,
      labels: {}, startsAt: now - 30 * DAY, endsAt: null, updatedAt: now - 30 * DAY, silenced: false, inhibited: false, context: {}, ...over,
    });
    const note = (id: string, at: number): NotificationRecord => ({ id, at, notifier: 'hook', groupKey: 'g', alertIds: ['ack'], firing: 1, resolved: 0, status: 'sent', attempts: 1 });
    const action = (id: string, at: number, state: ActionRecord['state']): ActionRecord => ({ id, at, kind: 'retrain', model: 'm', alertId: null, state, detail: {}, updatedAt: at });
    await s.putAlert(alert('ended-8d', { endsAt: now - 8 * DAY }));
    await s.putAlert(alert('ended-5d', { endsAt: now - 5 * DAY }));
    // acknowledged 19 days ago, firing since 20 days: its notification must outlive the 2 days of retention
    const ack = alert('ack', { state: 'acknowledged', startsAt: now - 20 * DAY, updatedAt: now - 19 * DAY });
    await s.putAlert(ack);
    await s.appendNotifications([note('n-21d', now - 21 * DAY)]);
    await s.appendNotifications([note('n-ack', now - 20 * DAY + 60_000)]);
    await s.appendNotifications([note('n-1d', now - DAY)]);
    await s.putAction(action('done-4d', now - 4 * DAY, 'done'));
    await s.putAction(action('done-2.5d', now - 2.5 * DAY, 'done'));
    await s.putAction(action('pending-30d', now - 30 * DAY, 'pending_approval'));
    const r = new Retention(store, () => [], () => now, { alertsMs: 2 * DAY, actionCooldownMs: 3 * DAY });
    assert.deepEqual(await r.alertHistoryTimes(), { alerts: now - 7 * DAY, notifications: now - 20 * DAY, actions: now - 3 * DAY });
    assert.deepEqual(await r.run(), { windows: 0, events: 0, evaluations: 0, alerts: 1, notifications: 1, actions: 1 });
    assert.deepEqual((await s.listAlerts()).map((a) => a.id).sort(), ['ack', 'ended-5d'], 'a resolved alert is kept a week past its end (an owed resolve is retried that long)');
    assert.deepEqual((await s.listNotifications()).map((n) => n.id), ['n-ack', 'n-1d'], 'what a restart reads for the acknowledged alert stays');
    assert.deepEqual((await s.listActions()).map((a) => a.id), ['done-2.5d', 'pending-30d'], 'younger than the cooldown, or not over');
    // once the alert resolved, its notification goes (a restart reads a week back then)
    await s.putAlert({ ...ack, state: 'resolved', endsAt: now, updatedAt: now });
    assert.deepEqual(await r.run(), { windows: 0, events: 0, evaluations: 0, alerts: 0, notifications: 1, actions: 0 });
    assert.deepEqual((await s.listNotifications()).map((n) => n.id), ['n-1d']);
    assert.equal(await new Retention(store, () => [], () => now, {}).alertHistoryTimes(), null, 'without alertsDays nothing of it goes');
  } finally {
    await store.close();
  }
});
