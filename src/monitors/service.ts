import { performance } from 'node:perf_hooks';
import type { AlertPipeline } from '../alerting/pipeline.js';
import type { Logger, Signal } from '../alerting/types.js';
import { dashboardLink } from '../alerting/links.js';
import { worstFiring } from '../core/rules/burn-rate.js';
import type { SummaryReader } from '../monitoring/query.js';
import type { AlertStore, EvaluationRecord, StoredMonitor } from '../storage/alerts.js';
import { fingerprint } from '../alerting/fingerprint.js';
import { alertContext, monitorLabels, sloLabels } from './context.js';
import { carryOverLegacyLabels } from './legacy-labels.js';
import { withAlertState } from './alert-state.js';
import type { AlertState } from '../core/rules/pending.js';
import { checkDriftMethodKind } from './drift-checks.js';
import { checkLevelOrder, checkMonitorClass, checkMonitorFeature, checkMonitorSegment, checkMonitorVersion, DefinitionError, monitorSegment, parseMonitor, type MonitorDefinition } from './definition.js';
import type { EvalCache } from './cache.js';
import type { MonitorEvaluator, MonitorResult } from './evaluator.js';
import { evaluateSlo, parseSlo, type SloDefinition, type SloStatus } from './slo.js';
import { problemOf, reloadMonitor, reloadSlo, type MonitorProblem } from './problems.js';

export interface MonitorServiceDeps {
  store: AlertStore;
  evaluator: MonitorEvaluator;
  reader: SummaryReader;
  pipeline: AlertPipeline;
  clock: () => number;
  newId: () => string;
  log: Logger;
  dashboardUrl: () => string;
  /** The features a model's versions summarise (null when it has no version yet): a monitor's feature must be one. */
  featuresOf?: (model: string) => readonly string[] | null;
  /** A model's versions (null when the model is unknown): a monitor pinned to a version must name one. */
  versionsOf?: (model: string) => readonly string[] | null;
  /** A model's segment keys (null when the model is unknown): a monitor's segment must name only these. */
  segmentKeysOf?: (model: string) => readonly string[] | null;
  /** A model's declared classes (null when the model is unknown or declares none): a monitor's class must be one. */
  classesOf?: (model: string) => readonly string[] | null;
  /** Each evaluation round's duration in seconds, what it evaluated, and whether it failed (the server's /metrics). */
  onRound?: (seconds: number, evaluated: number, failed: boolean) => void;
}

export interface TickResult {
  at: number;
  evaluated: number;
  signals: number;
  alertsChanged: number;
  groupsNotified: number;
}

/** Windows evaluated per monitor and tick at most when catching up after downtime. */
const MAX_CATCH_UP = 48;
const SLO_STEP_MS = 60_000;

/**
 * Monitors and SLOs: definitions (API and config file), the schedule (each monitor's tumbling window is
 * evaluated once it closes, plus its delay; SLOs every minute), stored evaluations, and the signals that feed
 * the alert pipeline. Time only comes from the injected clock.
 */
export class MonitorService {
  private readonly defs = new Map<string, MonitorDefinition>();
  private readonly slos = new Map<string, SloDefinition>();
  private readonly last = new Map<string, EvaluationRecord>();
  /** Stored definitions this release does not accept (see MonitorProblem): shown, never evaluated, until declared again. */
  private readonly invalid = new Map<string, MonitorProblem>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<Omit<TickResult, 'groupsNotified'>> | null = null;

  constructor(private readonly deps: MonitorServiceDeps) {}

  /** Loads the stored monitors and SLOs, each checked as a declared one is (reportProblems says what does not pass). */
  async load(): Promise<void> {
    for (const m of await this.deps.store.listMonitors()) {
      const { def, problem } = m.type === 'slo' ? reloadSlo(m.definition) : reloadMonitor(m.definition);
      if (m.type === 'slo') this.slos.set(m.id, def as SloDefinition);
      else this.defs.set(m.id, def as MonitorDefinition);
      if (problem) this.invalid.set(m.id, problem);
    }
    for (const e of await this.deps.store.latestEvaluations()) this.last.set(e.monitorId, e);
    await carryOverLegacyLabels([...this.defs.values()].filter((d) => !this.invalid.has(d.id)), this.deps.store);
  }

