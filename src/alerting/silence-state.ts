import type { SilenceRecord } from '../storage/alerts.js';

/** Where a silence stands at a time, as Alertmanager names it: not started yet, muting, or over. */
export const SILENCE_STATES = ['active', 'pending', 'expired'] as const;
export type SilenceState = (typeof SILENCE_STATES)[number];

/** pending before startsAt, active from startsAt until endsAt (excluded), expired from endsAt on. */
export function silenceState(s: Pick<SilenceRecord, 'startsAt' | 'endsAt'>, now: number): SilenceState {
  if (now < s.startsAt) return 'pending';
  return now < s.endsAt ? 'active' : 'expired';
}
