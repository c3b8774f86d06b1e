import { analyse, lookAnalysis, type Analysis } from '../core/rollout/analysis.js';
import type { TrafficPolicy } from '../core/routing/policy.js';
import type { RoutingOverrides } from '../gateway/gateway.js';
import type { GatewayStats } from '../gateway/stats.js';
import { UnavailableError } from '../io/errors.js';
import { RegistryError } from '../registry/errors.js';
import type { ModelRegistry } from '../registry/registry.js';
import type { RolloutNotifier } from './notifier.js';
import { RolloutRecords, restore } from './records.js';
import { RolloutLooks } from './looks.js';
import { lostTransition } from './settle.js';
import { sloBreach, sloLevel } from './slo.js';
import { checkRolloutSpec, storedRollout, type Rollout, type RolloutSpec } from './spec.js';
import { checkStartable } from './startable.js';

export interface ControllerOptions {
  registry: ModelRegistry;
  stats: GatewayStats;
  clock: () => number;
  newId: () => string;
  notifier: RolloutNotifier;
  /** Where a failed evaluation of one rollout is logged (default: stderr). */
  log?: (line: string) => void;
}

/** A rollout whose evaluation failed in a tick (the others were still evaluated). */
export interface TickError {
  model: string;
  rollout: string;
  message: string;
}

/** The alias that shows where a rollout's candidate traffic goes ("canary" or "shadow"). */
const trialAlias = (r: Rollout): string => (r.policy === 'shadow' ? 'shadow' : 'canary');

const isConflict = (e: unknown): e is RegistryError => e instanceof RegistryError && e.code === 'conflict';
const conflictActual = (e: RegistryError): string => (e.details as { actual?: string | null } | undefined)?.actual ?? '(unset)';

function failing(a: Analysis): string {
  return a.checks.filter((c) => !c.pass).map((c) => `${c.name} canary ${c.canary === null ? 'n/a' : +c.canary.toFixed(4)} vs primary ${c.primary === null ? 'n/a' : +c.primary.toFixed(4)} (limit ${c.limit === null ? 'n/a' : +c.limit.toFixed(4)})`).join('; ');
}

/**
 * Progressive delivery: moves a candidate through traffic steps, analysing canary against primary at each
 * step; promotes (alias flip) when every step passes, rolls back on a failed analysis or an SLO breach —
 * during the rollout or within `bakeMs` after promotion. Driven by tick() with an injected clock, so tests
 * are deterministic; the server calls tick() on an interval.
 */
export class RolloutController implements RoutingOverrides {
  private readonly active = new Map<string, Rollout>();
  private ticking: Promise<TickError[]> | null = null;
  /** The tail of the evaluations and requested changes (pause, resume, abort), run one at a time. */
  private turn: Promise<unknown> = Promise.resolve();
  /** Models whose rollout is being started (between the checks and its first write). */
  private readonly starting = new Set<string>();

  private readonly log: (line: string) => void;
  private readonly looks = new RolloutLooks();
  /**
   * Rollouts whose record may be behind the deployment history (loaded at start, or whose last evaluation failed: an
   * alias flip may have committed without the rollout being saved): checked against it before they are evaluated.
   */
  private readonly unsettled = new Set<string>();
  /**
   * Per model, a rollback decided whose alias flip the store refused (UnavailableError: unreachable, a full disk): its candidate gets no
   * traffic meanwhile (routing), and the rollback is tried again at every tick until it is stored. Kept in memory only:
   * after a restart the rollout goes on from its stored state, and its next evaluation decides again.
   */
  private readonly withdrawn = new Map<string, { reason: string; by: string; analysis: Analysis | undefined; manual: boolean }>();

  private readonly records: RolloutRecords;

  constructor(private readonly o: ControllerOptions) {
    this.records = new RolloutRecords(o.registry.store, o.notifier, o.clock);
    this.log = o.log ?? ((line) => void process.stderr.write(`${line}\n`));
  }

