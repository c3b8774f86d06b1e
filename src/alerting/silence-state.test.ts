import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silenceState } from './silence-state.js';

test('silenceState: pending before startsAt, active from startsAt, expired from endsAt (as the silence stage mutes)', () => {
  const s = { startsAt: 100, endsAt: 200 };
  assert.deepEqual([99, 100, 199, 200, 201].map((t) => silenceState(s, t)), ['pending', 'active', 'active', 'expired', 'expired']);
});
