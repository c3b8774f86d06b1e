/**
 * Seeded percentile bootstrap (95%: numpy.percentile linear at 2.5 and 97.5).
 *
 * Two engines, both equivalent in distribution to resampling rows with replacement:
 * - count bootstrap: metrics that depend only on the confusion matrix (f1, macro/weighted
 *   averages) resample the matrix's cell counts with one multinomial draw per resample,
 *   which is what a row resample does to the matrix, at a cost independent of n;
 * - row bootstrap: rocAuc, logLoss and the regression metrics draw per-row multiplicities.
 *   Up to ROW_EXACT_MAX rows: the classic bootstrap (n uniform index draws per resample).
 *   Above it: the Poisson bootstrap (independent Poisson(1) multiplicities; Hanley &
 *   MacGibbon 2006, Chamandy et al. 2012), indistinguishable at that size, and the number
 *   of resamples is cut so that resamples × n stays near ROW_BUDGET (never below
 *   MIN_LARGE_N_RESAMPLES): 1000 at n = 100k, 200 at 500k, 100 from 1M rows. The metric's
 *   `note` and `resamples` say so.
 * Resamples where the metric is undefined (e.g. one class only) are skipped and counted.
 */
import type { Random } from '../random/rng.js';
import { seededRandom } from '../random/rng.js';
import { percentileSorted } from './percentile.js';
import { BulkRandom } from './bulk-random.js';
import { multinomialFromCounts, poisson1 } from './sampling.js';
import type { MetricValue } from './types.js';

export const DEFAULT_RESAMPLES = 1000;
export const ROW_EXACT_MAX = 100_000;
export const ROW_BUDGET = 100_000_000;
export const MIN_LARGE_N_RESAMPLES = 100;

/** Independent streams derived from the user's seed. */
export function countRng(seed: number): Random {
  return seededRandom(seed >>> 0);
}
export function rowRng(seed: number): BulkRandom {
  return new BulkRandom(seededRandom((seed ^ 0x5bd1e995) >>> 0));
}

export interface RowPlan {
  resamples: number;
  poisson: boolean;
  note?: string;
}

export function rowPlan(n: number, requested: number): RowPlan {
  if (n <= ROW_EXACT_MAX) return { resamples: requested, poisson: false };
  const resamples = Math.min(requested, Math.max(MIN_LARGE_N_RESAMPLES, Math.floor(ROW_BUDGET / n)));
  return {
    resamples,
    poisson: true,
    note: `n > ${ROW_EXACT_MAX}: Poisson bootstrap with ${resamples} resamples`,
  };
}

/**
 * Poisson(1) value per top-16-bit bucket of a uniform u32; 255 where the bucket straddles a CDF step. Built on first
 * use (only a Poisson bootstrap, n > ROW_EXACT_MAX, reads it), not when the module loads: CI time (2026-12-07), every
 * `lookout` command loads this module and 131,072 inversions were a part of each start-up.
 */
let poissonTable: Uint8Array | null = null;
function poissonTableOf(): Uint8Array {
  if (poissonTable !== null) return poissonTable;
  const t = new Uint8Array(65536);
  for (let i = 0; i < 65536; i++) {
    const lo = poisson1((i * 65536) / 4294967296);
    const hi = poisson1((i * 65536 + 65535) / 4294967296);
    t[i] = lo === hi ? lo : 255;
  }
  poissonTable = t;
  return t;
}

/**
 * Fills `w` with one resample's row multiplicities: Poisson(1) by inversion of u = r / 2^32,
 * or multinomial counts of n uniform index draws floor(r·n / 2^32) (exact in float64).
 */
export function drawRowWeights(rng: BulkRandom, w: Int32Array, poisson: boolean, buf: Uint32Array): void {
  const n = w.length;
  rng.fill(buf, n);
  if (poisson) {
    const table = poissonTableOf();
    for (let i = 0; i < n; i++) {
      const r = buf[i] as number;
      const k = table[r >>> 16] as number;
      w[i] = k !== 255 ? k : poisson1(r / 4294967296);
    }
    return;
  }
  w.fill(0);
  for (let i = 0; i < n; i++) {
    const j = Math.floor(((buf[i] as number) * n) / 4294967296);
    w[j] = (w[j] as number) + 1;
  }
}

/**
 * Runs `resamples` row resamples; `evaluate` computes every metric of interest from the
 * multiplicities (null = undefined on this resample). Returns one array of values per metric.
 */
export function rowBootstrap(
  n: number,
  plan: RowPlan,
  rng: BulkRandom,
  metricCount: number,
  evaluate: (w: Int32Array) => Array<number | null>,
): number[][] {
  const out: number[][] = Array.from({ length: metricCount }, () => []);
  const w = new Int32Array(n);
  const buf = new Uint32Array(n);
  for (let r = 0; r < plan.resamples; r++) {
    drawRowWeights(rng, w, plan.poisson, buf);
    const vals = evaluate(w);
    for (let m = 0; m < metricCount; m++) {
      const v = vals[m];
      if (v !== null && v !== undefined && Number.isFinite(v)) (out[m] as number[]).push(v);
    }
  }
  return out;
}

/** Runs `resamples` multinomial resamples of a table of cell counts. */
export function countBootstrap(
  cells: ArrayLike<number>,
  resamples: number,
  rng: Random,
  metricCount: number,
  evaluate: (cells: Float64Array) => Array<number | null>,
): number[][] {
  const out: number[][] = Array.from({ length: metricCount }, () => []);
  const draw = new Float64Array(cells.length);
  for (let r = 0; r < resamples; r++) {
    multinomialFromCounts(rng, cells, draw);
    const vals = evaluate(draw);
    for (let m = 0; m < metricCount; m++) {
      const v = vals[m];
      if (v !== null && v !== undefined && Number.isFinite(v)) (out[m] as number[]).push(v);
    }
  }
  return out;
}

/** A metric with its percentile-bootstrap interval from the resampled values. */
export function bootstrapMetric(value: number, stats: number[], resamples: number, planNote?: string): MetricValue {
  if (!Number.isFinite(value)) {
    // sklearn answers inf or nan (a sum of squares past float64's range): no interval holds that, and the resamples left
    // finite, those that happened to leave the largest rows out, would give one that excludes it.
    return { value: null, ci: null, ciMethod: 'bootstrap', resamples, note: `the value is ${String(value)} in float64 (labels or predictions too large for this metric): no value or interval` };
  }
  const notes: string[] = [];
  if (planNote) notes.push(planNote);
  if (stats.length === 0) {
    notes.push(resamples === 0 ? 'no bootstrap resamples requested' : 'metric undefined on every bootstrap resample');
    return { value, ci: null, ciMethod: 'bootstrap', resamples, note: notes.join('; ') };
  }
  if (stats.length < resamples) {
    notes.push(`${resamples - stats.length} of ${resamples} resamples had an undefined metric and were skipped`);
  }
  const sorted = Float64Array.from(stats).sort();
  const mv: MetricValue = {
    value,
    ci: [percentileSorted(sorted, 2.5), percentileSorted(sorted, 97.5)],
    ciMethod: 'bootstrap',
    resamples,
  };
  if (notes.length > 0) mv.note = notes.join('; ');
  return mv;
}
