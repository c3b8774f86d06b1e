/** A tick's evaluation of the active rollouts: each step's analysis and SLO check, promotion, next step or rollback. */
import { analyse, lookAnalysis, type Analysis } from '../core/rollout/analysis.js';
import { restore } from './records.js';
import { conflictActual, isConflict, rollback } from './rollback.js';
import { settle } from './settle.js';
import { sloBreach, sloLevel } from './slo.js';
import type { Rollout } from './spec.js';
import type { RolloutState } from './state.js';

/** A rollout whose evaluation failed in a tick (the others were still evaluated). */
export interface TickError {
  model: string;
  rollout: string;
  message: string;
}

function failing(a: Analysis): string {
  return a.checks.filter((c) => !c.pass).map((c) => `${c.name} canary ${c.canary === null ? 'n/a' : +c.canary.toFixed(4)} vs primary ${c.primary === null ? 'n/a' : +c.primary.toFixed(4)} (limit ${c.limit === null ? 'n/a' : +c.limit.toFixed(4)})`).join('; ');
}

/**
 * One evaluation round of every active rollout (RolloutController.tick runs it, one at a time). A rollout whose
 * evaluation fails is left as it was, with the error as its `lastError`, and never stops the others.
 */
export async function evaluate(s: RolloutState): Promise<TickError[]> {
  const now = s.o.clock();
  const errors: TickError[] = [];
  for (const r of [...s.active.values()]) {
    const before = { state: r.state, step: r.step, analyses: r.analyses.length };
    try {
      // most looks change nothing and store nothing: evaluateOne then returns no promise (CI time (2026-12-07): the
      // simulations of audit 5 and 6 run hundreds of thousands of looks, each awaiting three async functions before)
      const work = evaluateOne(s, r, now);
      if (work !== undefined) await work;
      if (r.lastError !== undefined) {
        delete r.lastError;
        await s.records.persist(r);
      }
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      // no transition happened (the alias flip failed): drop the analysis recorded for it, or every tick adds one;
      // a rollback waiting for the store keeps the one that decided it (it is retried without a new analysis)
      if (r.state === before.state && r.step === before.step && !s.withdrawn.has(r.model)) r.analyses.length = before.analyses;
      r.lastError = { at: now, message };
      s.unsettled.add(r.id);
      errors.push({ model: r.model, rollout: r.id, message });
      s.log(`lookout: rollout ${r.id} of ${r.model} could not be evaluated: ${message}`);
      await s.records.persist(r).catch(() => undefined);
    }
  }
  return errors;
}

/** One rollout's look: a promise when it has work to wait for (a settle, a transition), undefined when it changed nothing. */
function evaluateOne(s: RolloutState, r: Rollout, now: number): Promise<void> | undefined {
  // a blue-green rollout not promoted yet is one whose start is in doubt: never evaluated as steps
  if (r.policy === 'blue-green' && (r.state === 'running' || r.state === 'paused')) s.unsettled.add(r.id);
  if (s.unsettled.has(r.id)) return settle(s, r).then(() => evaluateSettled(s, r, now));
  return evaluateSettled(s, r, now);
}

function evaluateSettled(s: RolloutState, r: Rollout, now: number): Promise<void> | undefined {
  if (r.state === 'rolled_back') return undefined; // its rollback was found in the deployment history (settle)
  const pending = s.withdrawn.get(r.model);
  if (pending) return rollback(s, r, pending.reason, pending.by, pending.analysis, pending.manual);
  if (r.state === 'running') return evaluateStep(s, r, now);
  if (r.state === 'promoted') {
    // every tick is a look: each tests at its share of slo.errorRateAlpha, the last one of the bake period at what is left
    const last = now >= (r.promotedAt ?? now) + r.bakeMs;
    const breach = sloBreach(s.o.stats.arm(r.model, r.candidate), r.slo, sloLevel(r, s.looks.look(r, now, last)));
    if (breach !== null) return rollback(s, r, `SLO breach within ${Math.round(r.bakeMs / 1000)} s after promotion: ${breach}`, 'rollout-controller');
    if (last) {
      s.active.delete(r.model);
      s.looks.forget(r.id);
    }
  }
  return undefined;
}

