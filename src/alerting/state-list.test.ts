import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SILENCE_STATES } from './silence-state.js';
import { parseStates } from './state-list.js';

test('parseStates: all by default, a comma-separated list (repeats once), anything else names the known states', () => {
  assert.deepEqual(parseStates(undefined, SILENCE_STATES), ['active', 'pending', 'expired']);
  assert.deepEqual(parseStates('all', SILENCE_STATES), ['active', 'pending', 'expired']);
  assert.deepEqual(parseStates('expired, pending,expired', SILENCE_STATES), ['expired', 'pending']);
  for (const bad of ['', 'muted', 'active,', 'Active', ['active'], 1]) {
    assert.throws(() => parseStates(bad, SILENCE_STATES), /^Error: state must be all or a comma-separated list of active, pending, expired \(got /, String(bad));
  }
  assert.deepEqual(parseStates('rejected,done', ['pending_approval', 'done', 'rejected']), ['rejected', 'done']);
});
