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

test('eviction takes the least recently used clean windows, however many dirty ones were used before them', () => {
  const c = new WindowCache(4);
  for (let i = 0; i < 6; i++) c.put(`dirty${i}`, key('minute', i * M), summary(), true);
  assert.equal(c.size, 6, 'dirty windows are never evicted, even beyond capacity');
  c.put('a', key('minute', 10 * M), summary(), false);
  c.put('b', key('minute', 11 * M), summary(), false);
  assert.equal(c.size, 6, 'a clean window put beyond capacity is evicted at once: only dirty ones hold the room');
  assert.equal(c.get('b'), undefined);
  // A checkpoint cleans four: the cache keeps the newest clean ones up to capacity.
  c.markClean(c.dirty().slice(0, 4));
  assert.equal(c.size, 4);
  for (const k of ['dirty4', 'dirty5']) assert.ok(c.get(k), `${k} is still dirty`);
  assert.equal(c.dirtyCount, 2);
  c.markClean(c.dirty());
  c.put('c', key('minute', 12 * M), summary(), false);
  c.put('dirty4', key('minute', 4 * M), summary(), false); // used again: now the most recent
  c.put('d', key('minute', 13 * M), summary(), false); // evicts dirty3, cleaned before dirty4 and not used since
  assert.deepStrictEqual(['dirty2', 'dirty3', 'dirty4', 'dirty5', 'c', 'd'].filter((k) => c.get(k) !== undefined), ['dirty4', 'dirty5', 'c', 'd']);
  // A window made dirty again leaves the clean ones: eviction passes it by.
  c.put('c', key('minute', 12 * M), summary(), true);
  for (let i = 0; i < 5; i++) c.put(`e${i}`, key('minute', (20 + i) * M), summary(), false);
  assert.deepStrictEqual(['c', 'dirty4', 'dirty5', 'd', 'e0', 'e1', 'e2', 'e3', 'e4'].filter((k) => c.get(k) !== undefined), ['c', 'e2', 'e3', 'e4'],
    'a dirty window is kept whatever its age');
});
