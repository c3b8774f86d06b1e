/**
 * Alpha spending over the repeated looks of a rollout step or bake period. Pure.
 *
 * The controller looks at every tick (5 s): a step of 10 min has 120 looks, a bake of 1 h 720. Each look at level
 * alpha is one more chance to roll back a version that is exactly at its objective, so the looks together must not
 * spend more than the configured alpha. Each look i at elapsed fraction t_i of the step (or bake period) tests at the
 * increment of a spending function, alpha(t_i) - alpha(t_(i-1)); by the union bound the chance that any look rejects a
 * version at its objective is at most the sum of the increments, which is at most alpha.
 *
 * The spending function: the looks before the end share a budget b = min(interimAlpha, alpha / 2), spent along
 * b * g(t) with g(t) = 0.9 * OBF(t) / b + 0.1 * t, where OBF is the Lan-DeMets O'Brien-Fleming-shaped function
 * 2 - 2 * Phi(z_(1 - b/2) / sqrt(t)) (almost nothing early, most near the end) and the 0.1 * t part spreads a tenth of
 * the budget evenly, so the first looks still have a level a version failing every request reaches (the OBF part alone
 * is 1e-280 at 5 s of a 1-h bake). The final look (the first at or after the end with enough samples) tests at what is
 * left, alpha - spent(t_prev) >= 0.9 * (alpha - b): with the default b = 0.001 of 0.01, at least 0.0081.
 *
 * A step whose end came before it had minSamples on both arms keeps looking until it has them (up to its
 * maxStepDurationMs): those looks are on a second stretch of the scale, t = 1 + u with u the elapsed fraction of the
 * waiting time allowed (maxStepDurationMs - stepDurationMs), and spend 0.1 * (alpha - b) evenly over it, so that a
 * broken canary is still rolled back while the step waits; the final look gets what is left.
 */

/** The share of the interim budget spread evenly over the step (the rest follows the O'Brien-Fleming shape). */
export const UNIFORM_SHARE = 0.1;
/** The share of what is left after the interim budget that the looks while a step waits for samples spend. */
export const WAITING_SHARE = 0.1;

/** erfc(x) for x >= 0 (Numerical Recipes' Chebyshev fit erfcc: relative error below 1.2e-7 everywhere). */
function erfcPos(x: number): number {
  const t = 1 / (1 + 0.5 * x);
  const poly = -x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807
    + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return t * Math.exp(poly);
}

/** Upper tail of the standard normal, 1 - Phi(z) (scipy.stats.norm.sf), relative error below 1.2e-7. */
export function normalSf(z: number): number {
  return z >= 0 ? 0.5 * erfcPos(z / Math.SQRT2) : 1 - 0.5 * erfcPos(-z / Math.SQRT2);
}

