import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leapSecondProblem, parseEventTimestamp, parseRfc3339, unitProblem } from './timestamp.js';

const NOW = Date.UTC(2026, 10, 30, 12);

test('RFC 3339 date-times with a zone are read exactly, fractions and offsets included', () => {
  assert.equal(parseRfc3339('2026-11-30T12:00:00Z'), NOW);
  assert.equal(parseRfc3339('2026-11-30t12:00:00z'), NOW);
  assert.equal(parseRfc3339('2026-11-30 12:00:00Z'), NOW);
  assert.equal(parseRfc3339('2026-11-30T13:30:00+01:30'), NOW);
  assert.equal(parseRfc3339('2026-11-30T07:00:00-05:00'), NOW);
  assert.equal(parseRfc3339('2026-11-30T12:00:00.25Z'), NOW + 250);
  assert.equal(parseRfc3339('2026-11-30T12:00:00.123456789Z'), NOW + 123);
  assert.equal(parseRfc3339('2024-02-29T00:00:00Z'), Date.UTC(2024, 1, 29));
  assert.equal(parseRfc3339('0050-01-01T00:00:00Z'), new Date('0050-01-01T00:00:00Z').getTime());
});

test('audit 25: a zone in ISO 8601\'s basic form (+hhmm: `date +%FT%T%z`) or as hours alone (+hh: PostgreSQL\'s text) is read as +hh:mm', () => {
  assert.equal(parseRfc3339('2026-11-30T13:30:00+0130'), NOW);
  assert.equal(parseRfc3339('2026-11-30T07:00:00-0500'), NOW);
  assert.equal(parseRfc3339('2026-11-30T13:00:00+01'), NOW);
  assert.equal(parseRfc3339('2026-11-30 07:00:00.000-05'), NOW);
  assert.equal(parseRfc3339('2026-11-30T12:00:00+0000'), NOW);
  assert.equal(parseRfc3339('2026-11-30T12:00:00.25+00'), NOW + 250);
  assert.equal(parseRfc3339('2016-12-31T18:59:60-0500'), Date.UTC(2017, 0, 1), 'a leap second in a basic offset');
  assert.equal(parseEventTimestamp('2026-11-30T13:00:00+0100', NOW + 1), NOW);
  // not offsets: one digit, three, a colon without minutes, hours or minutes out of range, seconds
  for (const s of ['2026-11-30T12:00:00+1', '2026-11-30T12:00:00+010', '2026-11-30T12:00:00+01:', '2026-11-30T12:00:00+01:0', '2026-11-30T12:00:00+2400',
    '2026-11-30T12:00:00+24', '2026-11-30T12:00:00+0160', '2026-11-30T12:00:00+010000', '2026-11-30T12:00:00+01:00:00', '2026-11-30T12:00:00 0100', '2026-11-30T12:00:00+01Z']) {
    assert.equal(parseRfc3339(s), undefined, s);
  }
});

test('a leap second (23:59:60 UTC, in any offset) is read as the next second, 00:00:00 of the next day; second 60 of another minute is refused', () => {
  // Until audit 13 refused as "must be an RFC 3339 date-time", which it is.
  const newYear = Date.UTC(2017, 0, 1);
  assert.equal(parseRfc3339('2016-12-31T23:59:60Z'), newYear);
  assert.equal(parseRfc3339('2016-12-31T23:59:60.5Z'), newYear + 500);
  assert.equal(parseRfc3339('2016-12-31T18:59:60-05:00'), newYear);
  assert.equal(parseRfc3339('2017-01-01T08:59:60+09:00'), newYear);
  assert.equal(parseRfc3339('2015-06-30T23:59:60Z'), Date.UTC(2015, 6, 1));
  assert.equal(parseEventTimestamp('2016-12-31T23:59:60Z', NOW), newYear);
  for (const s of ['2016-12-31T23:58:60Z', '2016-12-31T12:59:60Z', '2016-12-31T23:59:60+01:00', '2016-12-31T23:59:61Z']) assert.equal(parseRfc3339(s), undefined, s);
  assert.equal(leapSecondProblem('2016-12-31T12:59:60Z'), 'timestamp "2016-12-31T12:59:60Z" has second 60, a leap second, which exists only at 23:59:60 UTC (read as 00:00:00 of the next day)');
  for (const v of ['2016-12-31T23:59:60Z', '2016-12-31T23:59:61Z', '2016-12-31T12:59:59Z', 'x', 1]) assert.equal(leapSecondProblem(v), null, String(v));
});

test('bare dates, numbers as text, missing zones, impossible days and free text are refused', () => {
  for (const s of ['2026-11-30', '1', '0', 'yesterday', '2026-11-30T12:00:00', '2026-11-30T12:00Z', '2026-02-29T00:00:00Z', '2026-13-01T00:00:00Z',
    '2026-11-31T00:00:00Z', '2026-11-30T24:00:00Z', '2026-11-30T12:60:00Z', '2026-11-30T12:00:60Z', '2026-11-30T12:00:00+24:00',
    '+275760-09-13T00:00:00.000Z', ' 2026-11-30T12:00:00Z', '2026-11-30T12:00:00Z ', 'Mon, 30 Nov 2026 12:00:00 GMT', '']) {
    assert.equal(parseRfc3339(s), undefined, s);
  }
});

test('event timestamps: absent is now; epoch ms and RFC 3339 from 1970 on; earlier or odd values are refused', () => {
  assert.equal(parseEventTimestamp(undefined, NOW), NOW);
  assert.equal(parseEventTimestamp(null, NOW), NOW);
  assert.equal(parseEventTimestamp(NOW + 0.4, NOW), NOW);
  assert.equal(parseEventTimestamp(0, NOW), 0);
  assert.equal(parseEventTimestamp('1970-01-01T00:00:00Z', NOW), 0);
  assert.equal(parseEventTimestamp('2026-11-30T12:00:00Z', NOW), NOW);
  for (const v of [-1, '1900-01-01T00:00:00Z', '1969-12-31T23:59:59.999Z', '1', '1900-01-01', NaN, Infinity, 1e308, '9'.repeat(65), true, [], {}]) {
    assert.equal(parseEventTimestamp(v, NOW), undefined, String(v));
  }
});

test('epoch seconds are recognised between 1e9 and 1e11, epoch milliseconds are not', () => {
  assert.match(unitProblem(1_796_354_222) ?? '', /epoch seconds \(2026-12-04T03:17:02\.000Z\).*1970-01-21.*\(1796354222000\)/);
  assert.notEqual(unitProblem(1_796_354_222.5), null);
  for (const v of [0, 999_999_999, 1e11, 1_796_354_222_000, 99_999_999_999_999, 1e20, '1796354222', null, undefined]) assert.equal(unitProblem(v), null, String(v));
});

test('epoch microseconds and nanoseconds are named as such, with the milliseconds to send', () => {
  assert.equal(unitProblem(1_796_354_222_123_456), 'timestamp 1796354222123456 is epoch microseconds (2026-12-04T03:17:02.123Z): send epoch milliseconds (1796354222123) or an RFC 3339 date-time');
  assert.match(unitProblem(1_796_354_222_123_456_800) ?? '', /^timestamp 1796354222123456800 is epoch nanoseconds \(2026-12-04T03:17:02\.123Z\): send epoch milliseconds \(1796354222123\)/);
});
