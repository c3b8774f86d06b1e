/**
 * The analysis at each rollout step: the canary's live traffic against the primary's over the same period.
 * Pure. Checks (each records the values, the limit and the verdict):
 * - errorRate: one-sided Fisher exact test (exact at any sample size: a normal approximation called one failure in
 *   a step's first three requests p = 1e-13 and rolled back); fails only when the canary is worse with p < alpha
 *   AND by more than `maxErrorRateIncrease` (absolute), so noise alone does not roll back;
 * - latencyP95: with the limit primary p95 * maxLatencyRatio + latencySlackMs, a canary no slower than the primary
 *   (within that tolerance) has at most 5% of its requests above the limit; fails only when an exact one-sided
 *   binomial test of its share above the limit has p < errorRateAlpha (the two point p95s of a few dozen requests
 *   differ by a slow request or two: a healthy canary was rolled back by noise);
 * - disagreement: share of paired requests (canary answer vs the primary's mirrored answer) that differ; fails when
 *   the exact one-sided binomial test against `maxDisagreement` (H0: the canary disagrees at most that often) has
 *   p < errorRateAlpha: 10 differing answers of 40 (25% against 20%) happen to a canary right at the limit 27% of the time;
 * - drift: PSI of the prediction distribution, canary vs primary (categories, or primary-decile bins); fails only
 *   when it is above `maxDrift` AND the chi-squared test of the same counts has p < `driftAlpha`: with few answers
 *   and many classes the canary's empty classes alone push PSI far above 0.25 (30 classes, 100 answers: 0.55 on
 *   average with no drift at all);
 * - estimatedPerformance: mean confidence of the answers (CBPE-style expected accuracy) may drop at most
 *   `maxPerformanceDrop`; fails only when below that AND a one-sided Welch z-test has p < errorRateAlpha (performanceCheck).
 * With fewer than `minSamples` requests on either arm the analysis is `insufficient` (no verdict yet).
 */
import { binCountsSorted, decileEdges, proportions } from '../stats/binning.js';
import { binomialSfAtLeast } from '../stats/binomial.js';
import { chiSquareTwoRow } from '../stats/chi2.js';
import { psi } from '../stats/divergence.js';
import { fisherGreaterP } from '../stats/fisher.js';
import { unionCategories } from '../drift/categorical.js';
import { lookLevel, normalSf, type Look } from './spending.js';

export interface ArmSnapshot {
  n: number;
  errors: number;
  /** p95 latency in ms of successful requests (null when none). */
  p95Ms: number | null;
  /** How many of the successful requests were slower than `ms` (from the latency sketch: see LatencyTail). */
  slowerThan(ms: number): LatencyTail;
  /** Prediction counts by value (classification) or a sample of numeric predictions (regression). */
  categories: ReadonlyMap<string, number>;
  numeric: readonly number[];
  /** Mean confidence (max class probability) of the answers that had a score; null when none. */
  meanConfidence: number | null;
  /** How many answers had a score, and the sample variance of their confidence (absent: not known). */
  confidenceSpread?: { n: number; variance: number };
}

/**
 * `slower` of the `of` successful requests took more than `aboveMs`. Read from a latency sketch (DDSketch, relative
 * accuracy a): its bins are (g^(k-1), g^k] with g = (1 + a) / (1 - a), so the count is exact above `aboveMs`, the upper
 * edge of the bin holding the threshold asked for: ms <= aboveMs < ms * g (2.02% above it at a = 1%). Requests between
 * the threshold and that edge are not counted, which can only understate a canary's slowness.
 */
export interface LatencyTail {
  slower: number;
  of: number;
  aboveMs: number;
}

/** The tail above a p95: under H0 at most this share of requests is slower. */
export const P95_TAIL = 0.05;

/**
 * One-sided exact binomial p-value that more than 5% of the requests are slower than the tail's threshold, i.e. that
 * the version's true p95 is above it (scipy.stats.binomtest(slower, of, 0.05, alternative='greater')); 1 without requests.
 */
