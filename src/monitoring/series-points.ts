import { GRANULARITY_MS } from '../core/time/windows.js';
import type { Granularity } from '../storage/types.js';
import type { VersionContext } from './catalog.js';
import type { SeriesMetric, SummaryReader } from './query.js';
import { pointValue } from './timeseries.js';

/** One point's window of a series: `t` the window's start, [from, to) the part of it the point covers. */
export interface SeriesWindow {
  t: number;
  from: number;
  to: number;
}

/** The points of a series: per window, its event count and each metric's value (in the order asked). */
export interface SeriesPoints {
  windows: SeriesWindow[];
  events: number[];
  values: Array<Array<number | null>>;
}

/** A point that covers less than its window (an hour or day series' first or last point clipped to the range). */
export function isClipped(w: SeriesWindow, size: number): boolean {
  return w.from > w.t || w.to < w.t + size;
}

/**
 * The windows of a series over the requested [from, to): one per window of `granularity` meeting it (`t` its start).
 * At hour and day granularity the first and last are clipped to `eff`, the range the answer states (whole minutes, or
 * hours before the minute windows' retention: effectiveRange), so no point counts events outside it and the points add
 * up to what /health counts over the same range. Minute points cover their whole window (eff is whole minutes).
 */
export function seriesWindows(from: number, to: number, eff: { from: number; to: number }, granularity: Granularity): SeriesWindow[] {
  const size = GRANULARITY_MS[granularity];
  const clip = granularity !== 'minute';
  const out: SeriesWindow[] = [];
  for (let t = Math.floor(from / size) * size; t < to; t += size) {
    out.push(clip ? { t, from: Math.max(t, eff.from), to: Math.min(t + size, eff.to) } : { t, from: t, to: t + size });
  }
  return out;
}

/**
 * The points of a series of `metrics` (each made for the seconds its point covers: a throughput divides by them)
 * over the requested [from, to), as charted at `now` (pointValue). Whole windows take their stored window's values
 * (seriesValuesMany: cached, stored feature values); a clipped point (see seriesWindows) is computed from the merged
 * summaries of its part (the same windows /health merges for that part): its counts are those of the part, and its
 * quantiles, means and drift scores of the part's merged sketches, not of the whole day.
 */
export async function seriesPoints(
  reader: SummaryReader, v: VersionContext, segment: string, from: number, to: number, granularity: Granularity,
  metrics: ReadonlyArray<{ name: string; series: (seconds: number) => SeriesMetric }>, now: number,
): Promise<SeriesPoints> {
  const size = GRANULARITY_MS[granularity];
  const windows = seriesWindows(from, to, reader.effectiveRange(from, to), granularity);
  const whole = windows.filter((w) => !isClipped(w, size));
  // The stored windows of the whole points only: a clipped one's window is not read, nor its values computed or stored.
  const first = whole[0];
  const last = whole[whole.length - 1];
  const stored = first && last
    ? await reader.seriesValuesMany(v, segment, whole.length === windows.length ? from : first.t, whole.length === windows.length ? to : last.t + size, granularity, metrics.map((m) => m.series(size / 1000)))
    : metrics.map(() => new Map<number, { value: number | null; events: number }>());
  const events: number[] = [];
  const values: Array<Array<number | null>> = metrics.map(() => []);
  for (const w of windows) {
    if (!isClipped(w, size)) {
      events.push(stored[0]?.get(w.t)?.events ?? 0);
      metrics.forEach((m, i) => values[i]?.push(pointValue(m.name, stored[i]?.get(w.t)?.value ?? null, w.t, size, now)));
      continue;
    }
    const merged = await reader.mergedEffective(v, segment, w.from, w.to);
    events.push(merged.events);
    metrics.forEach((m, i) => {
      // a window without events has no value (as a stored window absent from the range)
      const value = merged.events > 0 || merged.rejected > 0 ? m.series((w.to - w.from) / 1000).compute(merged) : null;
      values[i]?.push(pointValue(m.name, value, w.from, w.to - w.from, now));
    });
  }
  return { windows, events, values };
}
