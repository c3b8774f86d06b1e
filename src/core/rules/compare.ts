import { severityRank, type Direction, type Level, type Verdict } from './types.js';

export type ChangeMode = 'absolute' | 'relative';

/**
 * The change of `value` vs `baseline` signed so that positive is bad (given the direction), to 12 significant digits:
 * levels are decimals, and binary floating point put a change exactly at one a hair below it (0.9 -> 0.81 gave a
 * relative drop of 0.09999999999999996, which did not cross a 0.1 level).
 */
export function badChange(value: number, baseline: number, direction: Direction, mode: ChangeMode): number | null {
  const diff = direction === 'above' ? value - baseline : baseline - value;
  if (mode === 'absolute') return decimal(diff);
  if (baseline === 0) return diff === 0 ? 0 : null;
  return decimal(diff / Math.abs(baseline));
}

const decimal = (x: number): number => (Number.isFinite(x) ? Number(x.toPrecision(12)) : x);

/** The highest-severity level whose threshold `compared` reaches on the bad side (levels are "bad when >="). */
export function crossedLevel(compared: number, levels: readonly Level[], direction: Direction): Level | undefined {
  let best: Level | undefined;
  for (const l of levels) {
    const crossed = direction === 'above' ? compared >= l.threshold : compared <= l.threshold;
    if (crossed && (!best || severityRank(l.severity) > severityRank(best.severity))) best = l;
  }
  return best;
}

/** Lowest-severity level (its threshold is reported when nothing fired). */
export function firstLevel(levels: readonly Level[]): Level | undefined {
  let lo: Level | undefined;
  for (const l of levels) if (!lo || severityRank(l.severity) < severityRank(lo.severity)) lo = l;
  return lo;
}

/** The minimum-sample guard: no verdict on too little data. */
export function insufficient(value: number | null, samples: number, minSamples: number, baseline: number | null = null, note?: string): Verdict | null {
  if (samples >= minSamples && value !== null && Number.isFinite(value)) return null;
  return {
    status: 'insufficient_data', value, baseline, threshold: null, compared: null, change: null, samples,
    note: note ?? (samples < minSamples ? `${samples} samples < minSamples ${minSamples}`
      : value === null ? 'metric could not be computed for this window'
        // enough samples: the value itself is not a number (a plugin's 0/0, an undefined statistic)
        : `metric is ${value} (not a finite number) for this window, with ${samples} samples`),
  };
}

/** Fixed threshold: levels compare the value itself. */
export function thresholdVerdict(value: number | null, samples: number, minSamples: number, levels: readonly Level[], direction: Direction): Verdict {
  const guard = insufficient(value, samples, minSamples);
  if (guard) return guard;
  const v = value as number;
  return finish(v, null, v, null, samples, levels, direction);
}

/**
 * Against a baseline (the reference value, or a rolling mean): levels compare the bad-side change, absolute
 * or relative (e.g. a 0.05 relative drop of accuracy). Direction 'below' means a drop is bad.
 */
export function baselineVerdict(
  value: number | null, baseline: number | null, samples: number, minSamples: number,
  levels: readonly Level[], direction: Direction, mode: ChangeMode,
): Verdict {
  const guard = insufficient(value, samples, minSamples, baseline);
  if (guard) return guard;
  if (baseline === null || !Number.isFinite(baseline)) {
    return { status: 'insufficient_data', value, baseline: null, threshold: null, compared: null, change: null, samples, note: 'no baseline value to compare with' };
  }
  const change = badChange(value as number, baseline, direction, mode);
  if (change === null) {
    return { status: 'insufficient_data', value, baseline, threshold: null, compared: null, change: null, samples, note: 'relative change undefined (baseline is 0)' };
  }
  // levels are thresholds on the bad-side change: always "above"
  return finish(value as number, baseline, change, change, samples, levels, 'above');
}

export function finish(
  value: number, baseline: number | null, compared: number, change: number | null, samples: number,
  levels: readonly Level[], direction: Direction,
): Verdict {
  const level = crossedLevel(compared, levels, direction);
  const threshold = (level ?? firstLevel(levels))?.threshold ?? null;
  return { status: level ? level.severity : 'ok', value, baseline, threshold, compared, change, samples, ...(level && { level }) };
}
