import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { AlertRecord, AlertStore, NotificationRecord } from '../storage/alerts.js';
import type { StorageBackend } from '../storage/backend.js';
import { DuckDbStore } from '../storage/duckdb/store.js';
import { dropSchema } from '../storage/postgres/drop-schema.js';
import { PostgresStore } from '../storage/postgres/store.js';
import { NoRegistryRollback } from './actions/rollback.js';
import { ActionRunner } from './actions/runner.js';
import type { Notifier, NotificationPayload } from './notifiers/types.js';
import { AlertPipeline } from './pipeline.js';
import { DEFAULT_PIPELINE, type Logger } from './types.js';

const MIN = 60_000;
const T = Date.UTC(2026, 0, 26, 10);
const N = 2000;
const quiet: Logger = { info: () => undefined, warn: () => undefined };

/**
 * 2,000 alerts notified as firing in the last hour, all resolved; the resolve of the last 10 was not sent before the
 * restart (held by the group interval).
 */
async function seed(s: AlertStore): Promise<void> {
  const alerts: AlertRecord[] = [];
  for (let i = 0; i < N; i++) {
    alerts.push({
      id: `a${String(i).padStart(5, '0')}`, fingerprint: `fp${i}`, monitorId: `m${i}`, model: 'churn', version: '1', severity: 'page', state: 'resolved',
      falsePositive: false, labels: { model: 'churn', alertname: `m${i}` }, startsAt: T - 60 * MIN, endsAt: T - 10 * MIN, updatedAt: T - 10 * MIN,
      silenced: false, inhibited: false, context: {},
    });
  }
  for (let i = 0; i < N; i += 50) await Promise.all(alerts.slice(i, i + 50).map((a) => s.putAlert(a)));
  const note = (id: string, at: number, ids: string[]): NotificationRecord => ({ id, at, notifier: 'c', groupKey: 'g', alertIds: ids, firing: ids.length, resolved: 0, status: 'sent', attempts: 1 });
  const ids = alerts.map((a) => a.id);
  for (let i = 0; i < N; i += 200) await s.appendNotifications([note(`f${i}`, T - 50 * MIN, ids.slice(i, i + 200))]);
  // the resolves sent, but for the last 10 alerts
  for (let i = 0; i < N - 10; i += 199) await s.appendNotifications([note(`r${i}`, T - 5 * MIN, ids.slice(i, Math.min(i + 199, N - 10)))]);
}

function restoreCase(name: string, open: () => Promise<StorageBackend>, cleanup: () => Promise<void>): void {
  test(`${name}: restart with 2,000 alerts notified in the last 7 days reads them in a few queries, not one each`, async (t) => {
    const backend = await open();
    try {
      await backend.init();
      const store = backend.alertStore();
      await seed(store);
      const reads = { getAlert: 0, getAlerts: 0 };
      const counted = new Proxy(store, {
        get(target, key, receiver) {
          const v = Reflect.get(target, key, receiver) as unknown;
          if (key === 'getAlert' || key === 'getAlerts') {
            return (...args: unknown[]) => {
              reads[key]++;
              return (v as (...a: unknown[]) => unknown).apply(target, args);
            };
          }
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
      const sent: NotificationPayload[] = [];
      const collector: Notifier = { config: { id: 'c', kind: 'test', sendResolved: true, retries: 0, backoffMs: 0, timeoutMs: 1000 }, send: async (x) => { sent.push(x); } };
      let n = 0;
      const p = new AlertPipeline({
        store: counted, newId: () => `id${n++}`, log: quiet, settings: () => ({ ...DEFAULT_PIPELINE, groupWaitMs: MIN, groupIntervalMs: 5 * MIN, repeatIntervalMs: 60 * MIN }),
        notifiers: () => [collector], actions: new ActionRunner(store, () => ({}), () => new NoRegistryRollback(quiet), () => `x${n++}`, quiet),
      });
      const t0 = performance.now();
      await p.restore(T);
      const took = performance.now() - t0;
      t.diagnostic(`${name}: restore of ${N} notified alerts took ${Math.round(took)} ms (getAlert ${reads.getAlert}, getAlerts ${reads.getAlerts})`);
      assert.ok(reads.getAlert + reads.getAlerts <= 5, `alert reads at restart: getAlert ${reads.getAlert}, getAlerts ${reads.getAlerts}`);
      // what it read is right: the 10 resolves not sent go out at the next flush, the others do not
      await p.flush(T + 5 * MIN);
      assert.deepEqual(sent.flatMap((x) => x.alerts.map((a) => `${a.id}:${a.status}`)).sort(), Array.from({ length: 10 }, (_, i) => `a${String(N - 10 + i).padStart(5, '0')}:resolved`));
    } finally {
      await backend.close();
      await cleanup();
    }
  });
}

describe('audit 7 (alerting): the restart reads the notified alerts in one query', { timeout: 300_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-restore-'));
  restoreCase('duckdb', () => DuckDbStore.open(join(dir, 'r.duckdb')), () => rm(dir, { recursive: true, force: true }));
  const url = process.env['LOOKOUT_TEST_PG_URL'];
  const schema = `lookout_restore_${randomBytes(6).toString('hex')}`;
  if (url !== undefined && url !== '') restoreCase('postgres', () => PostgresStore.open(url, { schema }), () => dropSchema(url, schema));
});