export function p95AboveP(t: LatencyTail): number {
  return t.of === 0 ? 1 : binomialSfAtLeast(t.slower, t.of, P95_TAIL);
}

const ms = (x: number): string => `${+x.toFixed(1)}`;

export interface PairSnapshot {
  n: number;
  disagreements: number;
}

export interface AnalysisConfig {
  minSamples: number;
  /**
   * The level of EACH of the error-rate, latency, disagreement and estimated-performance checks (all the looks of a step
   * together, spending.ts), not of the analysis as a whole: the chance that any of them rejects a canary at all of their
   * limits is at most the sum of the levels of the checks that run (docs/gateway.md, "Levels are per check").
   */
  errorRateAlpha: number;
  maxErrorRateIncrease: number;
  maxLatencyRatio: number;
  latencySlackMs: number;
  maxDisagreement: number;
  maxDrift: number;
  /** The level of the drift check alone (as errorRateAlpha, per check). */
  driftAlpha: number;
  maxPerformanceDrop: number;
  /**
   * The part of errorRateAlpha (and of driftAlpha, and of slo.errorRateAlpha) the looks before a step's or bake period's
   * end may spend together, at most half of it; the final look tests at what is left (spending.ts). The name is kept
   * for stored rollouts and specs: until 2026-12 it was the level of every interim look, which let a step's looks
   * together reject a version at its objective more often than errorRateAlpha.
   */
  interimAlpha: number;
}

export const DEFAULT_ANALYSIS: AnalysisConfig = {
  minSamples: 100, errorRateAlpha: 0.01, maxErrorRateIncrease: 0.01, maxLatencyRatio: 1.5, latencySlackMs: 5,
  maxDisagreement: 0.2, maxDrift: 0.25, driftAlpha: 0.01, maxPerformanceDrop: 0.05, interimAlpha: 0.001,
};

/**
 * The configuration of one look of a step: the controller analyses at every tick, and a test repeated on growing data
 * at level alpha rejects a healthy canary far more often than alpha (every look is a new chance). errorRateAlpha and
 * driftAlpha become the look's share of them (lookLevel, spending.ts): the levels of all the looks of a step sum to at
 * most the configured ones, the early looks' small but not so small that a canary failing every request passes.
 */
export function lookAnalysis(cfg: AnalysisConfig, look: Look): AnalysisConfig {
  const interimAlpha = interimAlphaOf(cfg);
  return { ...cfg, interimAlpha, errorRateAlpha: lookLevel(cfg.errorRateAlpha, interimAlpha, look), driftAlpha: lookLevel(cfg.driftAlpha, interimAlpha, look) };
}

/** The configured interimAlpha; a rollout stored before it existed has none: the default. */
export function interimAlphaOf(cfg: AnalysisConfig): number {
  return (cfg.interimAlpha as number | undefined) ?? DEFAULT_ANALYSIS.interimAlpha;
}

/** A significance level as the checks' details print it (3 significant digits). */
export const level = (x: number): string => `${+x.toPrecision(3)}`;

export interface Check {
  name: 'errorRate' | 'latencyP95' | 'disagreement' | 'drift' | 'estimatedPerformance';
  canary: number | null;
  primary: number | null;
  limit: number | null;
  pass: boolean;
  detail?: string;
}

export interface Analysis {
  /** Every check passed with enough samples. */
  pass: boolean;
  /** A check failed with enough samples, or the error-rate test failed (it carries its own significance guard). */
  fail: boolean;
  insufficient: boolean;
  samples: { canary: number; primary: number; pairs: number };
  checks: Check[];
}

/** One-sided exact p-value that error rate b exceeds rate a (Fisher; 1 when either side has no requests). */
export function errorRateP(errorsA: number, nA: number, errorsB: number, nB: number): number {
  return nA === 0 || nB === 0 ? 1 : fisherGreaterP(errorsA, nA, errorsB, nB);
}

