import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSilenceStates, silenceState } from './silence-state.js';

test('silenceState: pending before startsAt, active from startsAt, expired from endsAt (as the silence stage mutes)', () => {
  const s = { startsAt: 100, endsAt: 200 };
  assert.deepEqual([99, 100, 199, 200, 201].map((t) => silenceState(s, t)), ['pending', 'active', 'active', 'expired', 'expired']);
});

test('parseSilenceStates: all by default, a comma-separated list (repeats once), anything else names the known states', () => {
  assert.deepEqual(parseSilenceStates(undefined), ['active', 'pending', 'expired']);
  assert.deepEqual(parseSilenceStates('all'), ['active', 'pending', 'expired']);
  assert.deepEqual(parseSilenceStates('expired, pending,expired'), ['expired', 'pending']);
  for (const bad of ['', 'muted', 'active,', 'Active', ['active'], 1]) {
    assert.throws(() => parseSilenceStates(bad), /^Error: state must be all or a comma-separated list of active, pending, expired \(got /, String(bad));
  }
});
