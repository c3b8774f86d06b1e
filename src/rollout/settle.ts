import type { DeploymentRecord } from '../storage/registry.js';
import type { Rollout } from './spec.js';

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