  async load(): Promise<void> {
    const now = this.o.clock();
    // the newest rollout of each model only (a model's history can hold thousands): an older one is never active
    for (const rec of await this.o.registry.store.latestRollouts()) {
      const r = storedRollout(rec.data);
      if (r.state === 'running' || r.state === 'paused' || (r.state === 'promoted' && (r.promotedAt ?? 0) + r.bakeMs > now)) {
        this.active.set(r.model, r);
        this.unsettled.add(r.id);
        this.looks.resume(r, now);
      }
    }
  }

  routing(model: string): { policy: TrafficPolicy; compareCanary: boolean; primary?: string } | null {
    const r = this.active.get(model);
    // a rollback waiting for the store: everything to the primary (a promoted candidate is still the alias's version)
    if (r && this.withdrawn.has(model)) return { policy: { kind: 'single' }, compareCanary: false, ...(r.state === 'promoted' && { primary: r.primary }) };
    // a paused rollout: all traffic to the primary (the configured policy, a canary of its own, takes over at its end)
    if (r?.state === 'paused') return { policy: { kind: 'single' }, compareCanary: false };
    if (!r || r.state !== 'running') return null;
    if (r.policy === 'shadow') return { policy: { kind: 'shadow', candidate: r.candidate, percent: r.weight }, compareCanary: false };
    if (r.policy === 'canary') return { policy: { kind: 'canary', candidate: r.candidate, percent: r.weight, ...(r.stickyKey !== undefined && { stickyKey: r.stickyKey }) }, compareCanary: true };
    return null;
  }

  /**
   * Refuses a serving alias other than the one the model's rollout moves, while it runs or bakes: the gateway would
   * send the primary's traffic to the other alias's version, the analysis would compare the candidate with a version no
   * longer serving, and the promotion (or a rollback) would flip an alias that no longer serves.
   */
  checkServingAlias(model: string, alias: string): void {
    const r = this.active.get(model);
    if (r === undefined || r.alias === alias || r.state === 'rolled_back') return;
    if (r.state === 'promoted' && (r.promotedAt ?? 0) + r.bakeMs <= this.o.clock()) return;
    throw new RegistryError('conflict', `rollout ${r.id} of model "${model}" is ${r.state === 'promoted' ? 'in its bake period' : r.state} on alias "${r.alias}": abort it or wait for its end before serving alias "${alias}"`, { rollout: r.id, alias: r.alias });
  }

  /** The model's current or most recent rollout. */
  async current(model: string): Promise<Rollout | null> {
    const a = this.active.get(model);
    if (a) return a;
    const rec = (await this.o.registry.store.listRolloutPage(model, 1))[0];
    return rec ? storedRollout(rec.data) : null;
  }

  async start(model: string, raw: unknown, by: string, reason: string): Promise<Rollout> {
    const spec = checkRolloutSpec(raw);
    this.o.registry.requireVersion(model, spec.candidate);
    const { alias, primary } = checkStartable(model, spec, this.o.registry.control(model), this.active.get(model), this.o.clock());
    // reserved until this one is active: a second start meanwhile would pass the check above and replace it
    if (this.starting.has(model)) throw new RegistryError('conflict', `another rollout of model "${model}" is being started`);
    this.starting.add(model);
    try {
      return await this.begin(model, spec, alias, primary, by, reason);
    } finally {
      this.starting.delete(model);
    }
  }

  private async begin(model: string, spec: RolloutSpec, alias: string, primary: string, by: string, reason: string): Promise<Rollout> {
    const now = this.o.clock();
    const r: Rollout = {
      ...spec, id: this.o.newId(), model, alias, primary, step: 0, weight: spec.steps[0] as number, state: 'running', stepStartedAt: now,
      createdAt: now, updatedAt: now, by, reason, promotedAt: null, endedAt: null, endReason: null, analyses: [],
    };
    this.o.stats.reset(model);
    if (r.policy === 'blue-green') return this.switchOver(r, reason);
    await this.o.registry.setAlias(model, trialAlias(r), r.candidate, { kind: 'set', by, reason: `rollout ${r.id} started (${r.policy}, steps ${r.steps.join('/')}%): ${reason}` });
    this.active.set(model, r);
    await this.records.save(r, 'started', reason);
    return r;
  }

