/** The rollout controller: starts, pauses, resumes and aborts rollouts, routes their traffic, and runs their ticks. */
import type { TrafficPolicy } from '../core/routing/policy.js';
import type { RoutingOverrides } from '../gateway/gateway.js';
import { RegistryError } from '../registry/errors.js';
import { evaluate, type TickError } from './evaluation.js';
import { endUnswitched, rollback, trialAlias } from './rollback.js';
import { settle } from './settle.js';
import { checkRolloutSpec, storedRollout, type Rollout, type RolloutSpec } from './spec.js';
import { checkStartable } from './startable.js';
import { rolloutState, type ControllerOptions, type RolloutState } from './state.js';

export type { TickError } from './evaluation.js';
export type { ControllerOptions } from './state.js';

/**
 * Progressive delivery: moves a candidate through traffic steps, analysing canary against primary at each
 * step; promotes (alias flip) when every step passes, rolls back on a failed analysis or an SLO breach —
 * during the rollout or within `bakeMs` after promotion. Driven by tick() with an injected clock, so tests
 * are deterministic; the server calls tick() on an interval.
 */
export class RolloutController implements RoutingOverrides {
  private ticking: Promise<TickError[]> | null = null;
  /** The tail of the evaluations and requested changes (pause, resume, abort), run one at a time. */
  private turn: Promise<unknown> = Promise.resolve();
  /** Models whose rollout is being started (between the checks and its first write). */
  private readonly starting = new Set<string>();
  /** The active rollouts and what the controller's parts share of them (state.ts). */
  private readonly s: RolloutState;

  constructor(private readonly o: ControllerOptions) {
    this.s = rolloutState(o);
  }

  async load(): Promise<void> {
    const now = this.o.clock();
    // the newest rollout of each model only (a model's history can hold thousands): an older one is never active
    for (const rec of await this.o.registry.store.latestRollouts()) {
      const r = storedRollout(rec.data);
      if (r.state === 'running' || r.state === 'paused' || (r.state === 'promoted' && (r.promotedAt ?? 0) + r.bakeMs > now)) {
        this.s.active.set(r.model, r);
        this.s.unsettled.add(r.id);
        this.s.looks.resume(r, now);
      }
    }
  }

  routing(model: string): { policy: TrafficPolicy; compareCanary: boolean; primary?: string } | null {
    const r = this.s.active.get(model);
    // a rollback waiting for the store: everything to the primary (a promoted candidate is still the alias's version)
    if (r && this.s.withdrawn.has(model)) return { policy: { kind: 'single' }, compareCanary: false, ...(r.state === 'promoted' && { primary: r.primary }) };
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
    const r = this.s.active.get(model);
    if (r === undefined || r.alias === alias || r.state === 'rolled_back') return;
    if (r.state === 'promoted' && (r.promotedAt ?? 0) + r.bakeMs <= this.o.clock()) return;
    throw new RegistryError('conflict', `rollout ${r.id} of model "${model}" is ${r.state === 'promoted' ? 'in its bake period' : r.state} on alias "${r.alias}": abort it or wait for its end before serving alias "${alias}"`, { rollout: r.id, alias: r.alias });
  }

  /** The model's current or most recent rollout. */
  async current(model: string): Promise<Rollout | null> {
    const a = this.s.active.get(model);
    if (a) return a;
    const rec = (await this.o.registry.store.listRolloutPage(model, 1))[0];
    return rec ? storedRollout(rec.data) : null;
  }

  async start(model: string, raw: unknown, by: string, reason: string): Promise<Rollout> {
    const spec = checkRolloutSpec(raw);
    this.o.registry.requireVersion(model, spec.candidate);
    const { alias, primary } = checkStartable(model, spec, this.o.registry.control(model), this.s.active.get(model), this.o.clock());
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
    this.s.active.set(model, r);
    await this.s.records.save(r, 'started', reason);
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
    await this.s.records.persist(r);
    try {
      await this.o.registry.setAlias(r.model, r.alias, r.candidate, { kind: 'promote', by: r.by, reason: `rollout ${r.id} (blue-green switch): ${reason}`, expectFrom: r.primary });
    } catch (e) {
      // a registry error (the alias moved meanwhile, say) was not applied; anything else (the store unreachable, a lost
      // COMMIT answer) may have been: the next tick reads the deployment history to tell
      if (e instanceof RegistryError) await endUnswitched(this.s, r, `the blue-green switch was refused: ${e.message}`).catch(() => this.doubt(r));
      else this.doubt(r);
      throw e;
    }
    Object.assign(r, { state: 'promoted', promotedAt: r.createdAt, weight: 100 });
    this.s.active.set(r.model, r);
    try {
      await this.s.records.save(r, 'started', reason);
    } catch (e) {
      // the next tick that can write saves it (a record left "running" would otherwise be settled only at a restart)
      r.lastError = { at: r.createdAt, message: `the rollout's record could not be saved after its switch: ${e instanceof Error ? e.message : String(e)}` };
      throw e;
    }
    return r;
  }