/** PSI of the prediction distribution, canary against primary, with the chi-squared p-value of the same counts. */
export function predictionDriftTest(primary: ArmSnapshot, canary: ArmSnapshot): { psi: number; p: number } | null {
  let ref: number[];
  let cur: number[];
  if (primary.numeric.length >= 10 && canary.numeric.length >= 10) {
    const a = Float64Array.from(primary.numeric).sort();
    const b = Float64Array.from(canary.numeric).sort();
    const edges = decileEdges(a);
    ref = binCountsSorted(a, edges);
    cur = binCountsSorted(b, edges);
  } else if (primary.categories.size > 0 && canary.categories.size > 0) {
    const cats = unionCategories(primary.categories, canary.categories);
    ref = cats.map((c) => primary.categories.get(c) ?? 0);
    cur = cats.map((c) => canary.categories.get(c) ?? 0);
  } else return null;
  const value = psi(proportions(ref), proportions(cur));
  // bins empty on both sides carry no information (and the test needs every column positive)
  const used = ref.map((c, i) => c + (cur[i] as number) > 0);
  const p = chiSquareTwoRow(ref.filter((_, i) => used[i]), cur.filter((_, i) => used[i])).pValue;
  return { psi: value, p };
}

export function predictionDrift(primary: ArmSnapshot, canary: ArmSnapshot): number | null {
  return predictionDriftTest(primary, canary)?.psi ?? null;
}

/**
 * The canary's latency against the primary's p95 with the configured tolerance. H0: the canary is no slower than the
 * primary within the tolerance, so at most 5% of its requests exceed primary p95 * maxLatencyRatio + latencySlackMs;
 * fails when the exact one-sided binomial test of its share above that limit has p < errorRateAlpha. The primary's p95
 * is itself an estimate; the tolerance (1.5x + 5 ms by default) absorbs its sampling error at the sample sizes used.
 */
function latencyCheck(canary: ArmSnapshot, primary: ArmSnapshot, cfg: AnalysisConfig): Check {
  const base = { name: 'latencyP95' as const, canary: canary.p95Ms, primary: primary.p95Ms };
  if (primary.p95Ms === null || canary.p95Ms === null) return { ...base, limit: null, pass: true, detail: 'no successful requests on one side' };
  const limit = primary.p95Ms * cfg.maxLatencyRatio + cfg.latencySlackMs;
  const t = canary.slowerThan(limit);
  const p = p95AboveP(t);
  return {
    ...base, limit, pass: p >= cfg.errorRateAlpha,
    detail: `exact one-sided binomial test: ${t.slower} of ${t.of} canary requests slower than ${ms(t.aboveMs)} ms (the latency sketch's `
      + `bin edge at or above the limit ${ms(limit)} ms = primary p95 x ${cfg.maxLatencyRatio} + ${cfg.latencySlackMs} ms) against at most `
      + `${P95_TAIL * 100}%: p=${p.toExponential(2)} (fails when p < ${level(cfg.errorRateAlpha)})`,
  };
}

/**
 * Estimated performance: the canary's mean confidence may be at most maxPerformanceDrop below the primary's. H0: it is
 * not lower than that (mu_c >= mu_p - drop); fails only when the canary's mean is below the limit AND a one-sided Welch
 * z-test has p < errorRateAlpha (the level of the look, like the other checks of the canary's answers): the mean
 * confidence of 100 answers with a spread of 0.2 varies by +-0.02, so a canary as good as the primary fell below a limit
 * 0.05 lower now and then over a step's hundreds of looks. The z-test (normal approximation of the difference of two
 * means) fits: the arms have at least minSamples answers (100 by default) whenever the check decides, and confidences
 * are bounded in [0, 1]. Without a known spread (no confidenceSpread) the bare threshold decides.
 */