  /**
   * A blue-green rollout's start: its record first (running, no traffic yet), then the switch, then the record promoted.
   * Saved the other way round, a start interrupted between the switch and the record (kill -9, a lost COMMIT answer) left
   * production on the candidate with no rollout, so nothing watched its bake period. Now an interrupted start leaves a
   * record that settle() completes from the deployment history: promoted if the switch committed, ended if it did not.
   */
  private async switchOver(r: Rollout, reason: string): Promise<Rollout> {
    r.weight = 0;
    await this.records.persist(r);
    try {
      await this.o.registry.setAlias(r.model, r.alias, r.candidate, { kind: 'promote', by: r.by, reason: `rollout ${r.id} (blue-green switch): ${reason}`, expectFrom: r.primary });
    } catch (e) {
      // a registry error (the alias moved meanwhile, say) was not applied; anything else (the store unreachable, a lost
      // COMMIT answer) may have been: the next tick reads the deployment history to tell
      if (e instanceof RegistryError) await this.endUnswitched(r, `the blue-green switch was refused: ${e.message}`).catch(() => this.doubt(r));
      else this.doubt(r);
      throw e;
    }
    Object.assign(r, { state: 'promoted', promotedAt: r.createdAt, weight: 100 });
    this.active.set(r.model, r);
    try {
      await this.records.save(r, 'started', reason);
    } catch (e) {
      // the next tick that can write saves it (a record left "running" would otherwise be settled only at a restart)
      r.lastError = { at: r.createdAt, message: `the rollout's record could not be saved after its switch: ${e instanceof Error ? e.message : String(e)}` };
      throw e;
    }
    return r;
  }

  /** A rollout whose state is in doubt: active, and settled from the deployment history before anything else is done with it. */
  private doubt(r: Rollout): void {
    this.active.set(r.model, r);
    this.unsettled.add(r.id);
  }

  /** Ends a blue-green rollout whose switch never happened (its primary kept every request): nothing to flip back, no alert. */
  private async endUnswitched(r: Rollout, reason: string): Promise<void> {
    const prev = { ...r };
    Object.assign(r, { state: 'rolled_back', weight: 0, endedAt: this.o.clock(), endReason: reason });
    try {
      await this.records.persist(r);
    } catch (e) {
      restore(r, prev); // still to be ended: by the next tick
      throw e;
    }
    // not notified: nothing was announced ('started' follows the switch), and the primary never stopped serving
    this.active.delete(r.model);
    this.looks.forget(r.id);
  }

  /** Pauses the model's running rollout; one paused already is left as it is (changed: false). `reason`: kept in its history. */
  pause(model: string, by: string, reason = ''): Promise<{ rollout: Rollout; changed: boolean }> {
    return this.exclusive(() => this.pauseNow(model, by, reason));
  }

  private async pauseNow(model: string, by: string, reason: string): Promise<{ rollout: Rollout; changed: boolean }> {
    const r = this.running(model, ['running', 'paused']);
    if (r.state === 'paused') return { rollout: r, changed: false };
    // the looks so far spent their share of the step's levels: the looks after the resume get what they left
    r.stepLooks = [...r.stepLooks ?? [], this.looks.reached(r, this.o.clock())];
    r.state = 'paused';
    await this.records.save(r, 'paused', `paused by ${by}${reason !== '' ? `: ${reason}` : ''}`);
    return { rollout: r, changed: true };
  }

  /** Resumes the model's paused rollout; one running already is left as it is (changed: false). `reason`: kept in its history. */
  resume(model: string, by: string, reason = ''): Promise<{ rollout: Rollout; changed: boolean }> {
    return this.exclusive(() => this.resumeNow(model, by, reason));
  }

  private async resumeNow(model: string, by: string, reason: string): Promise<{ rollout: Rollout; changed: boolean }> {
    const r = this.running(model, ['running', 'paused']);
    if (r.state === 'running') return { rollout: r, changed: false };
    r.state = 'running';
    r.stepStartedAt = this.o.clock();
    this.o.stats.reset(model);
    await this.records.save(r, 'resumed', `resumed by ${by}${reason !== '' ? `: ${reason}` : ''}`);
    return { rollout: r, changed: true };
  }

