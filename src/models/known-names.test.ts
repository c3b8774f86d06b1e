import assert from 'node:assert/strict';
import { test } from 'node:test';
import { knownNames } from './known-names.js';

test('knownNames: all of a few, (none) of none, the first ones and a count of many', () => {
  assert.equal(knownNames([]), '(none)');
  assert.equal(knownNames(['a', 'b']), 'a, b');
  assert.equal(knownNames(['a', 'b', 'c'], 3), 'a, b, c');
  assert.equal(knownNames(['a', 'b', 'c', 'd'], 2), 'a, b, ... (2 more: GET /v1/models?prefix= finds them)');
});
