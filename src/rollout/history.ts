import type { Rollout } from './spec.js';

/** A past or current rollout as the history lists it: how far it got, how it ended, who started it and why. */
export interface RolloutSummary {
  id: string;
  policy: Rollout['policy'];
  primary: string;
  candidate: string;
  /** running, paused, promoted (within its bake period or after it) or rolled_back: its outcome once over. */
  state: Rollout['state'];
  steps: number[];
  /** The step reached, from 1 (a rolled-back rollout: the step it was rolled back at). */
  stepReached: number;
  stepsTotal: number;
  /** The candidate's traffic share at that step (100 once promoted). */
  weightReached: number;
  by: string;
  reason: string;
  createdAt: number;
  promotedAt: number | null;
  endedAt: number | null;
  /** Why it was rolled back (an automatic rollback's analysis or SLO breach, or an abort's reason and who asked). */
  endReason: string | null;
}

export function summariseRollout(r: Rollout): RolloutSummary {
  const weightReached = r.state === 'promoted' ? 100 : r.steps[r.step] ?? r.weight;
  return {
    id: r.id, policy: r.policy, primary: r.primary, candidate: r.candidate, state: r.state, steps: r.steps,
    stepReached: r.step + 1, stepsTotal: r.steps.length, weightReached, by: r.by, reason: r.reason,
    createdAt: r.createdAt, promotedAt: r.promotedAt, endedAt: r.endedAt, endReason: r.endReason,
  };
}
