/** A rollout's rollback: its alias flipped back to the primary (or its candidate withdrawn until the store takes the flip). */
import type { Analysis } from '../core/rollout/analysis.js';
import { UnavailableError } from '../io/errors.js';
import { RegistryError } from '../registry/errors.js';
import { restore } from './records.js';
import type { Rollout } from './spec.js';
import type { RolloutState } from './state.js';

/** The alias that shows where a rollout's candidate traffic goes ("canary" or "shadow"). */
export const trialAlias = (r: Rollout): string => (r.policy === 'shadow' ? 'shadow' : 'canary');

export const isConflict = (e: unknown): e is RegistryError => e instanceof RegistryError && e.code === 'conflict';
export const conflictActual = (e: RegistryError): string => (e.details as { actual?: string | null } | undefined)?.actual ?? '(unset)';

/**
 * Rolls the rollout back (flipBack) and ends it, notified. When the store refuses the flip (UnavailableError), the
 * candidate is withdrawn (RolloutState.withdrawn) and the error thrown: the next tick tries again.
 */
export async function rollback(s: RolloutState, r: Rollout, reason: string, by: string, analysis?: Analysis, manual = false): Promise<void> {
  try {
    reason = await flipBack(s, r, reason, by);
  } catch (e) {
    // the store refused it (unreachable, a full disk, a lost COMMIT answer): withdraw the candidate until it is stored;
    // any other failure (a registry error) leaves the rollout as it was, with the error shown on it
    if (e instanceof UnavailableError && !s.withdrawn.has(r.model)) {
      s.withdrawn.set(r.model, { reason, by, analysis, manual });
      s.log(`lookout: rollout ${r.id} of ${r.model}: its rollback (${reason}) could not be stored (${e instanceof Error ? e.message : String(e)}); ${r.candidate} gets no traffic meanwhile, and the rollback is tried again at every tick`);
    }
    throw e;
  }
  s.withdrawn.delete(r.model);
  const now = s.o.clock();
  Object.assign(r, { state: 'rolled_back', weight: 0, endedAt: now, endReason: reason });
  s.active.delete(r.model);
  s.looks.forget(r.id);
  await s.records.save(r, 'rolled_back', reason, analysis, manual ? by : undefined);
}

/** A rollback's alias flip: the promoted alias, or the trial alias, back to the primary; the reason as it stands after it. */
async function flipBack(s: RolloutState, r: Rollout, reason: string, by: string): Promise<string> {
  if (r.state === 'promoted') {
    const paused = pausedPrimary(s, r);
    try {
      await s.o.registry.setAlias(r.model, r.alias, r.primary, { kind: 'rollback', by, reason: `rollout ${r.id}: ${reason}${paused}`, expectFrom: r.candidate });
      return reason + paused;
    } catch (e) {
      // the alias no longer points to the candidate (moved by hand meanwhile): nothing to flip back, and retrying would
      // fail at every tick (and every abort) for good
      if (!isConflict(e)) throw e;
      return `${reason}; "${r.alias}" had already been moved off ${r.candidate} (to ${conflictActual(e)}) and was left as it is`;
    }
  }
  await s.o.registry.setAlias(r.model, trialAlias(r), r.primary, { kind: 'rollback', by, reason: `rollout ${r.id}: ${reason}` });
  return reason;
}

/**
 * Audit 29: a promoted rollout rolled back onto a primary paused since (its kill switch) leaves the alias on a version
 * that gets no traffic: the model is answered by its fallback chain, or 503. Said in the reason (the alert's and the
 * history's) with the way out, rather than found by the requests failing.
 */
function pausedPrimary(s: RolloutState, r: Rollout): string {
  const ctl = s.o.registry.control(r.model);
  if (ctl.modelPaused) return `; model "${r.model}" is paused: it is answered by its fallback chain (or 503) until resumed (lookout models resume ${r.model})`;
  if (!ctl.pausedVersions.has(r.primary)) return '';
  return `; ${r.primary} is paused: "${r.alias}" is answered by the fallback chain (or 503) until it is resumed (lookout versions resume ${r.model} ${r.primary})`;
}

/** Ends a blue-green rollout whose switch never happened (its primary kept every request): nothing to flip back, no alert. */
export async function endUnswitched(s: RolloutState, r: Rollout, reason: string): Promise<void> {
  const prev = { ...r };
  Object.assign(r, { state: 'rolled_back', weight: 0, endedAt: s.o.clock(), endReason: reason });
  try {
    await s.records.persist(r);
  } catch (e) {
    restore(r, prev); // still to be ended: by the next tick
    throw e;
  }
  // not notified: nothing was announced ('started' follows the switch), and the primary never stopped serving
  s.active.delete(r.model);
  s.looks.forget(r.id);
}
