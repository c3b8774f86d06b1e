import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WindowSummary } from '../core/summary/window.js';
import type { Granularity, SummaryKey } from '../storage/types.js';
import { WindowCache } from './window-cache.js';

const M = 60_000;
const H = 3_600_000;
const key = (granularity: Granularity, windowStart: number): SummaryKey => ({ model: 'm', version: '1', segment: '', granularity, windowStart });
const summary = (): WindowSummary => new WindowSummary({ outputKind: 'regression', features: [], edges: {} }, 1);

test('evictEnded drops clean windows that ended before the cut-off, never dirty or current ones', () => {
  const c = new WindowCache(100);
  const now = 10 * H + 30 * M;
  c.put('old-minute', key('minute', now - 10 * M), summary(), false);
  c.put('old-minute-dirty', key('minute', now - 9 * M), summary(), true);
  c.put('recent-minute', key('minute', now - 2 * M), summary(), false);
  c.put('this-hour', key('hour', 10 * H), summary(), false);
  c.put('last-hour', key('hour', 9 * H), summary(), false);
  c.evictEnded(now - 5 * M);
  assert.equal(c.size, 3);
  for (const k of ['old-minute-dirty', 'recent-minute', 'this-hour']) assert.ok(c.get(k), k);
  for (const k of ['old-minute', 'last-hour']) assert.equal(c.get(k), undefined, k);
  // Once written, the dirty one goes too.
  c.markClean(c.dirty());
  c.evictEnded(now - 5 * M);
  assert.equal(c.get('old-minute-dirty'), undefined);
  assert.equal(c.size, 2);
});
