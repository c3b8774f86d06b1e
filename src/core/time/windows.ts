import type { Granularity } from '../../storage/types.js';

export const GRANULARITY_MS: Readonly<Record<Granularity, number>> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

export const GRANULARITIES: readonly Granularity[] = ['minute', 'hour', 'day'];

/** Start of the UTC window of this granularity that contains ts (epoch ms). */
export function windowStart(ts: number, g: Granularity): number {
  const size = GRANULARITY_MS[g];
  return Math.floor(ts / size) * size;
}

/**
 * The granularity to answer a query over [from, to) with: the coarsest one whose windows fit the range
 * at least `minWindows` times, so a 30-day chart reads ~30 day rows or ~720 hour rows, not 43,200 minutes.
 */
export function granularityFor(from: number, to: number, minWindows = 24): Granularity {
  const span = to - from;
  if (span >= GRANULARITY_MS.day * minWindows) return 'day';
  if (span >= GRANULARITY_MS.hour * minWindows) return 'hour';
  return 'minute';
}

export function parseGranularity(s: string): Granularity | undefined {
  return (GRANULARITIES as readonly string[]).includes(s) ? (s as Granularity) : undefined;
}

export interface WindowRange {
  granularity: Granularity;
  from: number;
  to: number;
}

/**
 * Splits [from, to) (rounded to whole minutes) into the fewest aligned windows of mixed granularity:
 * minutes up to the first full hour, hours up to the first full day, days, then hours and minutes again.
 * Summing these windows answers the range exactly with at most ~2*59 + 2*23 + days rows.
 */
export function decomposeRange(from: number, to: number): WindowRange[] {
  const m = GRANULARITY_MS.minute;
  const h = GRANULARITY_MS.hour;
  const d = GRANULARITY_MS.day;
  const f = Math.floor(from / m) * m;
  const t = Math.ceil(to / m) * m;
  const out: WindowRange[] = [];
  const push = (granularity: Granularity, a: number, b: number): void => {
    if (b > a) out.push({ granularity, from: a, to: b });
  };
  const a = Math.ceil(f / h) * h;
  const b = Math.floor(t / h) * h;
  if (a >= b) {
    push('minute', f, t);
    return out;
  }
  push('minute', f, a);
  const c = Math.ceil(a / d) * d;
  const e = Math.floor(b / d) * d;
  if (c < e) {
    push('hour', a, c);
    push('day', c, e);
    push('hour', e, b);
  } else {
    push('hour', a, b);
  }
  push('minute', b, t);
  return out;
}
