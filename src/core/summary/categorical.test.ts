import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CategoricalSummary, UNSERIALISABLE } from './categorical.js';

test('values JSON cannot write (10,000 levels deep, cyclic) are counted under one category instead of throwing', () => {
  const c = new CategoricalSummary();
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  c.add(JSON.parse('['.repeat(10_000) + ']'.repeat(10_000)));
  c.add(cyclic);
  c.add({ a: 1 });
  assert.equal(c.count, 3);
  assert.equal(c.counts.get(UNSERIALISABLE), 2);
  assert.equal(c.counts.get('{"a":1}'), 1);
});
