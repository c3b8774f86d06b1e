import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from './errors.js';
import { parseTime, TIME_FORMS } from './params.js';

const T = Date.UTC(2026, 11, 1, 9);

test('audit 25: a query time takes a zone as +hh:mm, +hhmm (date +%FT%T%z) or +hh, its + unencoded (a space) too', () => {
  for (const s of ['2026-12-01T09:00:00Z', '2026-12-01T10:00:00+01:00', '2026-12-01T10:00:00+0100', '2026-12-01T10:00:00+01', '2026-12-01T10:00+0100',
    '2026-12-01T10:00 0100', '2026-12-01T10:00:00 01', '2026-12-01T04:00:00-0500', '2026-12-01T04:00-05', '2026-12-01 10:00:00.000+0100', String(T)]) {
    assert.equal(parseTime(s, 'from'), T, s);
  }
  assert.equal(parseTime('2026-12-01T09:00', 'from'), T, 'no zone: UTC');
  assert.equal(parseTime('2026-12-01', 'from'), Date.UTC(2026, 11, 1));
});

test('audit 25: a time in another form is refused showing the accepted forms, the basic offset among them', () => {
  for (const s of ['2026-12-01T10:00:00+1', '2026-12-01T10:00:00+010', '2026-12-01T10:00:00+01:', '2026-12-01T10:00:00+2400', 'yesterday', '2026-12-01T10']) {
    assert.throws(() => parseTime(s, 'to'), (e: unknown) => {
      assert.ok(e instanceof ApiError);
      assert.equal(e.code, 'bad_request');
      assert.equal(e.message, `to must be ${TIME_FORMS} (got "${s}")`);
      assert.match(e.message, /\+01:00 \(or \+0100, \+01\)/);
      return true;
    }, s);
  }
});
