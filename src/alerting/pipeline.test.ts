import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { AlertQuery, AlertStore } from '../storage/alerts.js';
import { DuckDbStore } from '../storage/duckdb/store.js';
import { NoRegistryRollback } from './actions/rollback.js';
import { ActionRunner } from './actions/runner.js';
import type { Notifier, NotificationPayload } from './notifiers/types.js';
import { AlertPipeline } from './pipeline.js';
import { DEFAULT_PIPELINE, type Logger, type PipelineSettings } from './types.js';

const MIN = 60_000;
const T = Date.UTC(2026, 0, 4, 1, 0); // Sunday 01:00
const quiet: Logger = { info: () => undefined, warn: () => undefined };

describe('issue 4: alert pipeline stages (time windows, repeat interval, acknowledgement, escalation)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-pipeline-'));
  let store: DuckDbStore;
  let p: AlertPipeline;
  const sent: NotificationPayload[] = [];
  const settings: PipelineSettings = {
    ...DEFAULT_PIPELINE, groupWaitMs: MIN, groupIntervalMs: 5 * MIN, repeatIntervalMs: 60 * MIN,
    timeWindows: [{ name: 'sunday-retrain', weekdays: [0], startTime: '00:30', endTime: '02:00', matchers: [{ name: 'model', value: 'churn' }] }],
  };
  const collector: Notifier = {
    config: { id: 'c', kind: 'test', sendResolved: true, retries: 0, backoffMs: 0, timeoutMs: 1000 },
    send: async (x) => { sent.push(x); },
  };
  let n = 0;
  before(async () => {
    store = await DuckDbStore.open(join(dir, 'p.duckdb'));
    await store.init();
    const s = store.alertStore();
    p = new AlertPipeline({ store: s, newId: () => `id${n++}`, log: quiet, settings: () => settings, notifiers: () => [collector], actions: new ActionRunner(s, () => ({}), () => new NoRegistryRollback(quiet), () => `a${n++}`, quiet) });
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('held during a maintenance window, sent after it; repeated after the repeat interval unless acknowledged', async () => {
    const raised = await p.raise({ source: 'etl', model: 'churn', severity: 'warning', summary: 'late batch' }, T);
    assert.ok(raised);
    await p.flush(T + 2 * MIN);
    assert.equal(sent.length, 0, 'inside the Sunday 00:30-02:00 window');
    await p.flush(T + 61 * MIN);
    assert.equal(sent.length, 1, 'sent once the window is over');
    await p.flush(T + 70 * MIN);
    assert.equal(sent.length, 1, 'unchanged: not repeated before the repeat interval');
    await p.flush(T + 122 * MIN);
    assert.equal(sent.length, 2, 'repeated after the repeat interval');
    // escalation re-notifies at the next group interval; a duplicate at the same severity does not
    await p.raise({ source: 'etl', model: 'churn', severity: 'warning', summary: 'still late' }, T + 123 * MIN);
    await p.flush(T + 128 * MIN);
    assert.equal(sent.length, 2);
    await p.raise({ source: 'etl', model: 'churn', severity: 'critical', summary: 'very late' }, T + 129 * MIN);
    await p.flush(T + 130 * MIN);
    assert.equal(sent.length, 2, 'the group interval (last flush at +128 min) is not over');
    await p.flush(T + 134 * MIN);
    assert.equal(sent.length, 3);
    assert.equal(sent[2]?.alerts[0]?.severity, 'critical');
    assert.equal(sent[2]?.alerts[0]?.id, raised.id, 'same alert, escalated');
    await p.acknowledge(raised.id, 'ann', undefined, T + 135 * MIN);
    await p.flush(T + 300 * MIN);
    assert.equal(sent.length, 3, 'acknowledged alerts are not repeated');
    await p.resolveRaised({ source: 'etl', model: 'churn' }, T + 301 * MIN);
    await p.flush(T + 306 * MIN); // group interval after the flush at +300 min
    assert.equal(sent.length, 4);
    assert.equal(sent[3]?.status, 'resolved');
  });
});

/** The real store, what `method` answered counted: `seen(query, rows)` after each call; every other method as it is. */
function counting(real: AlertStore, method: 'listAlerts' | 'listSilences', seen: (q: unknown, rows: number) => void): AlertStore {
  return new Proxy(real, {
    get(target, key) {
      const v = Reflect.get(target, key) as unknown;
      if (typeof v !== 'function') return v;
      const f = (v as (...a: unknown[]) => unknown).bind(target);
      if (key !== method) return f;
      return async (q?: unknown) => {
        const rows = await (f(q) as Promise<unknown[]>);
        seen(q, rows.length);
        return rows;
      };
    },
  });
}

