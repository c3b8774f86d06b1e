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
  let term = Math.exp(lnChoose(k, failuresB) + lnChoose(m - k, nB - failuresB) - lnChoose(m, nB));
  let sum = 0;
  for (let x = failuresB; x <= hi; x++) {
    sum += term;
    if (x >= mode && term <= sum * 1e-17) break;
    term *= ((k - x) * (nB - x)) / ((x + 1) * (m - k - nB + x + 1));
  }
  return Math.min(1, sum);
}
