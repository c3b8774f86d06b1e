import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkTimeWindow, inTimeWindow } from './time-window.js';

describe('audit (alerting): times of day of weekly time windows', () => {
  test('a time past 24:00 is refused (it used to be taken: a window starting at "24:30" never muted anything)', () => {
    for (const t of ['24:30', '24:01', '25:00']) {
      assert.throws(() => checkTimeWindow({ name: 'w', weekdays: [1], startTime: t, endTime: '23:00' }), /out of range \(00:00 to 24:00\)/, t);
      assert.throws(() => checkTimeWindow({ name: 'w', startTime: '22:00', endTime: t }), /out of range/, t);
    }
  });

  test('00:00 to 24:00 is the whole day; 24:00 stays a valid end', () => {
    const w = { name: 'all-monday', weekdays: [1], startTime: '00:00', endTime: '24:00' };
    checkTimeWindow(w);
    assert.ok(inTimeWindow(w, Date.UTC(2026, 0, 26, 0, 0))); // Monday 00:00
    assert.ok(inTimeWindow(w, Date.UTC(2026, 0, 26, 23, 59)));
    assert.ok(!inTimeWindow(w, Date.UTC(2026, 0, 27, 0, 0))); // Tuesday
  });
});
