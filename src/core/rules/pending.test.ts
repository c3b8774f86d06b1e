import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { INACTIVE, nextAlertState, type AlertState } from './pending.js';
import type { Status } from './types.js';

const H = 3_600_000;
/** The phases after evaluations at hours 1, 2, ... with these verdicts. */
function run(statuses: Status[], forMs: number, start: AlertState = INACTIVE): string[] {
  let st = start;
  return statuses.map((s, i) => {
    st = nextAlertState(st, s, (i + 1) * H, forMs);
    return st.phase;
  });
}

describe('alert state with a pending duration (for:)', () => {
  test('without for, a crossed level fires at once; ok resolves', () => {
    assert.deepEqual(run(['ok', 'page', 'page', 'ok'], 0), ['inactive', 'firing', 'firing', 'inactive']);
  });

  test('with for 2h on hourly evaluations: pending, pending, then firing at the evaluation 2h after the first', () => {
    assert.deepEqual(run(['page', 'page', 'page', 'page'], 2 * H), ['pending', 'pending', 'firing', 'firing']);
    const st = [1, 2, 3].reduce<AlertState>((s, h) => nextAlertState(s, 'warning', h * H, 2 * H), INACTIVE);
    assert.deepEqual(st, { phase: 'firing', since: H }, 'since: when the condition first held');
  });

  test('a single good evaluation in between resets it; the count starts again', () => {
    assert.deepEqual(run(['page', 'page', 'ok', 'page', 'page', 'page'], 2 * H), ['pending', 'pending', 'inactive', 'pending', 'pending', 'firing']);
  });

  test('no verdict (insufficient_data) keeps the state: neither resets nor fires', () => {
    assert.deepEqual(run(['page', 'insufficient_data', 'page'], 2 * H), ['pending', 'pending', 'firing']);
    assert.deepEqual(run(['insufficient_data', 'ok'], 2 * H, { phase: 'firing', since: 0 }), ['firing', 'inactive']);
  });

  test('a firing alert stays firing when the severity changes; a for shorter than the interval fires at the second', () => {
    assert.deepEqual(run(['critical', 'warning', 'page'], 0), ['firing', 'firing', 'firing']);
    assert.deepEqual(run(['page', 'page'], 10 * 60_000), ['pending', 'firing']);
  });
});