/** The z with 1 - Phi(z) = p, 0 < p < 1 (scipy.stats.norm.isf): Acklam's rational fit, then Newton steps on normalSf. */
export function normalIsf(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalIsf: p must be in (0, 1), got ${p}`);
  const q = 1 - p; // Phi(z) = q
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = Math.min(p, q);
  let z: number;
  if (lo < 0.02425) {
    const r = Math.sqrt(-2 * Math.log(lo));
    const v = (((((c[0]! * r + c[1]!) * r + c[2]!) * r + c[3]!) * r + c[4]!) * r + c[5]!) / ((((d[0]! * r + d[1]!) * r + d[2]!) * r + d[3]!) * r + 1);
    // v is the quantile of the smaller tail probability (negative): z is its mirror for an upper tail below 0.5
    z = p < 0.5 ? -v : v;
  } else {
    const s = q - 0.5;
    const r = s * s;
    z = (((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * s / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  }
  // Newton on log(sf) (well-conditioned in the far tail): d/dz log sf(z) = -pdf(z) / sf(z)
  for (let i = 0; i < 3; i++) {
    const sf = normalSf(z);
    const pdf = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
    if (sf <= 0 || pdf <= 0) break;
    z += (Math.log(sf) - Math.log(p)) * sf / pdf;
  }
  return z;
}

/**
 * Lan-DeMets O'Brien-Fleming-shaped spending of a one-sided level `alpha` at information fraction t:
 * 2 - 2 * Phi(z_(1 - alpha/2) / sqrt(t)); 0 at t <= 0, alpha at t >= 1.
 */
export function obrienFlemingSpent(t: number, alpha: number): number {
  if (t <= 0) return 0;
  if (t >= 1) return alpha;
  return 2 * normalSf(boundary(alpha) / Math.sqrt(t));
}

/**
 * z_(1 - alpha/2), kept per alpha: every look of every rollout asked for it again (six times a look of a canary step),
 * for the same few levels. CI time (2026-12-07).
 */
const boundaries = new Map<number, number>();
function boundary(alpha: number): number {
  let z = boundaries.get(alpha);
  if (z === undefined) {
    z = normalIsf(alpha / 2);
    // levels come from configuration (and what earlier series left of them): a few per server; bounded all the same
    if (boundaries.size >= 1024) boundaries.clear();
    boundaries.set(alpha, z);
  }
  return z;
}

/** One look of a series (a step or a bake period): the elapsed fractions of the previous look and this one. */
export interface Look {
  /** Elapsed fraction at the previous look of the series (0 for its first). */
  prev: number;
  /** Elapsed fraction now: up to 1 before the end, 1 + u (u up to 1) while a step waits for samples after its end. */
  t: number;
  /** The series' final look: the first at or after its end with enough samples. */
  final: boolean;
  /**
   * The elapsed fractions reached by the earlier series of the same step, each ended by a pause (its resume starts a new
   * series on fresh statistics): those looks spent their share already, and this series spends what they left (leftAfter).
   */
  earlier?: readonly number[];
}

/** The budget of the looks before the end: interimAlpha, at most half of alpha. */
export function interimBudget(alpha: number, interimAlpha: number): number {
  return Math.min(interimAlpha, alpha / 2);
}

/** Share of the interim budget spent by elapsed fraction t (0 at 0, 1 at 1). */
export function interimShare(t: number, budget: number): number {
  if (t <= 0) return 0;
  if (t >= 1) return 1;
  return (1 - UNIFORM_SHARE) * obrienFlemingSpent(t, budget) / budget + UNIFORM_SHARE * t;
}

/** What the looks of a series spend by t (0 to 2; see the module's comment). */
export function spentBy(alpha: number, interimAlpha: number, t: number): number {
  const b = interimBudget(alpha, interimAlpha);
  if (t <= 1) return b * interimShare(t, b);
  return b + WAITING_SHARE * (alpha - b) * Math.min(t - 1, 1);
}

/**
 * What is left of `alpha` after earlier series of looks that reached the elapsed fractions `earlier` (in order, none of
 * them final): each spent spentBy of what the ones before it had left, so all of them and the series to come together
 * spend at most alpha.
 */
export function leftAfter(alpha: number, interimAlpha: number, earlier: readonly number[]): number {
  let left = alpha;
  for (const t of earlier) left -= spentBy(left, interimAlpha, Math.min(Math.max(t, 0), 2));
  return Math.max(0, left);
}

/**
 * The level of one look: the increment of the spending function since the previous look (0 when time went back), or
 * for the final look what is left of alpha. The levels of a series' looks sum to at most alpha; with `look.earlier`, the
 * levels of the earlier series (before a pause) and of this one sum to at most alpha.
 */
export function lookLevel(configured: number, interimAlpha: number, look: Look): number {
  const alpha = leftAfter(configured, interimAlpha, look.earlier ?? []);
  const spent = spentBy(alpha, interimAlpha, look.prev);
  if (look.final) return alpha - spent;
  return Math.max(0, spentBy(alpha, interimAlpha, look.t) - spent);
}