  /**
   * Rollback of the model's rollout (running, paused, or promoted within its bake period) on request: by a person
   * (`manual`, the API's abort: notified as such, not as an automatic rollback) or by the alert pipeline's rollback action.
   */
  abort(model: string, by: string, reason: string, opts: { manual?: boolean } = {}): Promise<Rollout> {
    return this.exclusive(async () => {
      // after the tick in progress: an abort during its promotion rolls the promotion back, not only the canary alias
      await this.settle(this.active.get(model));
      const r = this.running(model, ['running', 'paused', 'promoted']);
      await this.rollback(r, `${reason} (by ${by})`, by, undefined, opts.manual === true);
      return r;
    });
  }

  /** Runs `f` after the evaluation or change in progress (each awaits alias flips, which a concurrent one would interleave with). */
  private exclusive<T>(f: () => Promise<T>): Promise<T> {
    const run = this.turn.then(f);
    this.turn = run.catch(() => undefined);
    return run;
  }

  /**
   * One evaluation round of every active rollout (serialised: concurrent calls wait for the running one). A rollout
   * whose evaluation fails is left as it was, with the error as its `lastError`, and never stops the others.
   */
  tick(): Promise<TickError[]> {
    this.ticking ??= this.exclusive(() => this.evaluate()).finally(() => { this.ticking = null; });
    return this.ticking;
  }

  private async evaluate(): Promise<TickError[]> {
    const now = this.o.clock();
    const errors: TickError[] = [];
    for (const r of [...this.active.values()]) {
      const before = { state: r.state, step: r.step, analyses: r.analyses.length };
      try {
        await this.evaluateOne(r, now);
        if (r.lastError !== undefined) {
          delete r.lastError;
          await this.records.persist(r);
        }
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        // no transition happened (the alias flip failed): drop the analysis recorded for it, or every tick adds one;
        // a rollback waiting for the store keeps the one that decided it (it is retried without a new analysis)
        if (r.state === before.state && r.step === before.step && !this.withdrawn.has(r.model)) r.analyses.length = before.analyses;
        r.lastError = { at: now, message };
        this.unsettled.add(r.id);
        errors.push({ model: r.model, rollout: r.id, message });
        this.log(`lookout: rollout ${r.id} of ${r.model} could not be evaluated: ${message}`);
        await this.records.persist(r).catch(() => undefined);
      }
    }
    return errors;
  }

  private async evaluateOne(r: Rollout, now: number): Promise<void> {
    // a blue-green rollout not promoted yet is one whose start is in doubt: never evaluated as steps
    if (r.policy === 'blue-green' && (r.state === 'running' || r.state === 'paused')) this.unsettled.add(r.id);
    await this.settle(r);
    if (r.state === 'rolled_back') return; // its rollback was found in the deployment history (settle)
    const pending = this.withdrawn.get(r.model);
    if (pending) return this.rollback(r, pending.reason, pending.by, pending.analysis, pending.manual);
    if (r.state === 'running') await this.evaluateStep(r, now);
    else if (r.state === 'promoted') {
      // every tick is a look: each tests at its share of slo.errorRateAlpha, the last one of the bake period at what is left
      const last = now >= (r.promotedAt ?? now) + r.bakeMs;
      const breach = sloBreach(this.o.stats.arm(r.model, r.candidate), r.slo, sloLevel(r, this.looks.look(r, now, last)));
      if (breach !== null) await this.rollback(r, `SLO breach within ${Math.round(r.bakeMs / 1000)} s after promotion: ${breach}`, 'rollout-controller');
      else if (last) {
        this.active.delete(r.model);
        this.looks.forget(r.id);
      }
    }
  }

