import { meanStd } from './baseline.js';
import { finish, insufficient } from './compare.js';
import type { Direction, Level, Verdict } from './types.js';

/**
 * Statistical process control: limits learned from a history of in-control windows, so ordinary
 * window-to-window variance is told apart from a real shift.
 *
 * EWMA (Roberts 1959): z_t = λ x_t + (1 − λ) z_{t−1}, z_0 = μ; its standard deviation after t steps is
 * σ sqrt(λ / (2 − λ) (1 − (1 − λ)^{2t})). The compared statistic is (z_t − μ) / σ_z in "sigmas", signed so
 * positive is the bad side; levels are multiples L (3 is the classic limit).
 *
 * CUSUM (Page 1954, tabular form): on standardised values u = ±(x − μ) / σ (bad side positive),
 * C_t = max(0, C_{t−1} + u − k); levels are decision intervals h (4 or 5 with k = 0.5 is classic).
 * `recent` are the windows since the history ended (oldest first), the current value last.
 */
export interface SpcOptions {
  lambda?: number;
  k?: number;
  /** Minimum history windows to learn limits from. */
  minHistory?: number;
}

function learn(history: ReadonlyArray<number | null>, minHistory: number): { mean: number; std: number } | string {
  const ms = meanStd(history);
  if (!ms || ms.n < minHistory) return `need at least ${minHistory} history windows to learn control limits (have ${ms?.n ?? 0})`;
  // a perfectly flat history would make any change infinitely significant: floor sigma at 1e-9 * |mean| (or 1e-12)
  return { mean: ms.mean, std: Math.max(ms.std, Math.abs(ms.mean) * 1e-9, 1e-12) };
}

type Limits = { value: number; mean: number; std: number };

/** Shared start of both charts: the sample guard, then limits learned from the history. */
function prepare(history: ReadonlyArray<number | null>, recent: ReadonlyArray<number | null>, samples: number, minSamples: number, opts: SpcOptions): Verdict | Limits {
  const value = recent[recent.length - 1] ?? null;
  const guard = insufficient(value, samples, minSamples);
  if (guard) return guard;
  const lim = learn(history, opts.minHistory ?? 8);
  if (typeof lim === 'string') return { status: 'insufficient_data', value, baseline: null, threshold: null, compared: null, change: null, samples, note: lim };
  return { value: value as number, ...lim };
}

const finite = (xs: ReadonlyArray<number | null>): number[] => xs.filter((x): x is number => x !== null && Number.isFinite(x));

export function ewmaVerdict(
  history: ReadonlyArray<number | null>, recent: ReadonlyArray<number | null>, samples: number, minSamples: number,
  levels: readonly Level[], direction: Direction, opts: SpcOptions = {},
): Verdict {
  const p = prepare(history, recent, samples, minSamples, opts);
  if ('status' in p) return p;
  const lambda = opts.lambda ?? 0.2;
  const xs = finite(recent);
  let z = p.mean;
  for (const x of xs) z = lambda * x + (1 - lambda) * z;
  const sz = p.std * Math.sqrt((lambda / (2 - lambda)) * (1 - (1 - lambda) ** (2 * xs.length)));
  const stat = ((direction === 'above' ? 1 : -1) * (z - p.mean)) / sz;
  return finish(p.value, p.mean, stat, p.value - p.mean, samples, levels, 'above');
}

export function cusumVerdict(
  history: ReadonlyArray<number | null>, recent: ReadonlyArray<number | null>, samples: number, minSamples: number,
  levels: readonly Level[], direction: Direction, opts: SpcOptions = {},
): Verdict {
  const p = prepare(history, recent, samples, minSamples, opts);
  if ('status' in p) return p;
  const k = opts.k ?? 0.5;
  let c = 0;
  for (const x of finite(recent)) c = Math.max(0, c + ((direction === 'above' ? 1 : -1) * (x - p.mean)) / p.std - k);
  return finish(p.value, p.mean, c, p.value - p.mean, samples, levels, 'above');
}
