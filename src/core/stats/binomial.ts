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
  const pmf = (x: number): number => Math.exp(gammaln(n + 1) - gammaln(x + 1) - gammaln(n - x + 1) + x * Math.log(p) + (n - x) * Math.log1p(-p));
  const odds = p / (1 - p);
  if (k <= mode) {
    // At or below the mode the upper tail is near 1 and its first terms can underflow (1 of 100000 at 5% summed to 0):
    // 1 - P(X <= k - 1), summed down from its largest term.
    let low = pmf(k - 1);
    let lower = 0;
    for (let x = k - 1; x >= 0; x--) {
      lower += low;
      if (low <= lower * 1e-17) break;
      low *= x / ((n - x + 1) * odds);
    }
    return Math.min(1, Math.max(0, 1 - lower));
  }
  let term = pmf(k);
  let sum = 0;
  for (let x = k; x <= n; x++) {
    sum += term;
    if (x >= mode && term <= sum * 1e-17) break;
    term *= ((n - x) / (x + 1)) * odds;
  }
  return Math.min(1, sum);
}
