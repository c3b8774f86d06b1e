import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closest, didYouMean, firstUnknown, knownKeys } from './closest.js';

test('closest: one edit, a swap, case alone; none for a far, short or tied name', () => {
  const known = ['steps', 'stepDurationMs', 'maxStepDurationMs', 'bakeMs', 'reason'];
  assert.equal(closest('stpes', known), 'steps'); // adjacent swap: one edit
  assert.equal(closest('stepDurationMS', known), 'stepDurationMs'); // case alone
  assert.equal(closest('reasn', known), 'reason');
  assert.equal(closest('colour', known), null);
  assert.equal(closest('x', ['to', 'x1']), null, 'a one-letter name is no typo of anything');
  assert.equal(closest('ab', ['ac', 'ad']), null, 'a tie suggests nothing');
  assert.equal(closest('a'.repeat(65), ['a'.repeat(64)]), null, 'a name over 64 characters is not compared');
});

test('closest: the limit bounds the distance and skips names too different in length', () => {
  assert.equal(closest('additionalProperty', ['additionalProperties']), null, '3 edits: beyond the default 2');
  assert.equal(closest('additionalProperty', ['additionalProperties'], 3), 'additionalProperties');
});

test('didYouMean, knownKeys and firstUnknown word the tail of an "is unknown" message', () => {
  assert.equal(didYouMean('windw', ['window', 'metric']), '; did you mean "window"?');
  assert.equal(didYouMean('zzz', ['window', 'metric']), '');
  assert.equal(knownKeys('isregex', ['name', 'value', 'isRegex', 'isNegative']), '(known keys: name, value, isRegex, isNegative; did you mean "isRegex"?)');
  assert.equal(firstUnknown({ a: 1, b: 2, c: 3 }, ['a', 'c']), 'b');
  assert.equal(firstUnknown({ a: 1 }, new Set(['a'])), undefined);
});
