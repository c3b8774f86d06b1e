/** A rollout's record brought up to the deployment history: the transition its alias flip recorded and it missed. */
import type { DeploymentRecord } from '../storage/registry.js';
import { endUnswitched } from './rollback.js';
import type { Rollout } from './spec.js';
import type { RolloutState } from './state.js';

/** A transition of a rollout that its alias flip recorded in the deployment history but its own record does not show. */
export type LostTransition = { to: 'promoted'; at: number } | { to: 'rolled_back'; at: number; reason: string };

/**
 * What the rollout's record missed: its alias flip (promotion or rollback) and the flip's deployment record commit in
 * one transaction, the rollout record in the next one. A crash between the two (kill -9), or a COMMIT whose answer was
 * lost (the connection cut: the flip committed, the controller saw an error), leaves the record behind the aliases: a
 * rollout still "running" while its candidate is already in production (it then waited for primary traffic that no
 * longer came and "rolled back" the canary alias, leaving the candidate in production unwatched), or still "promoted"
 * after its rollback. `history` is the model's deployments since the rollout began, in the order applied; the rollout's
 * own records are those whose reason starts with "rollout ID" (as the controller writes them).
 */
export function lostTransition(r: Pick<Rollout, 'id' | 'state'>, history: readonly DeploymentRecord[]): LostTransition | null {
  const own = history.filter((d) => d.reason === `rollout ${r.id}` || d.reason.startsWith(`rollout ${r.id}:`) || d.reason.startsWith(`rollout ${r.id} `));
  const last = own.at(-1);
  if (last === undefined) return null;
  const reason = last.reason.replace(new RegExp(`^rollout ${r.id}: `), '');
  if (last.kind === 'rollback' && r.state !== 'rolled_back') return { to: 'rolled_back', at: last.at, reason };
  if (last.kind === 'promote' && (r.state === 'running' || r.state === 'paused')) return { to: 'promoted', at: last.at };
  return null;
}

/**
 * Brings an unsettled rollout's record up to the deployment history (lostTransition): a promotion or rollback whose
 * alias flip committed while the rollout record was not saved (a crash, a COMMIT whose answer was lost) is completed
 * now, as it happened (its time is the flip's), never applied a second time.
 */
export async function settle(s: RolloutState, r: Rollout | undefined): Promise<void> {
  if (r === undefined || !s.unsettled.has(r.id)) return;
  const lost = lostTransition(r, await s.o.registry.store.deployments(r.model, r.createdAt, Number.MAX_SAFE_INTEGER));
  s.unsettled.delete(r.id);
  if (lost === null) {
    // a blue-green rollout is promoted by its start: one not promoted and not ended was interrupted before its switch
    if (r.policy === 'blue-green' && (r.state === 'running' || r.state === 'paused')) {
      s.log(`lookout: rollout ${r.id} of ${r.model}: its start was interrupted before the blue-green switch; ended, "${r.alias}" stays on ${r.primary}`);
      await endUnswitched(s, r, `interrupted before its blue-green switch: "${r.alias}" stayed on ${r.primary}`);
    }
    return;
  }
  s.log(`lookout: rollout ${r.id} of ${r.model}: its ${lost.to === 'promoted' ? 'promotion' : 'rollback'} was recorded in the deployment history but not in the rollout; completed now`);
  if (lost.to === 'promoted') {
    Object.assign(r, { state: 'promoted', promotedAt: lost.at, weight: 100 });
    delete r.stepLooks;
    s.looks.forget(r.id);
    s.o.stats.reset(r.model);
    return s.records.save(r, 'promoted', r.policy === 'blue-green' ? 'blue-green switch (start completed after an interruption)' : `all ${r.steps.length} steps passed (promotion completed after an interruption)`);
  }
  Object.assign(r, { state: 'rolled_back', weight: 0, endedAt: lost.at, endReason: lost.reason });
  s.active.delete(r.model);
  s.withdrawn.delete(r.model);
  s.looks.forget(r.id);
  await s.records.save(r, 'rolled_back', lost.reason);
}
