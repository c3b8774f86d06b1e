import { DEFAULT_ANALYSIS, type Analysis, type AnalysisConfig } from '../core/rollout/analysis.js';
import { knownFieldsOf, RegistryError } from '../registry/errors.js';

export type RolloutPolicy = 'canary' | 'shadow' | 'blue-green';
export type RolloutStateName = 'running' | 'promoted' | 'rolled_back' | 'paused';

/** Service-level objective watched during the rollout and for `bakeMs` after promotion. */
export interface RolloutSlo {
  maxErrorRate: number;
  /**
   * The error rate breaches only when significantly above maxErrorRate (one-sided exact binomial p below this), the p95
   * only when significantly above maxP95Ms: the level of each of the two SLO checks separately (docs/gateway.md).
   */
  errorRateAlpha?: number;
  maxP95Ms: number;
  minSamples: number;
}

export interface RolloutSpec {
  candidate: string;
  policy: RolloutPolicy;
  /** Candidate traffic percentages, one analysis each (default 5, 25, 50, 100; shadow and blue-green: 100). */
  steps: number[];
  stepDurationMs: number;
  /** A step that still lacks samples after this long rolls back (default 10 x stepDurationMs). */
  maxStepDurationMs: number;
  /** After promotion, an SLO breach within this period rolls the alias back (default 1 h). */
  bakeMs: number;
  stickyKey?: string;
  analysis: AnalysisConfig;
  slo: RolloutSlo;
}

export interface StepAnalysis extends Analysis {
  step: number;
  weight: number;
  at: number;
}

export interface Rollout extends RolloutSpec {
  id: string;
  model: string;
  alias: string;
  primary: string;
  step: number;
  weight: number;
  state: RolloutStateName;
  stepStartedAt: number;
  createdAt: number;
  updatedAt: number;
  by: string;
  reason: string;
  promotedAt: number | null;
  endedAt: number | null;
  endReason: string | null;
  analyses: StepAnalysis[];
  /**
   * The elapsed fractions of the current step reached by its looks before each pause (a resume starts the step's looks
   * again on fresh statistics, spending what those left: spending.ts leftAfter); empty or absent at the step's start.
   */
  stepLooks?: number[];
  /** Why the controller's last evaluation of this rollout failed (cleared by the next one that succeeds). */
  lastError?: { at: number; message: string };
}

export const DEFAULT_SLO: RolloutSlo = { maxErrorRate: 0.05, errorRateAlpha: 0.01, maxP95Ms: 1000, minSamples: 50 };

/**
 * A rollout as the store holds it (RolloutRecord.data). One stored by an earlier release lacks the settings added since
 * (analysis.driftAlpha before 2026-12-03, analysis.interimAlpha and slo.errorRateAlpha before 2026-12-04): they take
 * their defaults, as a new rollout that does not set them does (a missing driftAlpha made every look within a step throw
 * "normalIsf: p must be in (0, 1), got NaN", so an upgraded rollout was never analysed, promoted or rolled back).
 */
export function storedRollout(data: Record<string, unknown>): Rollout {
  const r = data as unknown as Rollout;
  return { ...r, analysis: { ...DEFAULT_ANALYSIS, ...r.analysis }, slo: { ...DEFAULT_SLO, ...r.slo } };
}

const num = (o: Record<string, unknown>, k: string, dflt: number, min: number, max: number): number => {
  const v = o[k] ?? dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new RegistryError('bad_request', `rollout "${k}" must be a number from ${min} to ${max}`);
  return v;
};

const FIELDS = ['candidate', 'version', 'policy', 'steps', 'stepDurationMs', 'maxStepDurationMs', 'bakeMs', 'stickyKey', 'analysis', 'slo', 'reason', 'by'];

/** Validates a rollout request, filling defaults. */
export function checkRolloutSpec(raw: unknown): RolloutSpec {
  const o = knownFieldsOf(raw ?? {}, 'rollout', FIELDS);
  const candidate = o['candidate'] ?? o['version'];
  if (typeof candidate !== 'string' || candidate === '') throw new RegistryError('bad_request', 'rollout needs "candidate" (a version)');
  const policy = o['policy'] ?? 'canary';
  if (policy !== 'canary' && policy !== 'shadow' && policy !== 'blue-green') throw new RegistryError('bad_request', `unknown rollout policy "${String(policy)}"; known: canary, shadow, blue-green`);
  const steps = o['steps'] ?? (policy === 'canary' ? [5, 25, 50, 100] : [100]);
  if (!Array.isArray(steps) || steps.length === 0 || steps.length > 20 || !steps.every((s, i) => typeof s === 'number' && s > 0 && s <= 100 && (i === 0 || s > (steps[i - 1] as number)))) {
    throw new RegistryError('bad_request', 'rollout "steps" must be increasing percentages in (0, 100]');
  }
  const stepDurationMs = num(o, 'stepDurationMs', 300_000, 0, 7 * 86_400_000);
  const d = DEFAULT_ANALYSIS;
  const a = knownFieldsOf(o['analysis'], 'rollout "analysis"', Object.keys(d));
  const s = knownFieldsOf(o['slo'], 'rollout "slo"', Object.keys(DEFAULT_SLO));
  const sticky = o['stickyKey'];
  if (sticky !== undefined && typeof sticky !== 'string') throw new RegistryError('bad_request', 'rollout "stickyKey" must be a string');
  // a shadow mirrors requests (which ones changes no answer) and a blue-green switches them all: a key would do nothing
  if (sticky !== undefined && policy !== 'canary') throw new RegistryError('bad_request', `rollout "stickyKey" keeps a user on one side of a canary: a ${policy} rollout takes none`);
  return {
    candidate, policy, steps: steps as number[], stepDurationMs,
    maxStepDurationMs: num(o, 'maxStepDurationMs', stepDurationMs * 10, stepDurationMs, 30 * 86_400_000),
    bakeMs: num(o, 'bakeMs', 3_600_000, 0, 30 * 86_400_000),
    ...(typeof sticky === 'string' && { stickyKey: sticky }),
    analysis: {
      minSamples: num(a, 'minSamples', d.minSamples, 1, 1e9), errorRateAlpha: num(a, 'errorRateAlpha', d.errorRateAlpha, 1e-12, 0.5),
      maxErrorRateIncrease: num(a, 'maxErrorRateIncrease', d.maxErrorRateIncrease, 0, 1), maxLatencyRatio: num(a, 'maxLatencyRatio', d.maxLatencyRatio, 1, 1000),
      latencySlackMs: num(a, 'latencySlackMs', d.latencySlackMs, 0, 1e6), maxDisagreement: num(a, 'maxDisagreement', d.maxDisagreement, 0, 1),
      maxDrift: num(a, 'maxDrift', d.maxDrift, 0, 100), driftAlpha: num(a, 'driftAlpha', d.driftAlpha, 1e-12, 1), maxPerformanceDrop: num(a, 'maxPerformanceDrop', d.maxPerformanceDrop, 0, 1),
      interimAlpha: num(a, 'interimAlpha', d.interimAlpha, 1e-12, 0.5),
    },
    slo: {
      maxErrorRate: num(s, 'maxErrorRate', DEFAULT_SLO.maxErrorRate, 0, 1), errorRateAlpha: num(s, 'errorRateAlpha', DEFAULT_SLO.errorRateAlpha as number, 1e-12, 1),
      maxP95Ms: num(s, 'maxP95Ms', DEFAULT_SLO.maxP95Ms, 0, 1e7),
      minSamples: num(s, 'minSamples', DEFAULT_SLO.minSamples, 1, 1e9),
    },
  };
}
