// Hand port of scipy 1.10.1's two-sided one-sample Kolmogorov-Smirnov distribution
// (scipy/stats/_ksstats.py: _kolmogn and its Durbin/Marsaglia-Tsang-Wang, Pomeranz, Pelz-Good,
// Ruben-Gambino and Smirnov-based branches, selected as in Simard & L'Ecuyer 2011), exposed as
// kstwoSf(d, n) == scipy.stats.kstwo.sf(d, n). Ported by hand because no JS library implements
// these distributions, and ks_2samp's asymptotic p-value must match scipy to 1e-9.
//
// Known, tolerated differences from scipy (all far below the 1e-9 tolerance):
//  * scipy multiplies matrices with BLAS and convolves with BLAS dot products; we use plain
//    loops (different summation order, ~1e-16 relative).
//  * scipy's _EP128/_EM128 are np.longdouble, so after the first rescaling some products in the
//    DMTW / Pomeranz branches run in 80-bit extended precision; here they stay in double.
//  * libm pow/exp/log vs V8's fdlibm ports (<= 1 ulp).

import { smirnov } from './kolmogorov-smirnov.js';
import { ldexp } from './kolmogorov-dd.js';
import { kolmognPomeranz } from './kolmogorov-pomeranz.js';

export { kolmognPomeranz };

const E128 = 128;
const EP128 = 3.402823669209385e+38; // 2^128
const EM128 = 2.938735877055719e-39; // 2^-128

const SQRT2PI = Math.sqrt(2 * Math.PI);
const LOG_2PI = Math.log(2 * Math.PI);
const MIN_LOG = -708;
const SQRT3 = Math.sqrt(3);
const PI_SQUARED = Math.PI ** 2;
const PI_FOUR = Math.PI ** 4;
const PI_SIX = Math.PI ** 6;

// scipy's _STIRLING_COEFFS (B_2j / (2j (2j-1)), j = 8..1), written as the doubles they parse to.
const STIRLING_COEFFS = [-0.029550653594771242, 0.00641025641025641,
  -0.0019175269175269176, 0.0008417508417508417,
  -0.0005952380952380953, 0.0007936507936507937,
  -0.002777777777777778, 0.08333333333333333];

function clip01(p: number): number {
  // np.clip(p, 0, 1) (NaN propagates)
  if (p < 0) return 0;
  if (p > 1) return 1;
  return p;
}

function polyval(coeffs: readonly number[], x: number): number {
  let y = 0;
  for (const c of coeffs) y = y * x + c;
  return y;
}

/** log(n! / n^n) via Stirling, with n*log(n) removed up-front. */
function logNfactorialDivNPowN(n: number): number {
  const rn = 1.0 / n;
  return Math.log(n) / 2 - n + LOG_2PI / 2 + rn * polyval(STIRLING_COEFFS, rn / n);
}

