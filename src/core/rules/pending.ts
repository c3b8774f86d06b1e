import { SEVERITIES, type Status } from './types.js';

/**
 * Where a monitor's alert stands between evaluations, as Prometheus' alerting rules with `for:`: `inactive` (the
 * condition does not hold), `pending` (it holds, but not yet for `for`), `firing`. Pure: the caller passes the
 * evaluation time.
 */
export type AlertPhase = 'inactive' | 'pending' | 'firing';
export const ALERT_PHASES: readonly AlertPhase[] = ['inactive', 'pending', 'firing'];

export interface AlertState {
  phase: AlertPhase;
  /** When the condition first held (pending and firing; null when inactive). */
  since: number | null;
}

export const INACTIVE: AlertState = { phase: 'inactive', since: null };

/**
 * The state after an evaluation at `at` whose verdict is `status`: a severity (the condition holds) makes an inactive
 * alert pending (or firing at once when `forMs` is 0), and a pending one firing once `at` is at least `forMs` after the
 * condition first held; a firing alert stays firing while it holds. `ok` resets to inactive (a single good evaluation
 * cancels a pending alert); `insufficient_data` (no verdict) changes nothing.
 */
export function nextAlertState(prev: AlertState, status: Status, at: number, forMs: number): AlertState {
  if (status === 'insufficient_data') return prev;
  if (!(SEVERITIES as readonly string[]).includes(status)) return INACTIVE;
  if (prev.phase === 'firing') return prev;
  const since = prev.phase === 'pending' && prev.since !== null ? prev.since : at;
  return at - since >= forMs ? { phase: 'firing', since } : { phase: 'pending', since };
}
