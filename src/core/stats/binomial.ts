import gammaln from '@stdlib/math-base-special-gammaln';

/**
 * P(X >= k) for X ~ Binomial(n, p), as scipy.stats.binom.sf(k - 1, n, p): the one-sided exact p-value of k or more
 * failures in n trials when the true failure rate is p. Integers 0 <= k <= n, 0 <= p <= 1.
 */
export function binomialSfAtLeast(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n || p <= 0) return 0;
  if (p >= 1) return 1;
  const mode = Math.floor((n + 1) * p);
  let term = Math.exp(gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p));
  const odds = p / (1 - p);
  let sum = 0;
  for (let x = k; x <= n; x++) {
    sum += term;
    if (x >= mode && term <= sum * 1e-17) break;
    term *= ((n - x) / (x + 1)) * odds;
  }
  return Math.min(1, sum);
}
