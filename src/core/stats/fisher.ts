import gammaln from '@stdlib/math-base-special-gammaln';

const lnChoose = (n: number, k: number): number => gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1);

/**
 * One-sided Fisher exact test that the failure rate of B exceeds A's: P(X >= failuresB) with X hypergeometric
 * (population nA + nB, failuresA + failuresB failures, nB drawn), as
 * scipy.stats.fisher_exact([[failuresB, nB - failuresB], [failuresA, nA - failuresA]], alternative='greater').
 * Exact at every sample size, unlike the normal approximation, which at a handful of requests calls one failure
 * in three "p = 1e-13". Counts must be integers with 0 <= failures <= n.
 */
export function fisherGreaterP(failuresA: number, nA: number, failuresB: number, nB: number): number {
  const m = nA + nB;
  const k = failuresA + failuresB;
  const lo = Math.max(0, nB - (m - k));
  const hi = Math.min(k, nB);
  if (failuresB <= lo) return 1;
  if (failuresB > hi) return 0;
  const mode = Math.floor(((nB + 1) * (k + 1)) / (m + 2));
  const pmf = (x: number): number => Math.exp(lnChoose(k, x) + lnChoose(m - k, nB - x) - lnChoose(m, nB));
  if (failuresB <= mode) {
    // Below the mode the upper tail is near 1 and its first terms can underflow (a canary failing far less than the
    // primary at large counts summed to 0): 1 - P(X <= failuresB - 1), summed down from its largest term.
    let term = pmf(failuresB - 1);
    let lower = 0;
    for (let x = failuresB - 1; x >= lo; x--) {
      lower += term;
      if (term <= lower * 1e-17) break;
      term *= (x * (m - k - nB + x)) / ((k - x + 1) * (nB - x + 1));
    }
    return Math.min(1, Math.max(0, 1 - lower));
  }
  let term = pmf(failuresB);
  let sum = 0;
  for (let x = failuresB; x <= hi; x++) {
    sum += term;
    if (term <= sum * 1e-17) break;
    term *= ((k - x) * (nB - x)) / ((x + 1) * (m - k - nB + x + 1));
  }
  return Math.min(1, sum);
}