  /**
   * Why a monitor or SLO cannot be evaluated as declared (null: nothing): its stored definition is invalid, or the
   * model as declared now does not fit it (checked now, so it follows every change of the model and of the monitor).
   */
  problem(id: string): MonitorProblem | null {
    const invalid = this.invalid.get(id);
    if (invalid) return invalid;
    const def = this.defs.get(id);
    if (def) return problemOf('misconfigured', () => { this.checkModelDeclared(def.model); this.checkAgainstModel(def); });
    const slo = this.slos.get(id);
    return slo ? problemOf('misconfigured', () => { this.checkModelDeclared(slo.model); checkMonitorVersion(slo, this.deps.versionsOf?.(slo.model) ?? null); }) : null;
  }

  /** The monitors and SLOs (of one model) that have a problem, by id. */
  problems(model?: string): Array<{ id: string; problem: MonitorProblem }> {
    const out: Array<{ id: string; problem: MonitorProblem }> = [];
    for (const d of [...this.monitors(model), ...this.sloDefinitions(model)]) {
      const problem = this.problem(d.id);
      if (problem) out.push({ id: d.id, problem });
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /**
   * What is wrong with a monitor that is still evaluated as stored (empty: nothing): a level that can never be the verdict,
   * which checkLevelOrder refuses of a declaration since audit 23 but a monitor stored before may have (audit 24: it was
   * evaluated so without a word). An invalid definition (problem) has none: it is not evaluated.
   */
  warnings(id: string): string[] {
    const def = this.defs.get(id);
    if (!def || this.invalid.has(id)) return [];
    try {
      checkLevelOrder(def);
      return [];
    } catch (e) {
      if (!(e instanceof DefinitionError)) throw e;
      return [`${e.message}. It was stored before such levels were refused (audit 23) and is evaluated as stored: declare it again with each severity's level further on the bad side, or drop the dead level`];
    }
  }

  /** Logs, once, each monitor and SLO that has a problem or a warning (at start, once the config file's are declared). */
  reportProblems(): void {
    for (const { id, problem } of this.problems()) {
      const what = this.slos.has(id) ? 'SLO' : 'monitor';
      this.deps.log.warn(problem.code === 'invalid'
        ? `${what} "${id}" is invalid and is not evaluated (declare it again, or delete it): ${problem.message}`
        : `${what} "${id}" does not fit its model as declared now (its evaluations give no verdict): ${problem.message}`);
    }
    for (const d of this.monitors()) {
      for (const w of this.warnings(d.id)) this.deps.log.warn(`monitor "${d.id}" has a level that can never be the verdict: ${w}`);
    }
  }

  /**
   * Throws DefinitionError when the model is not declared. Not at declaration: the API refuses such a monitor (404), and
   * the config file's may name a model declared later through the API; until then they have this problem.
   */
  private checkModelDeclared(model: string): void {
    if (this.deps.versionsOf && this.deps.versionsOf(model) === null) throw new DefinitionError(`model "${model}" is not declared (POST /v1/models, or models: in lookout.yaml)`);
  }

  /** Throws DefinitionError when the model as declared now does not fit the monitor (version, feature, segment, drift method). */
  private checkAgainstModel(def: MonitorDefinition): void {
    checkMonitorVersion(def, this.deps.versionsOf?.(def.model) ?? null);
    checkMonitorFeature(def, this.deps.featuresOf?.(def.model) ?? null);
    checkMonitorSegment(def, this.deps.segmentKeysOf?.(def.model) ?? null);
    checkMonitorClass(def, this.deps.classesOf?.(def.model) ?? null);
    checkDriftMethodKind(def, this.deps.reader.resolveVersion(def.model, def.version));
  }

  monitors(model?: string): MonitorDefinition[] {
    return [...this.defs.values()].filter((d) => model === undefined || d.model === model).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  sloDefinitions(model?: string): SloDefinition[] {
    return [...this.slos.values()].filter((d) => model === undefined || d.model === model).sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  monitor(id: string): MonitorDefinition | undefined {
    return this.defs.get(id);
  }

  lastEvaluation(id: string): EvaluationRecord | null {
    return this.last.get(id) ?? null;
  }

  /** What putMonitor would refuse `input` for (throws DefinitionError), storing nothing: the definition it would store. */
  checkMonitor(input: unknown): MonitorDefinition {
    const def = parseMonitor(input, this.deps.newId);
    checkLevelOrder(def);
    this.checkAgainstModel(def);
    if (this.slos.has(def.id)) throw new Error(`id "${def.id}" is already used by an SLO`);
    return def;
  }

  /** What putSlo would refuse `input` for (throws DefinitionError), storing nothing: the definition it would store. */
  checkSlo(input: unknown): SloDefinition {
    const def = parseSlo(input, this.deps.newId);
    checkMonitorVersion(def, this.deps.versionsOf?.(def.model) ?? null);
    if (this.defs.has(def.id)) throw new Error(`id "${def.id}" is already used by a monitor`);
    return def;
  }

  /** Validates and stores a monitor (replacing one with the same id). Throws DefinitionError. */
  putMonitor(input: unknown): Promise<MonitorDefinition> {
    const def = this.checkMonitor(input);
    return this.put(def, 'monitor', this.defs, this.slos, def.enabled ? fingerprint(def.id, monitorLabels(def)) : null);
  }

  putSlo(input: unknown): Promise<SloDefinition> {
    const def = this.checkSlo(input);
    return this.put(def, 'slo', this.slos, this.defs, fingerprint(def.id, sloLabels(def)));
  }

  /**
   * Stores a definition. `keep`: the fingerprint of the alerts it raises (null: none, it is disabled); alerts of a
   * definition it replaces with another fingerprint (renamed, relabelled, other segment or metric, disabled) are
   * resolved, as on delete: no evaluation would ever resolve them, and they would repeat.
   */
  private async put<T extends { id: string; model: string }>(def: T, type: StoredMonitor['type'], mine: Map<string, T>, other: Map<string, unknown>, keep: string | null): Promise<T> {
    if (other.has(def.id)) throw new Error(`id "${def.id}" is already used by ${type === 'slo' ? 'a monitor' : 'an SLO'}`);
    const now = this.deps.clock();
    const prev = await this.deps.store.getMonitor(def.id);
    await this.deps.store.putMonitor({ id: def.id, model: def.model, type, definition: def as unknown as Record<string, unknown>, createdAt: prev?.createdAt ?? now, updatedAt: now });
    mine.set(def.id, def);
    this.invalid.delete(def.id);
    if (prev) await this.resolveAlerts(def.id, `lookout (${type} ${def.id} redefined)`, now, keep);
    return def;
  }

  /** Resolves the open and acknowledged alerts of a monitor or SLO (but those with the fingerprint `keep`). */
  private async resolveAlerts(id: string, by: string, now: number, keep: string | null = null): Promise<void> {
    for (const state of ['open', 'acknowledged'] as const) {
      for (const a of await this.deps.store.listAlerts({ monitorId: id, state })) {
        if (a.fingerprint !== keep) await this.deps.pipeline.resolve(a.id, by, undefined, now);
      }
    }
  }

  /** Deletes a monitor or SLO; its alerts still firing are resolved (nothing would ever resolve them, and they would repeat). */
  async delete(id: string): Promise<boolean> {
    const found = await this.deps.store.deleteMonitor(id);
    this.defs.delete(id);
    this.slos.delete(id);
    this.invalid.delete(id);
    await this.resolveAlerts(id, `lookout (monitor ${id} deleted)`, this.deps.clock());
    return found;
  }

  /**
   * Runs the schedule every `intervalMs` of real time (evaluation rounds never overlap). A round does not wait for the
   * notifications it leads to: the flush runs apart (as Alertmanager's), so a slow or hanging notifier never delays
   * the next round; a group still being flushed is not flushed again meanwhile.
   */
  start(intervalMs: number): void {
    if (this.timer || intervalMs <= 0) return;
    const warn = (what: string) => (e: unknown): void => this.deps.log.warn(what, { error: String(e) });
    this.timer = setInterval(() => {
      const now = this.deps.clock();
      void this.evaluateRound(now).then(() => void this.deps.pipeline.flush(now).catch(warn('alert flush failed')), warn('monitor tick failed'));
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops the schedule; waits for the round running, then for the flushes in flight (their retries stopped). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
    await this.deps.pipeline.close();
  }

  /**
   * Evaluates what is due at `now` (default: the clock), feeds the pipeline, then flushes due groups and waits for
   * their notifications (`POST /v1/monitors/run`; the scheduled rounds do not wait).
   */
  async tick(now = this.deps.clock()): Promise<TickResult> {
    const r = await this.evaluateRound(now);
    return { ...r, groupsNotified: await this.deps.pipeline.flush(now) };
  }

  /** One evaluation round (rounds never overlap). */
  private evaluateRound(now: number): Promise<Omit<TickResult, 'groupsNotified'>> {
    const run = (this.running ?? Promise.resolve()).catch(() => undefined).then(() => this.timedTick(now));
    this.running = run;
    return run;
  }

  private async timedTick(now: number): Promise<Omit<TickResult, 'groupsNotified'>> {
    const onRound = this.deps.onRound;
    if (!onRound) return this.doTick(now);
    const t0 = performance.now();
    try {
      const r = await this.doTick(now);
      onRound((performance.now() - t0) / 1000, r.evaluated, false);
      return r;
    } catch (e) {
      onRound((performance.now() - t0) / 1000, 0, true);
      throw e;
    }
  }

  private async doTick(now: number): Promise<Omit<TickResult, 'groupsNotified'>> {
    const cache = this.deps.evaluator.newCache();
    const results: MonitorResult[] = [];
    const jobs: Array<{ def: MonitorDefinition; at: number }> = [];
    for (const def of this.defs.values()) {
      if (!def.enabled || this.invalid.has(def.id)) continue;
      const due = Math.floor((now - def.delayMs) / def.windowMs) * def.windowMs;
      const last = this.last.get(def.id)?.at ?? -Infinity;
      // the first window end after the last evaluation, on the window grid (the window may have been changed since)
      const next = Math.floor(last / def.windowMs) * def.windowMs + def.windowMs;
      for (let at = Math.max(next, due - (MAX_CATCH_UP - 1) * def.windowMs); at <= due; at += def.windowMs) jobs.push({ def, at });
    }
    jobs.sort((a, b) => a.at - b.at);
    await this.prefetch(jobs, cache);
    for (let i = 0; i < jobs.length; i += 32) {
      results.push(...await Promise.all(jobs.slice(i, i + 32).map((j) => this.deps.evaluator.evaluate(j.def, j.at, cache))));
    }
    const signals: Signal[] = [];
    // the latest evaluations of this tick: kept as the monitors' last only once stored (else the next tick evaluates
    // their windows again: a store that refused them for a while loses none)
    const done = new Map<string, EvaluationRecord>();
    const lastOf = (id: string): EvaluationRecord | undefined => done.get(id) ?? this.last.get(id);
    for (const [i, fresh] of results.entries()) {
      const prev = lastOf(fresh.def.id);
      const { result: r, before, after } = withAlertState(fresh, prev);
      results[i] = r;
      signals.push(...await this.signalsOf(r, prev, before, after));
      done.set(r.def.id, r.evaluation);
    }
    const sloAt = Math.floor(now / SLO_STEP_MS) * SLO_STEP_MS;
    const sloEvals: EvaluationRecord[] = [];
    for (const def of this.slos.values()) {
      if (this.invalid.has(def.id) || (this.last.get(def.id)?.at ?? -Infinity) >= sloAt) continue;
      const st = await evaluateSlo(def, this.deps.reader, cache, sloAt);
      const ev = sloEvaluation(st);
      sloEvals.push(ev);
      done.set(def.id, ev);
      const worst = worstFiring(st.firing);
      signals.push({
        source: def.id, model: def.model, version: st.version, severity: worst?.severity ?? null, at: sloAt,
        labels: sloLabels(def),
        context: {
          metric: `slo:${def.kind}`, observed: worst ? worst.longRate : st.burnRates['1h'], baseline: 1, threshold: worst?.factor ?? null, change: null, segments: [],
          burnRates: st.burnRates, errorBudgetRemaining: st.errorBudgetRemaining, firing: st.firing, objective: def.objective,
          ...(def.runbookUrl !== undefined && { runbookUrl: def.runbookUrl }),
          ...dashboardLink(this.deps.dashboardUrl(), `/ui/#/model/${encodeURIComponent(def.model)}?slo=${encodeURIComponent(def.id)}`),
        },
      });
    }
    // the alerts first, then the evaluations: a round that fails at either is run again whole by the next one (its
    // signals again, which the pipeline deduplicates), so neither a stored evaluation without its alert change (a
    // resolve lost for good) nor a lost window
    const changed = await this.deps.pipeline.ingest(signals, now);
    await this.deps.store.appendEvaluations([...results.map((r) => r.evaluation), ...sloEvals]);
    for (const [id, e] of done) this.last.set(id, e);
    return { at: now, evaluated: results.length + sloEvals.length, signals: signals.length, alertsChanged: changed.length };
  }

  /** Catching up (several windows of one monitor due): their summaries are read in one query per monitor. */
  private async prefetch(jobs: ReadonlyArray<{ def: MonitorDefinition; at: number }>, cache: EvalCache): Promise<void> {
    const byDef = new Map<MonitorDefinition, number[]>();
    for (const j of jobs) byDef.set(j.def, [...(byDef.get(j.def) ?? []), j.at - j.def.windowMs]);
    for (const [def, starts] of byDef) {
      const v = starts.length > 1 ? this.deps.reader.resolveVersion(def.model, def.version) : undefined;
      if (v) await cache.prefetch(v, monitorSegment(def), starts, def.windowMs).catch(() => undefined);
    }
  }

  /** The signal of an evaluation that moved the alert from state `before` to `after` (none while pending or without a verdict). */
  private async signalsOf(r: MonitorResult, prev: EvaluationRecord | undefined, before: AlertState, after: AlertState): Promise<Signal[]> {
    const status = r.verdict.status;
    if (status === 'insufficient_data' || after.phase === 'pending') return [];
    // "ok" only matters when something may be open (it resolves the alert)
    if (after.phase === 'inactive' && prev && before.phase === 'inactive' && prev.status !== 'insufficient_data') return [];
    const at = r.evaluation.at;
    // The segments of the window observed, at each firing evaluation (one read per segment, once per window while it
    // fires). Audit 25: they were worked out when the monitor started firing only, so an alert firing for days showed
    // the observed value of its latest window beside the segments of its first (the demo's drift alert: observed
    // 0.1559, "most affected" 0.82 and 0.70, of two days before).
    const segments = after.phase === 'firing' ? await this.deps.evaluator.affectedSegments(r.def, at).catch(() => []) : [];
    return [{
      source: r.def.id, model: r.def.model, version: r.version, severity: after.phase === 'firing' ? (status as Signal['severity']) : null, at,
      labels: monitorLabels(r.def), context: alertContext(r, at, this.deps.dashboardUrl(), segments),
      ...(r.verdict.level?.action !== undefined && { action: r.verdict.level.action }),
    }];
  }

  /** SLO status now (for the API): burn rates, budget left, what fires. */
  async sloStatus(model?: string): Promise<SloStatus[]> {
    const cache = this.deps.evaluator.newCache();
    const at = this.deps.clock();
    return Promise.all(this.sloDefinitions(model).filter((d) => !this.invalid.has(d.id)).map((d) => evaluateSlo(d, this.deps.reader, cache, at)));
  }

  /** Evaluates every enabled monitor at one window end (no catch-up, no alerts): the benchmark's unit of work. */
  async evaluateAll(at: number, store = true): Promise<MonitorResult[]> {
    const cache = this.deps.evaluator.newCache();
    const defs = [...this.defs.values()].filter((d) => d.enabled && !this.invalid.has(d.id));
    const out: MonitorResult[] = [];
    for (let i = 0; i < defs.length; i += 64) out.push(...await Promise.all(defs.slice(i, i + 64).map((d) => this.deps.evaluator.evaluate(d, Math.floor(at / d.windowMs) * d.windowMs, cache))));
    if (store) await this.deps.store.appendEvaluations(out.map((r) => r.evaluation));
    return out;
  }
}

function sloEvaluation(st: SloStatus): EvaluationRecord {
  const worst = worstFiring(st.firing);
  return {
    monitorId: st.id, at: st.at, status: worst?.severity ?? (st.events['1h'] > 0 ? 'ok' : 'insufficient_data'), value: st.burnRates['1h'], baseline: 1,
    threshold: worst?.factor ?? null, samples: st.events['1h'], detail: { burnRates: st.burnRates, errorBudgetRemaining: st.errorBudgetRemaining, firing: st.firing },
  };
}

