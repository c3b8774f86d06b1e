import { BURN_WINDOW_NAMES, BURN_WINDOWS, burnRate, burnRulesFor, errorBudgetRemaining, firingRules, type BurnRule, type BurnWindow, type Firing, type GoodTotal } from '../core/rules/burn-rate.js';
import type { WindowSummary } from '../core/summary/window.js';
import type { VersionContext } from '../monitoring/catalog.js';
import type { SummaryReader } from '../monitoring/query.js';
import type { EvalCache } from './cache.js';
import { DefinitionError, httpUrl, num, oneOf, onlyKnown, ownLabels, str } from './definition.js';

export type SloKind = 'availability' | 'latency' | 'quality';

/** A service-level objective over a 30-day window, alerting on multiwindow burn rates. */
export interface SloDefinition {
  id: string;
  model: string;
  name: string;
  kind: SloKind;
  /** Target share of good events, e.g. 0.999. */
  objective: number;
  windowDays: number;
  /** Latency SLOs: a request is good when faster than this (ms). */
  latencyMs?: number;
  version?: string;
  /** Low-traffic guard: both windows of a rule need at least this many events. */
  minEvents: number;
  labels: Record<string, string>;
  runbookUrl?: string;
}

/** The events a window counted: those of [from, to). */
export interface CountedRange { from: number; to: number }

export interface SloStatus extends Pick<SloDefinition, 'id' | 'model' | 'name' | 'kind' | 'objective' | 'windowDays'> {
  errorBudgetRemaining: number | null;
  burnRates: Record<BurnWindow, number | null>;
  events: Record<BurnWindow, number>;
  /**
   * The range each burn rate counted (audit 24): an availability or latency SLO reads window summaries, whole minutes
   * within the minute windows' retention (2 days by default) and whole hours before it (SummaryReader.effectiveRange),
   * so the 3d window starts on the hour at or before its nominal start (up to 59 minutes more); a quality SLO reads its
   * labelled events exactly.
   */
  burnWindows: Record<BurnWindow, CountedRange>;
  /** The range the error budget counted (the SLO window, `windowDays`, as the burn windows are read). */
  budgetWindow: CountedRange;
  /** The burn-rate rules of this SLO's window (burnRulesFor(windowDays): the factors used). */
  rules: BurnRule[];
  firing: Firing[];
  at: number;
  version: string | null;
}

/** The keys of an SLO definition (docs/alerting.md, SLOs). */
export const SLO_KEYS = ['id', 'model', 'name', 'kind', 'objective', 'windowDays', 'latencyMs', 'version', 'minEvents', 'labels', 'runbookUrl'] as const;

export function parseSlo(input: unknown, newId: () => string): SloDefinition {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new DefinitionError('an SLO definition must be a JSON object');
  const o = input as Record<string, unknown>;
  onlyKnown(o, SLO_KEYS);
  const kind = oneOf(o, 'kind', ['availability', 'latency', 'quality'] as const, 'availability');
  if (o['kind'] === undefined) throw new DefinitionError('"kind" is required (availability, latency or quality)');
  const objective = num(o, 'objective', NaN, 0.5, 0.999999);
  if (Number.isNaN(objective)) throw new DefinitionError('"objective" is required (e.g. 0.999)');
  const latencyMs = o['latencyMs'] === undefined ? undefined : num(o, 'latencyMs', 0, 0);
  if (kind === 'latency' && latencyMs === undefined) throw new DefinitionError('a latency SLO needs "latencyMs" (requests faster than this are good)');
  const model = str(o, 'model', true) as string;
  const version = str(o, 'version', false);
  const runbookUrl = httpUrl(o, 'runbookUrl');
  const id = str(o, 'id', false, 128) ?? newId();
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(id)) throw new DefinitionError('"id" may contain letters, digits, ".", "_", ":" and "-"');
  return {
    id, model, name: str(o, 'name', false) ?? `${model} ${kind}`, kind, objective,
    windowDays: num(o, 'windowDays', 30, 1, 90), ...(latencyMs !== undefined && { latencyMs }), ...(version !== undefined && { version }),
    minEvents: num(o, 'minEvents', 20, 0), labels: ownLabels(o), ...(runbookUrl !== undefined && { runbookUrl }),
  };
}

