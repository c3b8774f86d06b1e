import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isClipped, seriesWindows } from './series-points.js';

const H = 3_600_000;
const D = 24 * H;

test('day windows are clipped to the effective range where it cuts their day; minute and hour windows are whole', () => {
  const from = 10 * D + 9.5 * H;
  const to = 13 * D + 16.2 * H;
  const eff = { from: 10 * D + 9 * H, to: 13 * D + 17 * H };
  const days = seriesWindows(from, to, eff, 'day');
  assert.deepEqual(days, [
    { t: 10 * D, from: eff.from, to: 11 * D },
    { t: 11 * D, from: 11 * D, to: 12 * D },
    { t: 12 * D, from: 12 * D, to: 13 * D },
    { t: 13 * D, from: 13 * D, to: eff.to },
  ]);
  assert.deepEqual(days.map((w) => isClipped(w, D)), [true, false, false, true]);
  // within one day: one point, clipped at both ends
  assert.deepEqual(seriesWindows(from, 10 * D + 12 * H, { from: eff.from, to: 10 * D + 12 * H }, 'day'), [{ t: 10 * D, from: eff.from, to: 10 * D + 12 * H }]);
  // whole days: nothing clipped
  assert.ok(seriesWindows(10 * D, 13 * D, { from: 10 * D, to: 13 * D }, 'day').every((w) => !isClipped(w, D)));
  const hours = seriesWindows(from, to, eff, 'hour');
  assert.equal(hours[0]?.t, eff.from);
  assert.ok(hours.every((w) => !isClipped(w, H)));
  assert.deepEqual(seriesWindows(from + 30_000, from + 150_000, { from, to: from + 180_000 }, 'minute').map((w) => w.t), [from, from + 60_000, from + 120_000]);
});
