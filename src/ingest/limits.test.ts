import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasNul, nestedDeeperThan, withoutNul } from './limits.js';

const deep = (n: number): unknown => JSON.parse('['.repeat(n) + ']'.repeat(n));

test('nesting depth: scalars are depth 0, each array or object one more; very deep values do not overflow', () => {
  assert.equal(nestedDeeperThan(1, 0), false);
  assert.equal(nestedDeeperThan({}, 0), true);
  assert.equal(nestedDeeperThan({ a: 1 }, 1), false);
  assert.equal(nestedDeeperThan({ a: [1, { b: 2 }] }, 2), true);
  assert.equal(nestedDeeperThan({ a: [1, { b: 2 }] }, 3), false);
  assert.equal(nestedDeeperThan(deep(200), 200), false);
  assert.equal(nestedDeeperThan(deep(201), 200), true);
  assert.equal(nestedDeeperThan(deep(100_000), 200), true);
});

test('NUL detection and replacement', () => {
  assert.equal(hasNul('a\u0000b'), true);
  assert.equal(hasNul('a\\u0000b'), false);
  assert.equal(withoutNul('a\u0000b\u0000'), 'a\ufffdb\ufffd');
  assert.equal(withoutNul('ab'), 'ab');
});