  private async evaluateStep(r: Rollout, now: number): Promise<void> {
    // the alias moved off the primary (by hand, a forced promotion): the primary gets no traffic any more, so the step
    // would wait its whole maxStepDurationMs for samples while the candidate kept its share; end it now, as a promotion does
    const serving = this.o.registry.control(r.model).aliases[r.alias];
    if (serving !== r.primary) {
      return this.rollback(r, `"${r.alias}" was moved off ${r.primary} during the rollout (now ${serving ?? 'unset'}): ended, its candidate no longer compared with the version serving`, 'rollout-controller');
    }
    const canary = this.o.stats.arm(r.model, r.candidate);
    const primary = this.o.stats.arm(r.model, r.primary);
    const pair = this.o.stats.pairBetween(r.model, r.primary, r.candidate);
    const elapsed = now - r.stepStartedAt;
    // Every tick is a look (spending.ts): each tests at its share of the configured levels, the step's final one (the
    // first at or after its end with minSamples on both arms) at what is left; the looks after the end while the step
    // waits for samples spend a tenth of the rest evenly over the waiting time allowed.
    const look = this.looks.look(r, now, false);
    let a = analyse(canary, primary, pair.n > 0 ? pair : null, lookAnalysis(r.analysis, look));
    const last = elapsed >= r.stepDurationMs && !a.insufficient;
    if (last) {
      look.final = true;
      a = analyse(canary, primary, pair.n > 0 ? pair : null, lookAnalysis(r.analysis, look));
    }
    const breach = sloBreach(canary, r.slo, sloLevel(r, look));
    if (breach !== null) return this.rollback(r, `SLO breach on the candidate at ${r.weight}%: ${breach}`, 'rollout-controller');
    if (a.fail) {
      r.analyses.push({ ...a, step: r.step, weight: r.weight, at: now });
      return this.rollback(r, `analysis failed at ${r.weight}%: ${failing(a)}`, 'rollout-controller', a);
    }
    if (elapsed < r.stepDurationMs) return;
    if (a.insufficient) {
      if (elapsed < r.maxStepDurationMs) return;
      r.analyses.push({ ...a, step: r.step, weight: r.weight, at: now });
      return this.rollback(r, `not enough traffic at ${r.weight}% after ${Math.round(elapsed / 1000)} s (canary ${a.samples.canary}, primary ${a.samples.primary}, need ${r.analysis.minSamples})`, 'rollout-controller', a);
    }
    r.analyses.push({ ...a, step: r.step, weight: r.weight, at: now });
    if (r.step >= r.steps.length - 1) {
      try {
        await this.o.registry.setAlias(r.model, r.alias, r.candidate, { kind: 'promote', by: 'rollout-controller', reason: `rollout ${r.id}: all ${r.steps.length} steps passed`, expectFrom: r.primary });
      } catch (e) {
        // the alias was moved off the primary during the rollout (by hand, say): never promote over that change, and
        // do not retry at every tick either
        if (!isConflict(e)) throw e;
        return this.rollback(r, `"${r.alias}" was moved off ${r.primary} during the rollout (now ${conflictActual(e)}): not promoted over that change`, 'rollout-controller', a);
      }
      Object.assign(r, { state: 'promoted', promotedAt: now, weight: 100 });
      delete r.stepLooks;
      this.o.stats.reset(r.model);
      return this.records.save(r, 'promoted', `all ${r.steps.length} steps passed`, a);
    }
    // the next step only once it is stored: a step the store refused leaves the candidate at its share (tried again at
    // the next tick, on the same statistics), not at a share no record shows
    const prev = { ...r };
    r.step++;
    r.weight = r.steps[r.step] as number;
    r.stepStartedAt = now;
    delete r.stepLooks;
    try {
      await this.records.persist(r);
    } catch (e) {
      restore(r, prev);
      throw e;
    }
    this.o.stats.reset(r.model);
    await this.records.notify(r, 'step', `step passed; candidate now at ${r.weight}%`, a);
  }

