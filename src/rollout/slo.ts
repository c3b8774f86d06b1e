import { interimAlphaOf, level, P95_TAIL, p95AboveP, type ArmSnapshot } from '../core/rollout/analysis.js';
import { lookLevel, type Look } from '../core/rollout/spending.js';
import { binomialSfAtLeast } from '../core/stats/binomial.js';
import { DEFAULT_SLO, type Rollout, type RolloutSlo } from './spec.js';

/**
 * An SLO breach of an arm with enough samples, as a sentence; null when within the objective. The error rate breaches
 * when it is above the objective and significantly so (exact binomial p < slo.errorRateAlpha): 3 failures in 50 at a
 * 5% objective happen to a version exactly at the objective almost half the time (p = 0.46). Likewise the p95 latency
 * breaches when significantly more than 5% of the requests are slower than slo.maxP95Ms (exact one-sided binomial
 * p < slo.errorRateAlpha; counted from the latency sketch's bins: see LatencyTail): the point p95 of 50 requests is
 * above the objective whenever 3 of them are, which a version whose p95 is right at it does 46% of the time.
 * `alpha` is the level of this look (default slo.errorRateAlpha): the controller passes the look's share of
 * slo.errorRateAlpha (sloLevel), so that the looks of a step or bake period together spend at most that.
 */
export function sloBreach(a: ArmSnapshot, slo: RolloutSlo, alpha = sloAlpha(slo)): string | null {
  if (a.n < slo.minSamples) return null;
  const rate = a.errors / a.n;
  const p = rate > slo.maxErrorRate ? binomialSfAtLeast(a.errors, a.n, slo.maxErrorRate) : 1;
  if (p < alpha) return `error rate ${(rate * 100).toFixed(2)}% > ${(slo.maxErrorRate * 100).toFixed(2)}% over ${a.n} requests (p=${p.toExponential(2)} < ${level(alpha)})`;
  const t = a.slowerThan(slo.maxP95Ms);
  const pl = p95AboveP(t);
  if (pl < alpha) {
    return `p95 latency above ${slo.maxP95Ms} ms: ${t.slower} of ${t.of} requests slower than ${+t.aboveMs.toFixed(1)} ms against at most ${P95_TAIL * 100}% `
      + `(exact one-sided binomial p=${pl.toExponential(2)} < ${level(alpha)}; point p95 ${a.p95Ms === null ? 'n/a' : `${a.p95Ms.toFixed(1)} ms`})`;
  }
  return null;
}

/** slo.errorRateAlpha; rollouts stored before the setting existed have none: the default. */
const sloAlpha = (slo: RolloutSlo): number => slo.errorRateAlpha ?? DEFAULT_SLO.errorRateAlpha as number;

/** The level of the SLO tests at one look of a rollout's step or bake period (its share of slo.errorRateAlpha). */
export function sloLevel(r: Pick<Rollout, 'slo' | 'analysis'>, look: Look): number {
  return lookLevel(sloAlpha(r.slo), interimAlphaOf(r.analysis), look);
}