export function performanceCheck(canary: ArmSnapshot, primary: ArmSnapshot, cfg: AnalysisConfig): Check {
  const mc = canary.meanConfidence as number;
  const mp = primary.meanConfidence as number;
  const limit = mp - cfg.maxPerformanceDrop;
  const base = { name: 'estimatedPerformance' as const, canary: mc, primary: mp, limit };
  const sc = canary.confidenceSpread;
  const sp = primary.confidenceSpread;
  if (sc === undefined || sp === undefined || sc.n === 0 || sp.n === 0) return { ...base, pass: mc >= limit, detail: 'mean confidence (expected accuracy)' };
  const se = Math.sqrt(sc.variance / sc.n + sp.variance / sp.n);
  const z = se > 0 ? (limit - mc) / se : mc < limit ? Infinity : -Infinity;
  const p = normalSf(z);
  return {
    ...base, pass: mc >= limit || p >= cfg.errorRateAlpha,
    detail: `mean confidence (expected accuracy); one-sided Welch z-test against the limit: z=${z.toFixed(3)}, p=${p.toExponential(2)} (fails when p < ${level(cfg.errorRateAlpha)} and below the limit)`,
  };
}

export function analyse(canary: ArmSnapshot, primary: ArmSnapshot, pair: PairSnapshot | null, cfg: AnalysisConfig = DEFAULT_ANALYSIS): Analysis {
  const samples = { canary: canary.n, primary: primary.n, pairs: pair?.n ?? 0 };
  const checks: Check[] = [];
  const rate = (a: ArmSnapshot): number | null => (a.n === 0 ? null : a.errors / a.n);
  const p = errorRateP(primary.errors, primary.n, canary.errors, canary.n);
  const er = { canary: rate(canary), primary: rate(primary) };
  const erWorse = er.canary !== null && er.primary !== null && er.canary - er.primary > cfg.maxErrorRateIncrease && p < cfg.errorRateAlpha;
  checks.push({ name: 'errorRate', ...er, limit: er.primary === null ? null : er.primary + cfg.maxErrorRateIncrease, pass: !erWorse, detail: `one-sided Fisher exact p=${p.toExponential(2)} (fails when p < ${level(cfg.errorRateAlpha)} and above the limit)` });
  checks.push(latencyCheck(canary, primary, cfg));
  if (pair !== null && pair.n > 0) {
    const d = pair.disagreements / pair.n;
    const pd = binomialSfAtLeast(pair.disagreements, pair.n, cfg.maxDisagreement);
    checks.push({
      name: 'disagreement', canary: d, primary: 0, limit: cfg.maxDisagreement, pass: pair.n < cfg.minSamples || pd >= cfg.errorRateAlpha,
      detail: `exact one-sided binomial test: ${pair.disagreements} of ${pair.n} paired answers differ against at most ${+(cfg.maxDisagreement * 100).toFixed(4)}%: `
        + `p=${pd.toExponential(2)} (fails when p < ${level(cfg.errorRateAlpha)})`,
    });
  }
  const drift = predictionDriftTest(primary, canary);
  if (drift !== null) {
    checks.push({
      name: 'drift', canary: drift.psi, primary: 0, limit: cfg.maxDrift, pass: drift.psi <= cfg.maxDrift || drift.p >= cfg.driftAlpha,
      detail: `PSI of the prediction distribution; chi-squared p=${drift.p.toExponential(2)} (fails when p < ${level(cfg.driftAlpha)} and above the limit)`,
    });
  }
  if (canary.meanConfidence !== null && primary.meanConfidence !== null) checks.push(performanceCheck(canary, primary, cfg));
  const insufficient = canary.n < cfg.minSamples || primary.n < cfg.minSamples;
  const fail = erWorse || (!insufficient && checks.some((c) => !c.pass));
  return { pass: !insufficient && checks.every((c) => c.pass), fail, insufficient, samples, checks };
}
