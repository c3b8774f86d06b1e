/**
 * The limiting Kolmogorov distribution (scipy.special.kolmogorov, scipy.stats.kstwobign.sf):
 * Pr(K > x) where K = lim sqrt(n) D_n. Two series, each converging fast on its side of x = 1:
 *   x >= 1:  Q(x) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 x^2)
 *   x <  1:  1 - Q(x) = sqrt(2 pi) / x sum_{k>=1} exp(-(2k-1)^2 pi^2 / (8 x^2))
 * A constant-time p-value (about 1e-16 absolute error), used where the statistic is approximate anyway.
 */
export function kolmogorovSf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) return 1;
  if (x < 1) {
    const t = (Math.PI * Math.PI) / (8 * x * x);
    let cdf = 0;
    for (let k = 1; k <= 8; k++) {
      const term = Math.exp(-(2 * k - 1) * (2 * k - 1) * t);
      cdf += term;
      if (term < 1e-17 * cdf) break;
    }
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / x) * cdf));
  }
  let sf = 0;
  for (let k = 1; k <= 20; k++) {
    const term = Math.exp(-2 * k * k * x * x);
    sf += k % 2 === 1 ? term : -term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * sf));
}

/** Two-sided two-sample KS p-value from the limiting distribution at effective size en = m n / (m + n). */
export function ksAsymptoticPValue(d: number, en: number): number {
  return kolmogorovSf(d * Math.sqrt(en));
}