function evaluateStep(s: RolloutState, r: Rollout, now: number): Promise<void> | undefined {
  // the alias moved off the primary (by hand, a forced promotion): the primary gets no traffic any more, so the step
  // would wait its whole maxStepDurationMs for samples while the candidate kept its share; end it now, as a promotion does
  const serving = s.o.registry.control(r.model).aliases[r.alias];
  if (serving !== r.primary) {
    return rollback(s, r, `"${r.alias}" was moved off ${r.primary} during the rollout (now ${serving ?? 'unset'}): ended, its candidate no longer compared with the version serving`, 'rollout-controller');
  }
  const canary = s.o.stats.arm(r.model, r.candidate);
  const primary = s.o.stats.arm(r.model, r.primary);
  const pair = s.o.stats.pairBetween(r.model, r.primary, r.candidate);
  const elapsed = now - r.stepStartedAt;
  // Every tick is a look (spending.ts): each tests at its share of the configured levels, the step's final one (the
  // first at or after its end with minSamples on both arms) at what is left; the looks after the end while the step
  // waits for samples spend a tenth of the rest evenly over the waiting time allowed.
  const look = s.looks.look(r, now, false);
  let a = analyse(canary, primary, pair.n > 0 ? pair : null, lookAnalysis(r.analysis, look));
  // Audit 27: a candidate stopped by the kill switch (its version or the model paused) gets no traffic: its step has no
  // final look (it never passes on the statistics from before the pause) until it is resumed; see below
  const ctl = s.o.registry.control(r.model);
  const paused = ctl.modelPaused || ctl.pausedVersions.has(r.candidate);
  const last = elapsed >= r.stepDurationMs && !a.insufficient && !paused;
  if (last) {
    look.final = true;
    a = analyse(canary, primary, pair.n > 0 ? pair : null, lookAnalysis(r.analysis, look));
  }
  const breach = sloBreach(canary, r.slo, sloLevel(r, look));
  if (breach !== null) return rollback(s, r, `SLO breach on the candidate at ${r.weight}%: ${breach}`, 'rollout-controller');
  if (a.fail) {
    r.analyses.push({ ...a, step: r.step, weight: r.weight, at: now });
    return rollback(s, r, `analysis failed at ${r.weight}%: ${failing(a)}`, 'rollout-controller', a);
  }
  if (elapsed < r.stepDurationMs) return undefined;
  // Audit 27: the step of a paused candidate never passes on the statistics from before the pause (it passed, and a
  // paused version was promoted: production answered by the fallback chain or a 503). It waits for the resume; still
  // paused after maxStepDurationMs, rolled back.
  if (paused) {
    if (elapsed < r.maxStepDurationMs) return undefined;
    r.analyses.push({ ...a, step: r.step, weight: r.weight, at: now });
    return rollback(s, r, `${r.candidate} is paused (kill switch${ctl.modelPaused ? ': the whole model' : ''}) at ${r.weight}%, still after ${Math.round(elapsed / 1000)} s (maxStepDurationMs): not promoted`, 'rollout-controller', a);
  }
  if (a.insufficient) {
    // Audit 27: the wait for samples counts from when the step's statistics started: a restart empties them (they are
    // the server's, in memory), and a server down longer than maxStepDurationMs rolled the rollout back at its first
    // tick, "not enough traffic (canary 0, primary 0)", before a single request since the restart.
    const waited = now - Math.max(r.stepStartedAt, s.o.stats.since(r.model));
    if (waited < r.maxStepDurationMs) return undefined;
    r.analyses.push({ ...a, step: r.step, weight: r.weight, at: now });
    return rollback(s, r, `not enough traffic at ${r.weight}% after ${Math.round(waited / 1000)} s (canary ${a.samples.canary}, primary ${a.samples.primary}, need ${r.analysis.minSamples})`, 'rollout-controller', a);
  }
  r.analyses.push({ ...a, step: r.step, weight: r.weight, at: now });
  return passStep(s, r, now, a);
}

/** The step passed (its analysis recorded): the promotion after the last step, or the next step. */
async function passStep(s: RolloutState, r: Rollout, now: number, a: Analysis): Promise<void> {
  if (r.step >= r.steps.length - 1) {
    try {
      await s.o.registry.setAlias(r.model, r.alias, r.candidate, { kind: 'promote', by: 'rollout-controller', reason: `rollout ${r.id}: all ${r.steps.length} steps passed`, expectFrom: r.primary });
    } catch (e) {
      // the alias was moved off the primary during the rollout (by hand, say): never promote over that change, and
      // do not retry at every tick either
      if (!isConflict(e)) throw e;
      return rollback(s, r, `"${r.alias}" was moved off ${r.primary} during the rollout (now ${conflictActual(e)}): not promoted over that change`, 'rollout-controller', a);
    }
    Object.assign(r, { state: 'promoted', promotedAt: now, weight: 100 });
    delete r.stepLooks;
    s.o.stats.reset(r.model);
    return s.records.save(r, 'promoted', `all ${r.steps.length} steps passed`, a);
  }
  // the next step only once it is stored: a step the store refused leaves the candidate at its share (tried again at
  // the next tick, on the same statistics), not at a share no record shows
  const prev = { ...r };
  r.step++;
  r.weight = r.steps[r.step] as number;
  r.stepStartedAt = now;
  delete r.stepLooks;
  try {
    await s.records.persist(r);
  } catch (e) {
    restore(r, prev);
    throw e;
  }
  s.o.stats.reset(r.model);
  await s.records.notify(r, 'step', `step passed; candidate now at ${r.weight}%`, a);
}
