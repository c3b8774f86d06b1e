import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WindowSummary } from '../core/summary/window.js';
import type { SummaryKey } from '../storage/types.js';
import type { VersionContext } from './catalog.js';
import { SummaryCache } from './summary-cache.js';

const spec = { outputKind: 'binary' as const, features: [], edges: {} };
const ctx = (): VersionContext => ({ record: { model: 'm', version: '1', createdAt: 0 }, spec, reference: null });
const key = (windowStart: number, granularity: SummaryKey['granularity'] = 'hour'): SummaryKey => ({ model: 'm', version: '1', segment: '', granularity, windowStart });
const summary = (): WindowSummary => new WindowSummary(spec, 1);

test('decoded summaries: hit for the same version context, dropped when written or the context changes', () => {
  const c = new SummaryCache();
  const v = ctx();
  const s = summary();
  c.putSummary(v, key(0), s, 10, c.epoch);
  assert.equal(c.summary(v, key(0)), s);
  assert.equal(c.summary(ctx(), key(0)), undefined, 'another context (a new reference) does not see it');
  c.putSummary(v, key(0), s, 10, c.epoch);
  c.invalidate([key(0)]);
  assert.equal(c.summary(v, key(0)), undefined);
});

test('what was read before a write of the same window is not cached; other windows are', () => {
  const c = new SummaryCache();
  const v = ctx();
  const epoch = c.epoch;
  c.invalidate([key(0)]); // committed while the query was reading
  c.putSummary(v, key(0), summary(), 10, epoch);
  c.putSummary(v, key(3_600_000), summary(), 10, epoch);
  c.putValue(v, key(0), 'x', 1, epoch);
  assert.equal(c.summary(v, key(0)), undefined);
  assert.notEqual(c.summary(v, key(3_600_000)), undefined);
  assert.equal(c.value(v, key(0), 'x'), undefined);
});

test('merged ranges are dropped when a window inside them is written, including a new one', () => {
  const c = new SummaryCache();
  const v = ctx();
  const parts = [{ model: 'm', version: '1', segment: '', granularity: 'hour' as const, from: 0, to: 7_200_000 }];
  const s = summary();
  c.putMergedRange(v, 'r', parts, s, c.epoch);
  assert.equal(c.mergedRange(v, 'r'), s);
  c.invalidate([key(7_200_000)]); // outside
  c.invalidate([key(0, 'minute')]); // other granularity
  assert.equal(c.mergedRange(v, 'r'), s);
  c.invalidate([key(3_600_000)]); // a window in the range
  assert.equal(c.mergedRange(v, 'r'), undefined);
});

test('bounded by stored bytes (LRU) and by a TTL when the store is shared', () => {
  let now = 0;
  const c = new SummaryCache({ maxBytes: 25, ttlMs: 1000, now: () => now });
  const v = ctx();
  for (let i = 0; i < 3; i++) c.putSummary(v, key(i), summary(), 10, c.epoch);
  assert.equal(c.summary(v, key(0)), undefined, 'evicted');
  assert.notEqual(c.summary(v, key(2)), undefined);
  now = 1001;
  assert.equal(c.summary(v, key(2)), undefined, 'expired');
});

test('issue 3: windows known absent until one is written, a later put or the TTL; not remembered when written during the read', () => {
  let now = 0;
  const c = new SummaryCache({ ttlMs: 5000, now: () => now, maxAbsent: 2 });
  const v = ctx();
  c.putAbsent(v, key(0), c.epoch);
  assert.equal(c.isAbsent(v, key(0)), true);
  assert.equal(c.isAbsent(v, key(3_600_000)), false, 'a window never read is not known absent');
  assert.equal(c.isAbsent(ctx(), key(0)), false, 'another context does not see it');
  c.invalidate([key(0)]);
  assert.equal(c.isAbsent(v, key(0)), false, 'a write of the window forgets it');
  const epoch = c.epoch;
  c.invalidate([key(0)]); // committed while the read that found it absent ran
  c.putAbsent(v, key(0), epoch);
  c.putAbsent(v, key(3_600_000), epoch);
  assert.equal(c.isAbsent(v, key(0)), false);
  assert.equal(c.isAbsent(v, key(3_600_000)), true);
  c.putSummary(v, key(3_600_000), summary(), 10, c.epoch);
  assert.equal(c.isAbsent(v, key(3_600_000)), false, 'a summary read later replaces it');
  c.putAbsent(v, key(1), c.epoch);
  c.putAbsent(v, key(2), c.epoch);
  c.putAbsent(v, key(3), c.epoch);
  assert.deepEqual([1, 2, 3].map((t) => c.isAbsent(v, key(t))), [false, true, true], 'bounded: the oldest goes');
  now = 5001;
  assert.equal(c.isAbsent(v, key(3)), false, 'expired with the TTL of a shared store');
  c.putAbsent(v, key(4), c.epoch);
  c.clear();
  assert.equal(c.isAbsent(v, key(4)), false);
});
