import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyedWindows, MAX_KEYED_WINDOWS, windowRowKey } from './window-row-key.js';
import { assertAligned } from '../window-align.js';

const H = 3_600_000;

test('issue 3: keyed reads list every aligned window start of [from, to), and only for one named series of few windows', () => {
  const q = { model: 'm', version: '1', segment: 'a=1', granularity: 'hour' as const, from: 2 * H, to: 5 * H };
  assert.deepStrictEqual(keyedWindows(q), [2, 3, 4].map((i) => windowRowKey({ model: 'm', version: '1', segment: 'a=1', windowStart: i * H })));
  assert.deepStrictEqual(keyedWindows({ ...q, from: 2 * H + 1, to: 4 * H + 1 }), [3, 4].map((i) => windowRowKey({ model: 'm', version: '1', segment: 'a=1', windowStart: i * H })));
  assert.deepStrictEqual(keyedWindows({ ...q, from: 3 * H, to: 3 * H }), []);
  assert.equal(keyedWindows({ ...q, version: undefined }), null);
  assert.equal(keyedWindows({ ...q, segment: undefined }), null);
  assert.equal(keyedWindows({ ...q, from: 0, to: MAX_KEYED_WINDOWS * H })?.length, MAX_KEYED_WINDOWS);
  assert.equal(keyedWindows({ ...q, from: 0, to: MAX_KEYED_WINDOWS * H + 1 }), null);
  assert.equal(keyedWindows({ ...q, from: -Infinity }), null);
  assert.equal(keyedWindows({ ...q, granularity: 'day', from: 0, to: 86_400_000 })?.length, 1);
});

test('issue 3: window row keys are unambiguous whatever the names hold', () => {
  const a = windowRowKey({ model: 'm","1', version: '', segment: '', windowStart: 0 });
  const b = windowRowKey({ model: 'm', version: '1', segment: '', windowStart: 0 });
  assert.notEqual(a, b);
  // Lone surrogates as the stores keep them (U+FFFD), so both spellings name the stored row.
  assert.equal(windowRowKey({ model: 'm', version: '1', segment: 'x\uD800', windowStart: 60_000 }), '["m","1","x\uFFFD",60000]');
  assert.equal(windowRowKey({ model: 'm', version: '1', segment: '\uDC00\uD83D\uDE00', windowStart: 0 }), '["m","1","\uFFFD\uD83D\uDE00",0]');
});

test('issue 3: summary windows must start on their granularity boundary', () => {
  assertAligned({ granularity: 'minute', windowStart: 120_000 });
  assertAligned({ granularity: 'day', windowStart: 86_400_000 * 3 });
  assert.throws(() => assertAligned({ granularity: 'hour', windowStart: 60_000 }), /summary window start 60000 is not aligned to its granularity \(hour: a multiple of 3600000 ms\)/);
  assert.throws(() => assertAligned({ granularity: 'minute', windowStart: 0.5 }), /not aligned/);
  assert.throws(() => assertAligned({ granularity: 'minute', windowStart: NaN }), /not aligned/);
});
