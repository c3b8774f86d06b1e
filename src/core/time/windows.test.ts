import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decomposeRange, GRANULARITY_MS, granularityFor, windowStart } from './windows.js';

const H = GRANULARITY_MS.hour;
const D = GRANULARITY_MS.day;
const M = GRANULARITY_MS.minute;

test('windowStart aligns to UTC minutes, hours and days', () => {
  const ts = Date.UTC(2026, 10, 23, 13, 45, 30, 123);
  assert.equal(windowStart(ts, 'minute'), Date.UTC(2026, 10, 23, 13, 45));
  assert.equal(windowStart(ts, 'hour'), Date.UTC(2026, 10, 23, 13));
  assert.equal(windowStart(ts, 'day'), Date.UTC(2026, 10, 23));
});

test('decomposeRange covers the range exactly, without overlap, with the fewest windows', () => {
  const base = Date.UTC(2026, 0, 1);
  const cases: Array<[number, number]> = [
    [base + 5 * M, base + 17 * M],
    [base + 5 * M, base + 3 * H + 7 * M],
    [base + 23 * H + 50 * M, base + 3 * D + 2 * H + 1 * M],
    [base, base + 30 * D],
    [base + 1, base + 2 * H - 1],
  ];
  for (const [from, to] of cases) {
    const parts = decomposeRange(from, to);
    const f = Math.floor(from / M) * M;
    const t = Math.ceil(to / M) * M;
    const sorted = [...parts].sort((x, y) => x.from - y.from);
    assert.equal(sorted[0]?.from, f);
    assert.equal(sorted[sorted.length - 1]?.to, t);
    for (let i = 1; i < sorted.length; i++) assert.equal(sorted[i]?.from, sorted[i - 1]?.to, 'contiguous');
    for (const p of parts) {
      const size = GRANULARITY_MS[p.granularity];
      assert.equal(p.from % size, 0, 'aligned start');
      assert.equal(p.to % size, 0, 'aligned end');
    }
    const rows = parts.reduce((s, p) => s + (p.to - p.from) / GRANULARITY_MS[p.granularity], 0);
    assert.ok(rows <= 2 * 59 + 2 * 23 + Math.ceil((t - f) / D), `${rows} windows`);
  }
  assert.deepEqual(decomposeRange(base, base + 30 * D), [{ granularity: 'day', from: base, to: base + 30 * D }]);
});

test('granularityFor picks the coarsest granularity with enough points', () => {
  assert.equal(granularityFor(0, 30 * D), 'day');
  assert.equal(granularityFor(0, 2 * D), 'hour');
  assert.equal(granularityFor(0, 3 * H), 'minute');
});