/**
 * The latency observations at or below `bound` (ms): the sketch's bins whose value (1% relative accuracy, at most the
 * window's largest latency) is at most `bound`, counted. Until audit 23 the share was bisected on the quantiles, whose
 * rank is q x (count - 1): one slow request of 20 counted none (a 5x burn read 0), k of n about k - 1.
 */
export function latencyCountAtMost(s: WindowSummary, bound: number): number {
  if (s.latencyCount === 0) return 0;
  const sk = s.latency;
  let n = sk.negativeStore.count + (bound >= 0 ? sk.zeroCount : 0);
  const { bins, offset } = sk.store;
  for (let i = 0; i < bins.length; i++) {
    const c = bins[i] ?? 0;
    if (c > 0 && Math.min(sk.mapping.value(i + offset), s.latencyMax) <= bound) n += c;
  }
  return Math.min(n, s.latencyCount);
}

async function goodTotal(def: SloDefinition, v: VersionContext, cache: EvalCache, from: number, to: number): Promise<GoodTotal> {
  if (def.kind === 'quality') {
    const labelled = await cache.labelledEvents(v, '', from, to);
    let good = 0;
    for (const l of labelled) if (l.event.prediction === l.label) good++;
    return { good, total: labelled.length };
  }
  const s = await cache.summary(v, '', from, to);
  if (def.kind === 'availability') return { good: s.events - s.errors, total: s.events };
  return { good: latencyCountAtMost(s, def.latencyMs ?? Infinity), total: s.latencyCount };
}

/** Burn rates over every alerting window, the error budget left over the SLO window, and the firing rules. */
export async function evaluateSlo(def: SloDefinition, reader: SummaryReader, cache: EvalCache, at: number): Promise<SloStatus> {
  const v = reader.resolveVersion(def.model, def.version);
  const base = { id: def.id, model: def.model, name: def.name, kind: def.kind, objective: def.objective, windowDays: def.windowDays, rules: burnRulesFor(def.windowDays), at };
  const burnRates = {} as Record<BurnWindow, number | null>;
  const events = {} as Record<BurnWindow, number>;
  // what goodTotal reads of [from, to): the summaries' effective range, a quality SLO's labelled events exactly
  const counted = (from: number, to: number): CountedRange => (def.kind === 'quality' ? { from, to } : reader.effectiveRange(from, to));
  const burnWindows = Object.fromEntries(BURN_WINDOW_NAMES.map((w) => [w, counted(at - BURN_WINDOWS[w], at)])) as Record<BurnWindow, CountedRange>;
  const budgetWindow = counted(at - def.windowDays * 86_400_000, at);
  if (!v) {
    for (const w of BURN_WINDOW_NAMES) {
      burnRates[w] = null;
      events[w] = 0;
    }
    return { ...base, errorBudgetRemaining: null, burnRates, events, burnWindows, budgetWindow, firing: [], version: null };
  }
  const counts = {} as Record<BurnWindow, GoodTotal>;
  await Promise.all(BURN_WINDOW_NAMES.map(async (w) => {
    counts[w] = await goodTotal(def, v, cache, at - BURN_WINDOWS[w], at);
  }));
  for (const w of BURN_WINDOW_NAMES) {
    burnRates[w] = burnRate(counts[w], def.objective);
    events[w] = counts[w].total;
  }
  const window = await goodTotal(def, v, cache, at - def.windowDays * 86_400_000, at);
  return {
    ...base, errorBudgetRemaining: errorBudgetRemaining(window, def.objective), burnRates, events, burnWindows, budgetWindow,
    firing: firingRules(counts, def.objective, def.minEvents, base.rules), version: v.record.version,
  };
}
