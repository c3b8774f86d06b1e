// Hand port of scipy 1.10.1's two-sample Kolmogorov-Smirnov test,
// scipy.stats.ks_2samp(data1, data2, alternative='two-sided', method='auto')
// (scipy/stats/_stats_py.py: ks_2samp, _attempt_exact_2kssamp, _compute_prob_outside_square;
// scipy/stats/_stats_pythran.py: _compute_outer_prob_inside_method). Ported by hand because no JS
// library implements the exact two-sample KS distribution, and drift p-values must match scipy.
//
// The statistic is computed by one merge over the two sorted samples, which yields exactly the
// values scipy obtains with searchsorted(side='right') over the concatenated data
// (count_a(<= v) / n1 - count_b(<= v) / n2 at every observed value v).

import { kstwoSf } from './kolmogorov.js';

export interface KsResult {
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymp';
}

const MAX_AUTO_N = 10000;

/** np.round (round half to even). */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const t = a % b;
    a = b;
    b = t;
  }
  return a;
}

function clip01(p: number): number {
  if (p < 0) return 0;
  if (p > 1) return 1;
  return p;
}

/** Pr(D_{n,n} >= h/n), Horner-like alternating series (scipy _compute_prob_outside_square). */
export function computeProbOutsideSquare(n: number, h: number): number {
  let P = 0.0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1.0;
    for (let j = 0; j < h; j++) {
      p1 = (n - k * h - j) * p1 / (n + k * h + j + 1);
    }
    P = p1 * (1.0 - P);
    k -= 1;
  }
  return 2 * P;
}

/**
 * Proportion of lattice paths from (0,0) to (m,n) that do not stay strictly inside
 * |x/m - y/n| < h/lcm(m,n) (scipy _compute_outer_prob_inside_method, Viehmann's 1-p recursion).
 */
export function computeOuterProbInsideMethod(m: number, n: number, g: number, h: number): number {
  if (m < n) [m, n] = [n, m];
  const mg = Math.floor(m / g);
  const ng = Math.floor(n / g);
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1.0);
  A.fill(0.0, minj, Math.min(maxj, lenA));
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.max(Math.floor((ng * i - h) / mg) + 1, 0);
    minj = Math.min(minj, n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1.0;
    let val = minj === 0 ? 0.0 : 1.0;
    const len = maxj - minj;
    const shift = minj - lastminj;
    if (len + shift > lenA) throw new Error('computeOuterProbInsideMethod: window out of range');
    for (let jj = 0; jj < len; jj++) {
      const j = jj + minj;
      val = ((A[jj + shift] as number) * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = len;
    if (lastlen > curlen) {
      A.fill(1, Math.min(curlen, lenA), Math.min(curlen + (lastlen - curlen), lenA));
    }
  }
  return A[maxj - minj - 1] as number;
}

/** scipy _attempt_exact_2kssamp for alternative='two-sided': [success, d, prob]. */
function attemptExact(n1: number, n2: number, g: number, d: number): [boolean, number, number] {
  const lcm = Math.floor(n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  d = h * 1.0 / lcm;
  if (h === 0) return [true, d, 1.0];
  const prob = n1 === n2 ? computeProbOutsideSquare(n1, h) : computeOuterProbInsideMethod(n1, n2, g, h);
  // Pythran/Python raise no floating-point errors here, so only the range check can fail.
  if (!(prob >= 0 && prob <= 1)) return [false, d, prob];
  return [true, d, prob];
}

/**
 * Two-sided two-sample KS test on samples that are already sorted ascending and contain no NaN
 * (equivalent to scipy.stats.ks_2samp(a, b) with method='auto').
 */
export function ks2sampSorted(a: Float64Array, b: Float64Array): KsResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new Error('ks2samp: data passed to ks_2samp must not be empty');

  // max and min of cdf1 - cdf2 over all observed values (merge over the sorted samples)
  let maxS = -Infinity;
  let minD = Infinity;
  let i = 0;
  let j = 0;
  while (i < n1 || j < n2) {
    let v: number;
    if (j >= n2) v = a[i] as number;
    else if (i >= n1) v = b[j] as number;
    else {
      const ai = a[i] as number;
      const bj = b[j] as number;
      v = ai <= bj ? ai : bj;
    }
    while (i < n1 && (a[i] as number) <= v) i++;
    while (j < n2 && (b[j] as number) <= v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxS) maxS = diff;
    if (diff < minD) minD = diff;
  }
  const minS = clip01(-minD);
  let d = minS > maxS ? minS : maxS;

  const g = gcd(n1, n2);
  let method: 'exact' | 'asymp' = Math.max(n1, n2) <= MAX_AUTO_N ? 'exact' : 'asymp';
  let prob = -Infinity;
  if (method === 'exact') {
    const [success, dq, p] = attemptExact(n1, n2, g, d);
    d = dq;
    prob = p;
    if (!success) method = 'asymp';
  }
  if (method === 'asymp') {
    const m = Math.max(n1, n2);
    const n = Math.min(n1, n2);
    const en = m * n / (m + n);
    prob = kstwoSf(d, roundHalfEven(en));
  }
  return { statistic: d, pValue: Number.isNaN(prob) ? prob : clip01(prob), method };
}

/** ks2sampSorted on arbitrary input: drops NaN, copies and sorts. */
export function ks2samp(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  return ks2sampSorted(sortedFinite(a), sortedFinite(b));
}

function sortedFinite(x: ArrayLike<number>): Float64Array {
  let count = 0;
  for (let k = 0; k < x.length; k++) if (!Number.isNaN(x[k])) count++;
  const out = new Float64Array(count);
  let w = 0;
  for (let k = 0; k < x.length; k++) {
    const v = x[k] as number;
    if (!Number.isNaN(v)) out[w++] = v;
  }
  return out.sort();
}