  /** A rollout whose state is in doubt: active, and settled from the deployment history before anything else is done with it. */
  private doubt(r: Rollout): void {
    this.s.active.set(r.model, r);
    this.s.unsettled.add(r.id);
  }

  /** Pauses the model's running rollout; one paused already is left as it is (changed: false). `reason`: said with the event announced (its log line). */
  pause(model: string, by: string, reason = ''): Promise<{ rollout: Rollout; changed: boolean }> {
    return this.exclusive(() => this.pauseNow(model, by, reason));
  }

  private async pauseNow(model: string, by: string, reason: string): Promise<{ rollout: Rollout; changed: boolean }> {
    const r = this.running(model, ['running', 'paused'], 'pause');
    if (r.state === 'paused') return { rollout: r, changed: false };
    // the looks so far spent their share of the step's levels: the looks after the resume get what they left
    r.stepLooks = [...r.stepLooks ?? [], this.s.looks.reached(r, this.o.clock())];
    r.state = 'paused';
    await this.s.records.save(r, 'paused', `paused by ${by}${reason !== '' ? `: ${reason}` : ''}`);
    return { rollout: r, changed: true };
  }

  /** Resumes the model's paused rollout; one running already is left as it is (changed: false). `reason`: said with the event announced (its log line). */
  resume(model: string, by: string, reason = ''): Promise<{ rollout: Rollout; changed: boolean }> {
    return this.exclusive(() => this.resumeNow(model, by, reason));
  }

  private async resumeNow(model: string, by: string, reason: string): Promise<{ rollout: Rollout; changed: boolean }> {
    const r = this.running(model, ['running', 'paused'], 'resume');
    if (r.state === 'running') return { rollout: r, changed: false };
    r.state = 'running';
    r.stepStartedAt = this.o.clock();
    this.o.stats.reset(model);
    await this.s.records.save(r, 'resumed', `resumed by ${by}${reason !== '' ? `: ${reason}` : ''}`);
    return { rollout: r, changed: true };
  }

  /**
   * Rollback of the model's rollout (running, paused, or promoted within its bake period) on request: by a person
   * (`manual`, the API's abort: notified as such, not as an automatic rollback) or by the alert pipeline's rollback action.
   */
  abort(model: string, by: string, reason: string, opts: { manual?: boolean } = {}): Promise<Rollout> {
    return this.exclusive(async () => {
      // after the tick in progress: an abort during its promotion rolls the promotion back, not only the canary alias
      await settle(this.s, this.s.active.get(model));
      const r = this.running(model, ['running', 'paused', 'promoted'], 'abort');
      await rollback(this.s, r, `${reason} (by ${by})`, by, undefined, opts.manual === true);
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
    // then(done, failed), not finally(): one promise a tick instead of three (CI time (2026-12-07): simulations tick hundreds of thousands of times)
    this.ticking ??= this.exclusive(() => evaluate(this.s)).then((errors) => {
      this.ticking = null;
      return errors;
    }, (e: unknown) => {
      this.ticking = null;
      throw e;
    });
    return this.ticking;
  }

  private running(model: string, states: Array<Rollout['state']>, verb: string): Rollout {
    const r = this.s.active.get(model);
    if (!r || !states.includes(r.state)) {
      // audit 25: was "has no running or paused or promoted rollout", a baking rollout called promoted, and no way on
      const names = states.map((st) => (st === 'promoted' ? 'baking' : st));
      const list = names.length > 2 ? `${names.slice(0, -1).join(', ')} or ${names.at(-1) ?? ''}` : names.join(' or ');
      throw new RegistryError('conflict', `model "${model}" has no ${list} rollout to ${verb}; \`lookout rollout status ${model}\` (GET /v1/models/${encodeURIComponent(model)}/rollout) shows its last one`);
    }
    return r;
  }
}