/** numpy's pairwise summation as used by np.sum / np.add.reduce on a contiguous float64 array. */
function pairwiseSum(a: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i] as number;
    return res;
  }
  if (n <= 128) {
    const r = new Float64Array(8);
    for (let k = 0; k < 8; k++) r[k] = a[start + k] as number;
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let k = 0; k < 8; k++) r[k] = (r[k] as number) + (a[start + i + k] as number);
    }
    let res = (((r[0] as number) + (r[1] as number)) + ((r[2] as number) + (r[3] as number)))
      + (((r[4] as number) + (r[5] as number)) + ((r[6] as number) + (r[7] as number)));
    for (; i < n; i++) res += a[start + i] as number;
    return res;
  }
  let n2 = Math.trunc(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/** np.sum(a) for a 1-d float64 array: first element, then the pairwise sum of the rest. */
function npSum(a: ArrayLike<number>): number {
  if (a.length === 0) return 0;
  return (a[0] as number) + pairwiseSum(a, 1, a.length - 1);
}

/** Pr(D_n <= d) by the Durbin matrix algorithm, Marsaglia-Tsang-Wang variant. */
export function kolmognDMTW(n: number, d: number): number {
  if (d >= 1.0) return 1.0;
  const nd = n * d;
  if (nd <= 0.5) return 0.0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;

  let H = new Float64Array(m * m);
  const v = new Float64Array(m);
  const w = new Float64Array(m);
  for (let j = 1; j <= m; j++) v[j - 1] = 1.0 - Math.pow(h, j);
  let fac = 1.0;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (v[j - 1] as number) * fac;
  }
  const base = 2 * h - 1.0;
  const tt = (base > 0 ? Math.pow(base, m) : 0) - 2 * Math.pow(h, m);
  v[m - 1] = (1.0 + tt) * fac;

  for (let i = 1; i < m; i++) {
    for (let r = i - 1; r < m; r++) H[r * m + i] = w[r - (i - 1)] as number;
  }
  for (let r = 0; r < m; r++) H[r * m] = v[r] as number;
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c] as number;

  // Only row k-1 of Hpwr is ever read, and Hpwr starts as the identity, so track that row.
  let row = new Float64Array(m);
  row[k - 1] = 1;
  let nn = n;
  let expnt = 0;
  let Hexpnt = 0;
  let tmp = new Float64Array(m * m);
  while (nn > 0) {
    if (nn % 2) {
      const nr = new Float64Array(m);
      for (let l = 0; l < m; l++) {
        const rl = row[l] as number;
        if (rl === 0) continue;
        const off = l * m;
        for (let c = 0; c < m; c++) nr[c] = (nr[c] as number) + rl * (H[off + c] as number);
      }
      row = nr;
      expnt += Hexpnt;
    }
    nn = Math.floor(nn / 2);
    if (nn === 0) break; // scipy squares once more, but the result is never used
    // H = H @ H
    tmp.fill(0);
    for (let i = 0; i < m; i++) {
      const io = i * m;
      for (let l = 0; l < m; l++) {
        const hil = H[io + l] as number;
        if (hil === 0) continue;
        const lo = l * m;
        for (let c = 0; c < m; c++) tmp[io + c] = (tmp[io + c] as number) + hil * (H[lo + c] as number);
      }
    }
    const t = H;
    H = tmp;
    tmp = t;
    Hexpnt *= 2;
    if (Math.abs(H[(k - 1) * m + (k - 1)] as number) > EP128) {
      for (let i = 0; i < m * m; i++) H[i] = (H[i] as number) / EP128;
      Hexpnt += E128;
    }
  }

  let p = row[k - 1] as number;
  for (let i = 1; i <= n; i++) {
    p = i * p / n;
    if (Math.abs(p) < EM128) {
      p *= EP128;
      expnt -= E128;
    }
  }
  if (expnt !== 0) p = ldexp(p, expnt);
  return clip01(p);
}

/** Pelz-Good approximation to Pr(D_n <= x) (unclipped, as scipy). */
export function kolmognPelzGood(n: number, x: number): number {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const z = Math.sqrt(n) * x;
  const zsquared = z ** 2;
  const zthree = z ** 3;
  const zfour = z ** 4;
  const zsix = z ** 6;

  const qlog = -PI_SQUARED / 8 / zsquared;
  if (qlog < MIN_LOG) return 0.0;
  let q = Math.exp(qlog);

  const k1a = -zsquared;
  const k1b = PI_SQUARED / 4;
  const k2a = 6 * zsix + 2 * zfour;
  const k2b = (2 * zfour - 5 * zsquared) * PI_SQUARED / 4;
  const k2c = PI_FOUR * (1 - 2 * zsquared) / 16;
  const k3d = PI_SIX * (5 - 30 * zsquared) / 64;
  const k3c = PI_FOUR * (-60 * zsquared + 212 * zfour) / 16;
  const k3b = PI_SQUARED * (135 * zfour - 96 * zsix) / 4;
  const k3a = -30 * zsix - 90 * z ** 8;

  const K = [0, 0, 0, 0];
  const maxk = Math.ceil(16 * z / Math.PI);
  for (let k = maxk; k > 0; k--) {
    const m = 2 * k - 1;
    const msquared = m ** 2;
    const mfour = m ** 4;
    const msix = m ** 6;
    const qpower = Math.pow(q, 8 * k);
    const c0 = 1.0;
    const c1 = k1a + k1b * msquared;
    const c2 = k2a + k2b * msquared + k2c * mfour;
    const c3 = k3a + k3b * msquared + k3c * mfour + k3d * msix;
    K[0] = (K[0] as number) * qpower + c0;
    K[1] = (K[1] as number) * qpower + c1;
    K[2] = (K[2] as number) * qpower + c2;
    K[3] = (K[3] as number) * qpower + c3;
  }
  const div = [z, 6 * zfour, 72 * z ** 7, 6480 * z ** 10];
  for (let i = 0; i < 4; i++) K[i] = ((K[i] as number) * q * SQRT2PI) / (div[i] as number);

  q = Math.exp(-PI_SQUARED / 2 / zsquared);
  const sqrt3z = SQRT3 * z;
  const t2 = new Float64Array(maxk);
  const t3 = new Float64Array(maxk);
  for (let idx = 0; idx < maxk; idx++) {
    const ks = maxk - idx;
    const ksquared = ks ** 2;
    const kspi = Math.PI * ks;
    const qp = Math.pow(q, ksquared);
    t2[idx] = ksquared * qp;
    t3[idx] = (sqrt3z + kspi) * (sqrt3z - kspi) * ksquared * qp;
  }
  let k2extra = npSum(t2);
  k2extra *= PI_SQUARED * SQRT2PI / (-36 * zthree);
  K[2] = (K[2] as number) + k2extra;
  let k3extra = npSum(t3);
  k3extra *= PI_SQUARED * SQRT2PI / (216 * zsix);
  K[3] = (K[3] as number) + k3extra;
  const nf = n * 1.0;
  const powers = [1, Math.pow(nf, 0.5), Math.pow(nf, 1), Math.pow(nf, 1.5)];
  for (let i = 0; i < 4; i++) K[i] = (K[i] as number) / (powers[i] as number);
  // Python's sum() adds left to right starting from 0.
  return 0 + (K[0] as number) + (K[1] as number) + (K[2] as number) + (K[3] as number);
}

