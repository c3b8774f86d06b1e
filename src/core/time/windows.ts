import type { Granularity, QueryGranularity } from '../../storage/types.js';

export const GRANULARITY_MS: Readonly<Record<Granularity, number>> = {
  minute: 60_000,
  '10min': 600_000,
  hour: 3_600_000,
  '6h': 21_600_000,
  day: 86_400_000,
};

/** The granularities a query or a series can be asked for (the API's `granularity`). */
export const GRANULARITIES: readonly QueryGranularity[] = ['minute', 'hour', 'day'];

/**
 * Every granularity of stored summary windows, finest first: the queryable ones and the intermediate ones (10 minutes,
 * 6 hours), which only range reads use (decomposeRange: a 24 h range in at most 9 + 5 + 5 + 3 + 5 + 5 + 9 windows
 * instead of 59 + 23 + 59).
 */
export const STORED_GRANULARITIES: readonly Granularity[] = ['minute', '10min', 'hour', '6h', 'day'];

/** The intermediate granularities, each with the next finer one that stands in for it where it is not complete. */
const FINER: Partial<Record<Granularity, Granularity>> = { '10min': 'minute', '6h': 'hour' };

/** Start of the UTC window of this granularity that contains ts (epoch ms). */
export function windowStart(ts: number, g: Granularity): number {
  const size = GRANULARITY_MS[g];
  return Math.floor(ts / size) * size;
}

/**
 * The granularity to answer a query over [from, to) with: the coarsest one whose windows fit the range
 * at least `minWindows` times, so a 30-day chart reads ~30 day rows or ~720 hour rows, not 43,200 minutes.
 */
export function granularityFor(from: number, to: number, minWindows = 24): QueryGranularity {
  const span = to - from;
  if (span >= GRANULARITY_MS.day * minWindows) return 'day';
  if (span >= GRANULARITY_MS.hour * minWindows) return 'hour';
  return 'minute';
}

export function parseGranularity(s: string): QueryGranularity | undefined {
  return (GRANULARITIES as readonly string[]).includes(s) ? (s as QueryGranularity) : undefined;
}

export interface WindowRange {
  granularity: Granularity;
  from: number;
  to: number;
}

/**
 * Splits [from, to) (rounded to whole minutes) into the fewest aligned windows of mixed granularity: minutes up to the
 * first 10-minute boundary, 10-minute windows up to the first full hour, hours up to the first 6-hour boundary, 6-hour
 * windows up to the first full day, days, then back down. Summing these windows answers the range exactly with at most
 * 2 * (9 + 5 + 5 + 3) + days windows. A 24 h range from 15:27 reads 3 minutes, 3 ten-minute windows, 2 hours, 3 six-hour
 * windows (18:00 to 12:00), 3 hours, 2 ten-minute windows and 8 minutes: 24 windows, where minutes and hours alone
 * took 84.
 *
 * The intermediate windows (10 minutes, 6 hours) are used only from `intermediateSince` on (epoch ms, a multiple of a
 * day): a store written before they existed does not have them complete before that time (see
 * monitoring/intermediate-since.ts); minute and hour windows stand in there.
 */
export function decomposeRange(from: number, to: number, intermediateSince = 0): WindowRange[] {
  const m = GRANULARITY_MS.minute;
  const f = Math.floor(from / m) * m;
  const t = Math.ceil(to / m) * m;
  const out: WindowRange[] = [];
  const append = (granularity: Granularity, a: number, b: number): void => {
    const last = out[out.length - 1];
    if (last && last.granularity === granularity && last.to === a) last.to = b;
    else out.push({ granularity, from: a, to: b });
  };
  const push = (granularity: Granularity, a: number, b: number): void => {
    if (b <= a) return;
    const finer = FINER[granularity];
    if (finer !== undefined && a < intermediateSince) {
      // Before intermediate windows were written: the next finer windows (merged with a piece of those beside it).
      const cut = Math.min(b, intermediateSince);
      append(finer, a, cut);
      if (cut < b) append(granularity, cut, b);
      return;
    }
    append(granularity, a, b);
  };
  // Each level covers what the coarser ones leave at the two ends (in time order).
  const split = (level: number, a: number, b: number): void => {
    const g = STORED_GRANULARITIES[level] as Granularity;
    const coarser = STORED_GRANULARITIES[level + 1];
    if (coarser === undefined) {
      push(g, a, b);
      return;
    }
    const size = GRANULARITY_MS[coarser];
    const c = Math.ceil(a / size) * size;
    const e = Math.floor(b / size) * size;
    if (c >= e) {
      push(g, a, b);
      return;
    }
    push(g, a, c);
    split(level + 1, c, e);
    push(g, e, b);
  };
  split(0, f, t);
  return out;
}
