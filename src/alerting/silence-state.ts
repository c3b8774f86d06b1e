import type { SilenceRecord } from '../storage/alerts.js';

/** Where a silence stands at a time, as Alertmanager names it: not started yet, muting, or over. */
export type SilenceState = 'pending' | 'active' | 'expired';
export const SILENCE_STATES: readonly SilenceState[] = ['active', 'pending', 'expired'];

/** pending before startsAt, active from startsAt until endsAt (excluded), expired from endsAt on. */
export function silenceState(s: Pick<SilenceRecord, 'startsAt' | 'endsAt'>, now: number): SilenceState {
  if (now < s.startsAt) return 'pending';
  return now < s.endsAt ? 'active' : 'expired';
}

/**
 * The states a `state` query parameter asks for: a comma-separated list of active, pending, expired, or `all`
 * (the default). Throws a message naming the known values otherwise.
 */
export function parseSilenceStates(v: unknown): SilenceState[] {
  if (v === undefined || v === 'all') return [...SILENCE_STATES];
  const given = typeof v === 'string' ? v.split(',').map((x) => x.trim()) : [];
  if (given.length === 0 || given.some((x) => !(SILENCE_STATES as readonly string[]).includes(x))) {
    throw new Error(`state must be all or a comma-separated list of ${SILENCE_STATES.join(', ')} (got ${JSON.stringify(v)})`);
  }
  return [...new Set(given as SilenceState[])];
}
