/** Rolling baselines: which past windows to compare with, and their summary value (pure). */

export const WEEK_MS = 7 * 86_400_000;

export type Seasonality = 'weekly' | 'none';

/**
 * Start times of the past windows a rolling baseline averages: with weekly seasonality the same weekday and
 * hour of the previous `periods` weeks (so a Monday-morning peak is compared with earlier Monday mornings);
 * without, the `periods` windows just before.
 */
export function baselineWindows(windowStart: number, windowMs: number, periods: number, seasonality: Seasonality): number[] {
  const step = seasonality === 'weekly' ? WEEK_MS : windowMs;
  const out: number[] = [];
  for (let i = 1; i <= periods; i++) out.push(windowStart - i * step);
  return out;
}

/** Mean of the finite values; null when fewer than `minPeriods` are present. */
export function rollingMean(values: ReadonlyArray<number | null>, minPeriods = 1): number | null {
  let s = 0;
  let n = 0;
  for (const v of values) {
    if (v !== null && Number.isFinite(v)) {
      s += v;
      n++;
    }
  }
  return n >= minPeriods && n > 0 ? s / n : null;
}

/** Sample mean and standard deviation (ddof 1) of the finite values. */
export function meanStd(values: ReadonlyArray<number | null>): { mean: number; std: number; n: number } | null {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (xs.length < 2) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const varr = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, std: Math.sqrt(varr), n: xs.length };
}
