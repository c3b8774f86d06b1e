import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DuckDbStore } from '../storage/duckdb/store.js';
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
    assert.deepEqual(await r.run(), { windows: 37, events: 30, evaluations: 30 });
    assert.deepEqual((await store.alertStore().listEvaluations('mon', 0, now)).map((e) => e.at), events.slice(30).map((e) => e.ts));
    assert.ok(calls.windows >= 37 && calls.events >= 30, JSON.stringify(calls));
    assert.deepEqual((await store.queryEvents({ model: 'm', from: 0, to: now })).map((e) => e.id), Array.from({ length: 10 }, (_, i) => `e${30 + i}`));
    assert.equal((await store.querySummaryKeys({ model: 'm', granularity: 'minute', from: 0, to: now })).length, 3);
    calls.windows = calls.events = 0;
    assert.deepEqual(await r.run(), { windows: 0, events: 0, evaluations: 0 });
    assert.deepEqual(calls, { windows: 1, events: 1 }, 'an hourly run with nothing old is one step each');
  } finally {
    await store.close();
  }
});
