import { Command, InvalidArgumentError } from 'commander';
import { InputError } from '../../io/errors.js';
import { parseDuration } from '../../monitors/duration.js';
import { parseNumber } from '../parse.js';

/** The options of `lookout rollout start` that shape the rollout spec (src/rollout/spec.ts validates the values). */
export interface RolloutSpecOptions {
  policy: string;
  steps?: string;
  stepMinutes?: number;
  stepDuration?: number;
  maxStepDuration?: number;
  bake?: number;
  stickyKey?: string;
  minSamples?: number;
  maxErrorRate?: number;
  maxP95Ms?: number;
  sloMinSamples?: number;
  analysis?: Record<string, unknown>;
  slo?: Record<string, unknown>;
}

/** "10m", "1h", "30s", "2d" or a number of milliseconds. */
export function parseCliDuration(value: string): number {
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  try {
    return parseDuration(value, 'a duration');
  } catch {
    throw new InvalidArgumentError(`"${value}" is not a duration like 30s, 10m, 1h, 2d or milliseconds.`);
  }
}

function parseJsonObject(value: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError(`"${value}" is not JSON.`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InvalidArgumentError(`"${value}" is not a JSON object.`);
  return v as Record<string, unknown>;
}

export function addRolloutSpecOptions(cmd: Command): Command {
  return cmd
    .option('--policy <p>', 'canary, shadow or blue-green', 'canary').option('--steps <list>', 'candidate percentages, e.g. 5,25,50,100 (shadow, blue-green: 100)')
    .option('--step-duration <dur>', 'time per step, e.g. 5m, 1h or ms (default 5m)', parseCliDuration)
    .option('--step-minutes <m>', 'time per step in minutes (older form of --step-duration)', parseNumber)
    .option('--max-step-duration <dur>', 'a step still short of samples after this long rolls back (default 10 x the step duration)', parseCliDuration)
    .option('--bake <dur>', 'after promotion, an SLO breach within this period rolls back (default 1h)', parseCliDuration)
    .option('--sticky-key <field>', 'sticky routing key field (a canary rollout only)')
    .option('--min-samples <n>', 'analysis: requests each arm needs per step (analysis.minSamples, default 100)', parseNumber)
    .option('--max-error-rate <x>', 'SLO: the candidate\'s error rate objective, 0..1 (slo.maxErrorRate, default 0.05)', parseNumber)
    .option('--max-p95-ms <ms>', 'SLO: the candidate\'s p95 latency objective (slo.maxP95Ms, default 1000)', parseNumber)
    .option('--slo-min-samples <n>', 'SLO: requests before the SLO is judged (slo.minSamples, default 50)', parseNumber)
    .option('--analysis <json>', 'other analysis settings as JSON, e.g. \'{"maxDisagreement":0.1}\' (see docs/gateway.md)', parseJsonObject)
    .option('--slo <json>', 'other SLO settings as JSON, e.g. \'{"errorRateAlpha":0.005}\'', parseJsonObject);
}

/** The API's rollout body (without candidate, reason, by) from the options; the named options win over --analysis/--slo. */
export function rolloutSpecBody(o: RolloutSpecOptions): Record<string, unknown> {
  const analysis = { ...o.analysis, ...(o.minSamples !== undefined && { minSamples: o.minSamples }) };
  const slo = {
    ...o.slo, ...(o.maxErrorRate !== undefined && { maxErrorRate: o.maxErrorRate }), ...(o.maxP95Ms !== undefined && { maxP95Ms: o.maxP95Ms }),
    ...(o.sloMinSamples !== undefined && { minSamples: o.sloMinSamples }),
  };
  // both: one would be dropped without a word
  if (o.stepDuration !== undefined && o.stepMinutes !== undefined) throw new InputError('give --step-duration or --step-minutes (its older form), not both');
  const stepDurationMs = o.stepDuration ?? (o.stepMinutes === undefined ? undefined : o.stepMinutes * 60_000);
  return {
    policy: o.policy, ...(o.steps && { steps: o.steps.split(',').map((s) => (s.trim() === '' ? null : Number(s))) }),
    ...(stepDurationMs !== undefined && { stepDurationMs }), ...(o.maxStepDuration !== undefined && { maxStepDurationMs: o.maxStepDuration }),
    ...(o.bake !== undefined && { bakeMs: o.bake }), ...(o.stickyKey && { stickyKey: o.stickyKey }),
    ...(Object.keys(analysis).length > 0 && { analysis }), ...(Object.keys(slo).length > 0 && { slo }),
  };
}