describe('issue 4: dedup reads the one unresolved alert of a fingerprint, not every alert it raised before', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-pipeline-history-'));
  let store: DuckDbStore;
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a source that fired and resolved 80 times: each raise, repeat and resolution reads at most its open alert', async () => {
    // Before: every signal of a fingerprint read (and parsed) every alert of it ever stored, resolved ones included, to
    // find the open one; a monitor that flapped for a year read thousands per evaluation while firing.
    store = await DuckDbStore.open(join(dir, 'h.duckdb'));
    await store.init();
    const real = store.alertStore();
    const reads: Array<{ fingerprint: string; rows: number }> = [];
    // the real store, its reads by fingerprint counted (what the pipeline got back: rows it parsed and looked through)
    const counted = counting(real, 'listAlerts', (q, rows) => {
      const fp = (q as AlertQuery | undefined)?.fingerprint;
      if (fp !== undefined) reads.push({ fingerprint: fp, rows });
    });
    let n = 0;
    const p = new AlertPipeline({ store: counted, newId: () => `h${n++}`, log: quiet, settings: () => DEFAULT_PIPELINE, notifiers: () => [], actions: new ActionRunner(real, () => ({}), () => new NoRegistryRollback(quiet), () => `ha${n++}`, quiet) });
    const input = { source: 'etl', model: 'churn', summary: 'late batch' };
    const first = await p.raise({ ...input, severity: 'warning' }, T);
    assert.ok(first);
    await p.resolveRaised(input, T + MIN);
    // 79 more fired and resolved episodes of the same source (stored as the pipeline stores them: same fingerprint)
    for (let i = 1; i < 80; i++) {
      await real.putAlert({ ...first, id: `old${i}`, state: 'resolved', startsAt: T + i * 10 * MIN, endsAt: T + i * 10 * MIN + MIN, updatedAt: T + i * 10 * MIN + MIN });
    }
    assert.equal((await real.listAlerts({ fingerprint: first.fingerprint })).length, 80);

    reads.length = 0;
    const now = T + 900 * MIN;
    const raised = await p.raise({ ...input, severity: 'warning' }, now);
    assert.ok(raised && raised.state === 'open' && !raised.id.startsWith('old'), 'a new alert: every earlier one is resolved');
    const repeated = await p.raise({ ...input, severity: 'critical', summary: 'still late' }, now + MIN);
    assert.equal(repeated?.id, raised.id, 'the repeat escalates the open alert, no second one');
    assert.equal(repeated?.severity, 'critical');
    const resolved = await p.resolveRaised(input, now + 2 * MIN);
    assert.equal(resolved?.id, raised.id);
    assert.equal(resolved?.state, 'resolved');
    assert.equal((await real.listAlerts({ fingerprint: first.fingerprint })).length, 81);

    assert.ok(reads.length >= 3, `the pipeline looked the fingerprint up (${reads.length} reads)`);
    assert.deepStrictEqual(reads.filter((r) => r.rows > 1), [], `reads by fingerprint returned at most the open alert: ${JSON.stringify(reads)}`);
  });
});

describe('issue 4: a flush reads the silences that have not expired, not every silence ever created', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-pipeline-silences-'));
  let store: DuckDbStore;
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('60 expired silences of churn and one running of eta: churn is notified, eta is muted, the stage read the running one', async () => {
    store = await DuckDbStore.open(join(dir, 's.duckdb'));
    await store.init();
    const real = store.alertStore();
    for (let i = 0; i < 60; i++) {
      await real.putSilence({ id: `old${i}`, matchers: [{ name: 'model', value: 'churn' }], startsAt: T - (i + 2) * 60 * MIN, endsAt: T - (i + 1) * 60 * MIN, createdBy: 'ops', comment: `deploy ${i}`, createdAt: T - (i + 2) * 60 * MIN });
    }
    await real.putSilence({ id: 'now', matchers: [{ name: 'model', value: 'eta' }], startsAt: T - MIN, endsAt: T + 120 * MIN, createdBy: 'ops', comment: 'known', createdAt: T - MIN });
    const silenceReads: number[] = [];
    // the real store, the silences it gave the pipeline counted
    const counted = counting(real, 'listSilences', (_q, rows) => silenceReads.push(rows));
    const sent: NotificationPayload[] = [];
    const collector: Notifier = {
      config: { id: 'c', kind: 'test', sendResolved: true, retries: 0, backoffMs: 0, timeoutMs: 1000 },
      send: async (x) => { sent.push(x); },
    };
    let n = 0;
    const settings: PipelineSettings = { ...DEFAULT_PIPELINE, groupWaitMs: MIN, groupIntervalMs: 5 * MIN, repeatIntervalMs: 60 * MIN };
    const p = new AlertPipeline({ store: counted, newId: () => `s${n++}`, log: quiet, settings: () => settings, notifiers: () => [collector], actions: new ActionRunner(real, () => ({}), () => new NoRegistryRollback(quiet), () => `sa${n++}`, quiet) });
    assert.ok(await p.raise({ source: 'etl', model: 'churn', severity: 'warning', summary: 'late batch' }, T));
    assert.ok(await p.raise({ source: 'etl', model: 'eta', severity: 'warning', summary: 'late batch' }, T));
    await p.flush(T + 2 * MIN);
    const models = sent.flatMap((x) => x.alerts.map((a) => a.model));
    assert.deepStrictEqual(models, ['churn'], 'churn\'s silences have all expired; eta\'s runs');
    const eta = (await real.listAlerts({ model: 'eta' }))[0];
    assert.equal(eta?.silenced, true);
    assert.ok(silenceReads.length > 0, 'the silence stage read the silences');
    assert.deepStrictEqual(silenceReads.filter((rows) => rows > 1), [], `silences read per flush: ${silenceReads.join(', ')} (only one has not expired)`);
  });
});
