import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decomposeRange, GRANULARITY_MS, granularityFor, windowStart } from './windows.js';

const H = GRANULARITY_MS.hour;
const D = GRANULARITY_MS.day;
const M = GRANULARITY_MS.minute;

test('windowStart aligns to UTC minutes, 10 minutes, hours, 6 hours and days', () => {
  const ts = Date.UTC(2026, 10, 23, 13, 45, 30, 123);
  assert.equal(windowStart(ts, 'minute'), Date.UTC(2026, 10, 23, 13, 45));
  assert.equal(windowStart(ts, '10min'), Date.UTC(2026, 10, 23, 13, 40));
  assert.equal(windowStart(ts, 'hour'), Date.UTC(2026, 10, 23, 13));
  assert.equal(windowStart(ts, '6h'), Date.UTC(2026, 10, 23, 12));
  assert.equal(windowStart(ts, 'day'), Date.UTC(2026, 10, 23));
});


/** Checks that `parts` cover [from, to) rounded to minutes exactly, in order, without overlap, each part aligned. */
function assertExactCover(parts: ReturnType<typeof decomposeRange>, from: number, to: number): void {
  const f = Math.floor(from / M) * M;
  const t = Math.ceil(to / M) * M;
  assert.equal(parts[0]?.from, f);
  assert.equal(parts[parts.length - 1]?.to, t);
  for (let i = 1; i < parts.length; i++) assert.equal(parts[i]?.from, parts[i - 1]?.to, 'contiguous, in time order');
  for (const p of parts) {
    const size = GRANULARITY_MS[p.granularity];
    assert.ok(p.to > p.from, 'not empty');
    assert.equal(p.from % size, 0, 'aligned start');
    assert.equal(p.to % size, 0, 'aligned end');
  }
  for (let i = 1; i < parts.length; i++) assert.notEqual(parts[i]?.granularity, parts[i - 1]?.granularity, 'neighbours of one granularity are one part');
}

const windowsOf = (parts: ReturnType<typeof decomposeRange>): number => parts.reduce((s, p) => s + (p.to - p.from) / GRANULARITY_MS[p.granularity], 0);

test('decomposeRange covers the range exactly, without overlap, with the fewest windows', () => {
  const base = Date.UTC(2026, 0, 1);
  const cases: Array<[number, number]> = [
    [base + 5 * M, base + 17 * M],
    [base + 5 * M, base + 3 * H + 7 * M],
    [base + 23 * H + 50 * M, base + 3 * D + 2 * H + 1 * M],
    [base, base + 30 * D],
    [base + 1, base + 2 * H - 1],
    [base + 15 * H + 27 * M + 30_000, base + D + 15 * H + 27 * M + 30_000],
  ];
  for (const [from, to] of cases) {
    const parts = decomposeRange(from, to);
    assertExactCover(parts, from, to);
    const days = Math.ceil((to - from) / D);
    assert.ok(windowsOf(parts) <= 2 * (9 + 5 + 5 + 3) + days, `${windowsOf(parts)} windows`);
  }
  assert.deepEqual(decomposeRange(base, base + 30 * D), [{ granularity: 'day', from: base, to: base + 30 * D }]);
  // bench:query's 24 h range (15:27:30 to 15:27:30 the next day): 24 windows instead of 33 + 23 + 28.
  const from = base + 15 * H + 27 * M + 30_000;
  assert.deepEqual(decomposeRange(from, from + D).map((p) => [p.granularity, windowsOf([p])]), [
    ['minute', 3], ['10min', 3], ['hour', 2], ['6h', 3], ['hour', 3], ['10min', 2], ['minute', 8],
  ]);
  assert.equal(windowsOf(decomposeRange(from, from + D, Infinity)), 84);
});

test('decomposeRange uses minute and hour windows instead of 10-minute and 6-hour ones before intermediateSince', () => {
  const base = Date.UTC(2026, 0, 1);
  const rnd = ((seed) => () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31)(7);
  for (let i = 0; i < 500; i++) {
    const from = base + Math.floor(rnd() * 3 * D);
    const to = from + Math.floor(rnd() * 2 * D);
    const since = base + Math.floor(rnd() * 5) * D;
    const parts = decomposeRange(from, to, since);
    if (Math.ceil(to / M) * M === Math.floor(from / M) * M) {
      assert.deepEqual(parts, []);
      continue;
    }
    assertExactCover(parts, from, to);
    for (const p of parts) if (p.granularity === '10min' || p.granularity === '6h') assert.ok(p.from >= since, `${p.granularity} windows from ${p.from}, before ${since}`);
    // Never more windows than without intermediate windows at all, never fewer than with them everywhere.
    assert.ok(windowsOf(parts) <= windowsOf(decomposeRange(from, to, Infinity)));
    assert.ok(windowsOf(parts) >= windowsOf(decomposeRange(from, to, 0)));
  }
  // A since in the middle of the range: minutes and hours up to it, intermediate windows after.
  const from = base - 3 * H - 3 * M;
  assert.deepEqual(decomposeRange(from, base + 7 * H + 5 * M, base), [
    { granularity: 'minute', from, to: base - 3 * H },
    { granularity: 'hour', from: base - 3 * H, to: base },
    { granularity: '6h', from: base, to: base + 6 * H },
    { granularity: 'hour', from: base + 6 * H, to: base + 7 * H },
    { granularity: 'minute', from: base + 7 * H, to: base + 7 * H + 5 * M },
  ]);
  assert.deepEqual(decomposeRange(base - 25 * M, base + 12 * H + 25 * M, base).map((p) => [p.granularity, windowsOf([p])]), [
    ['minute', 25], ['6h', 2], ['10min', 2], ['minute', 5],
  ]);
});

test('granularityFor picks the coarsest granularity with enough points', () => {
  assert.equal(granularityFor(0, 30 * D), 'day');
  assert.equal(granularityFor(0, 2 * D), 'hour');
  assert.equal(granularityFor(0, 3 * H), 'minute');
});