  private async rollback(r: Rollout, reason: string, by: string, analysis?: Analysis, manual = false): Promise<void> {
    try {
      reason = await this.flipBack(r, reason, by);
    } catch (e) {
      // the store refused it (unreachable, a full disk, a lost COMMIT answer): withdraw the candidate until it is stored;
      // any other failure (a registry error) leaves the rollout as it was, with the error shown on it
      if (e instanceof UnavailableError && !this.withdrawn.has(r.model)) {
        this.withdrawn.set(r.model, { reason, by, analysis, manual });
        this.log(`lookout: rollout ${r.id} of ${r.model}: its rollback (${reason}) could not be stored (${e instanceof Error ? e.message : String(e)}); ${r.candidate} gets no traffic meanwhile, and the rollback is tried again at every tick`);
      }
      throw e;
    }
    this.withdrawn.delete(r.model);
    const now = this.o.clock();
    Object.assign(r, { state: 'rolled_back', weight: 0, endedAt: now, endReason: reason });
    this.active.delete(r.model);
    this.looks.forget(r.id);
    await this.records.save(r, 'rolled_back', reason, analysis, manual ? by : undefined);
  }

  /** A rollback's alias flip: the promoted alias, or the trial alias, back to the primary; the reason as it stands after it. */
  private async flipBack(r: Rollout, reason: string, by: string): Promise<string> {
    if (r.state === 'promoted') {
      try {
        await this.o.registry.setAlias(r.model, r.alias, r.primary, { kind: 'rollback', by, reason: `rollout ${r.id}: ${reason}`, expectFrom: r.candidate });
      } catch (e) {
        // the alias no longer points to the candidate (moved by hand meanwhile): nothing to flip back, and retrying would
        // fail at every tick (and every abort) for good
        if (!isConflict(e)) throw e;
        reason = `${reason}; "${r.alias}" had already been moved off ${r.candidate} (to ${conflictActual(e)}) and was left as it is`;
      }
    } else {
      await this.o.registry.setAlias(r.model, trialAlias(r), r.primary, { kind: 'rollback', by, reason: `rollout ${r.id}: ${reason}` });
    }
    return reason;
  }

  /**
   * Brings an unsettled rollout's record up to the deployment history (lostTransition): a promotion or rollback whose
   * alias flip committed while the rollout record was not saved (a crash, a COMMIT whose answer was lost) is completed
   * now, as it happened (its time is the flip's), never applied a second time.
   */
  private async settle(r: Rollout | undefined): Promise<void> {
    if (r === undefined || !this.unsettled.has(r.id)) return;
    const lost = lostTransition(r, await this.o.registry.store.deployments(r.model, r.createdAt, Number.MAX_SAFE_INTEGER));
    this.unsettled.delete(r.id);
    if (lost === null) {
      // a blue-green rollout is promoted by its start: one not promoted and not ended was interrupted before its switch
      if (r.policy === 'blue-green' && (r.state === 'running' || r.state === 'paused')) {
        this.log(`lookout: rollout ${r.id} of ${r.model}: its start was interrupted before the blue-green switch; ended, "${r.alias}" stays on ${r.primary}`);
        await this.endUnswitched(r, `interrupted before its blue-green switch: "${r.alias}" stayed on ${r.primary}`);
      }
      return;
    }
    this.log(`lookout: rollout ${r.id} of ${r.model}: its ${lost.to === 'promoted' ? 'promotion' : 'rollback'} was recorded in the deployment history but not in the rollout; completed now`);
    if (lost.to === 'promoted') {
      Object.assign(r, { state: 'promoted', promotedAt: lost.at, weight: 100 });
      delete r.stepLooks;
      this.looks.forget(r.id);
      this.o.stats.reset(r.model);
      return this.records.save(r, 'promoted', r.policy === 'blue-green' ? 'blue-green switch (start completed after an interruption)' : `all ${r.steps.length} steps passed (promotion completed after an interruption)`);
    }
    Object.assign(r, { state: 'rolled_back', weight: 0, endedAt: lost.at, endReason: lost.reason });
    this.active.delete(r.model);
    this.withdrawn.delete(r.model);
    this.looks.forget(r.id);
    await this.records.save(r, 'rolled_back', lost.reason);
  }

  private running(model: string, states: Array<Rollout['state']>): Rollout {
    const r = this.active.get(model);
    if (!r || !states.includes(r.state)) throw new RegistryError('conflict', `model "${model}" has no ${states.join(' or ')} rollout`);
    return r;
  }
}