/** _kolmogn(n, x, cdf): CDF (or SF) of the two-sided one-sample KS statistic D_n. */
export function kolmogn(n: number, x: number, cdf: boolean): number {
  if (Number.isNaN(n)) return n;
  if (Math.trunc(n) !== n || n <= 0) return NaN;
  const sel = (c: number, s: number): number => clip01(cdf ? c : s);
  if (x >= 1.0) return sel(1.0, 0.0);
  if (x <= 0.0) return sel(0.0, 1.0);
  const t = n * x;
  if (t <= 1.0) {
    if (t <= 0.5) return sel(0.0, 1.0);
    let prob: number;
    if (n <= 140) {
      const f = 2 * t - 1;
      const inv = 1.0 / n;
      prob = 1 * inv * f;
      for (let k = 2; k <= n; k++) prob *= k * inv * f;
    } else {
      prob = Math.exp(logNfactorialDivNPowN(n) + n * Math.log(2 * t - 1));
    }
    return sel(prob, 1.0 - prob);
  }
  if (t >= n - 1) {
    const prob = 2 * Math.pow(1.0 - x, n);
    return sel(1 - prob, prob);
  }
  if (x >= 0.5) {
    const prob = 2 * smirnov(n, x);
    return sel(1.0 - prob, prob);
  }
  const nxsquared = t * x;
  if (n <= 140) {
    if (nxsquared <= 0.754693) {
      const prob = kolmognDMTW(n, x);
      return sel(prob, 1.0 - prob);
    }
    if (nxsquared <= 4) {
      const prob = kolmognPomeranz(n, x);
      return sel(prob, 1.0 - prob);
    }
    const prob = 2 * smirnov(n, x);
    return sel(1.0 - prob, prob);
  }
  if (!cdf) {
    if (nxsquared >= 370.0) return 0.0;
    if (nxsquared >= 2.2) return clip01(2 * smirnov(n, x));
  }
  let cdfprob: number;
  if (nxsquared >= 18.0) cdfprob = 1.0;
  else if (n <= 100000 && n * x ** 1.5 <= 1.4) cdfprob = kolmognDMTW(n, x);
  else cdfprob = kolmognPelzGood(n, x);
  return sel(cdfprob, 1.0 - cdfprob);
}

/**
 * scipy.stats.kstwo.sf(d, n): Pr(D_n >= d) for the two-sided one-sample KS statistic.
 * Mirrors rv_continuous.sf: NaN for invalid n or d, 1 for d <= 0.5/n (lower support bound),
 * 0 for d >= 1.
 */
export function kstwoSf(d: number, n: number): number {
  if (!(n >= 1) || n !== Math.round(n) || Number.isNaN(d)) return NaN;
  if (d <= 0.5 / n) return 1.0;
  if (!(d < 1.0)) return 0.0;
  return kolmogn(n, d, false);
}
