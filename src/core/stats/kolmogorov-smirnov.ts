// Hand port of scipy 1.10.1's scipy.special.smirnov (scipy/special/cephes/kolmogorov.c, by Paul
// van Mulbregt): the survival function of the one-sided Kolmogorov-Smirnov statistic D_n^+.
// Ported by hand because no JS library reproduces scipy's Kolmogorov-Smirnov distributions and
// the project needs scipy-identical p-values (see kolmogorov.ts).
//
// The summation follows cephes exactly (double-double terms, binomial kept as mantissa/exponent,
// same early termination). The only deviation: for n > SMIRNOV_FAST_MIN_N the terms of the lower
// (Birnbaum-Tingey) sum are evaluated in plain double precision through a numerically stable
// form (Loader's saddle-point binomial and log1p), because the double-double loop costs ~1 us per
// term and the sum needs ~n terms (scipy itself takes 0.5 s for n = 500000). The fast terms have
// a relative error ~1e-13, which is checked against the double-double path in kolmogorov.test.ts
// and against scipy in the golden tests.

import gammaln from '@stdlib/math-base-special-gammaln';
import {
  type DD, DD_ONE, DD_ZERO, addDD, addDD_d, addDd, divDD, divDD_d, divDd, ddFloor, ddFrexp, ddInv,
  ddLdexp, ldexp, mulDD, mulD_DD, mulDd, subDD, subDD_d,
} from './kolmogorov-dd.js';

const DBL_EPSILON = 2.220446049250313e-16;
const DBL_MANT_DIG = 53;
const MINLOG = -745.1332191019412; // cephes MINLOG (DENORMAL build) = log(2^-1075)
const SMIRNOV_MAX_COMPUTE_N = 1000000;
const SM_UPPER_MAX_TERMS = 3;
const SM_UPPERSUM_MIN_N = 10;
const MAX_EXPONENT = 960;

/** Above this n the lower-sum terms are computed in double precision (see header). */
export const SMIRNOV_FAST_MIN_N = 5000;

function nextPowerOf2(x: number): number {
  const q = ldexp(x, 1 - DBL_MANT_DIG);
  let L = Math.abs(q + x);
  if (L === 0) {
    L = Math.abs(x);
  } else {
    const Lint = Math.trunc(L);
    if (Lint === L) L = Lint;
  }
  return L;
}

/** pow_D: a^m for a double-double a, trading accuracy for speed with pow() as cephes does. */
function powD(a: DD, m: number): DD {
  if (m <= 0) {
    if (m === 0) return DD_ONE;
    return ddInv(powD(a, -m));
  }
  if (a.hi === 0) return DD_ZERO;
  const ans = Math.pow(a.hi, m);
  const r = a.lo / a.hi;
  let adj = m * r;
  if (Math.abs(adj) > 1e-8) {
    if (Math.abs(adj) < 1e-4) {
      adj += (m * r) * ((m - 1) / 2.0 * r);
    } else {
      adj = Math.expm1(m * Math.log1p(r));
    }
  }
  return addDd(ans, ans * adj);
}

function pow2dd(a: number, b: number, m: number): number {
  return powD(addDd(a, b), m).hi;
}

/** pow2Scaled_D: a^m as [significand, exponent]. */
function pow2ScaledD(a: DD, m: number): [DD, number] {
  let maxExpt = MAX_EXPONENT;
  if (m <= 0) {
    if (m === 0) return [DD_ONE, 0];
    const [ans1, aE1] = pow2ScaledD(a, -m);
    const [ans2, aE2] = ddFrexp(ddInv(ans1));
    return [ans2, -aE1 + aE2];
  }
  const [y, yE] = ddFrexp(a);
  if (m === 1) return [y, yE];
  if (m * (y.hi - 1) / y.hi < -MAX_EXPONENT * Math.LN2) {
    const lg2y = Math.log(y.hi) / Math.LN2;
    const lgAns = m * lg2y;
    if (lgAns <= -MAX_EXPONENT) {
      maxExpt = Math.trunc(nextPowerOf2(-MAX_EXPONENT / lg2y + 1) / 2);
    }
  }
  if (m <= maxExpt) {
    const ans1 = powD(y, m);
    const [ans, ansE0] = ddFrexp(ans1);
    return [ans, ansE0 + m * yE];
  }
  const q = Math.trunc(m / maxExpt);
  const r = m % maxExpt;
  const [y2r, y2rE] = pow2ScaledD(y, r);
  const [y2m, y2mE] = pow2ScaledD(y, maxExpt);
  const [y2mq, y2mqE0] = pow2ScaledD(y2m, q);
  const [ans, ansE0] = ddFrexp(mulDD(y2r, y2mq));
  const y2mqE = y2mqE0 + y2mE * q;
  return [ans, ansE0 + y2mqE + y2rE + m * yE];
}

/** pow4_D: ((a+b)/(c+d))^m */
function pow4D(a: number, b: number, c: number, d: number, m: number): DD {
  if (m <= 0) {
    if (m === 0) return DD_ONE;
    return pow4D(c, d, a, b, -m);
  }
  const A = addDd(a, b);
  const C = addDd(c, d);
  if (A.hi === 0) return C.hi === 0 ? { hi: NaN, lo: NaN } : DD_ZERO;
  if (C.hi === 0) return A.hi < 0 ? { hi: -Infinity, lo: -Infinity } : { hi: Infinity, lo: Infinity };
  return powD(divDD(A, C), m);
}

/** A_v(n, x) = Binomial(n,v) * (1-x-v/n)^(n-v) * (x+v/n)^(v-1), double-double. */
function computeAv(n: number, x: number, v: number, Cman: DD, Cexpt: number): DD {
  const t2x = subDD_d(divDd(n - v, n), x);
  const [t2, t2E] = pow2ScaledD(t2x, n - v);
  const t1x = addDD_d(divDd(v, n), x);
  const [t1, t1E] = pow2ScaledD(t1x, v - 1);
  let ans = mulDD(t1, t2);
  ans = mulDD(ans, Cman);
  return ddLdexp(ans, Cexpt + t1E + t2E);
}

// --- fast double-precision terms (n > SMIRNOV_FAST_MIN_N only) --------------------------------

const LN_SQRT_2PI = 0.9189385332046728;
const TWO_PI = 2 * Math.PI;

/** Loader's stirlerr(k) = log(k!) - log(sqrt(2 pi k) (k/e)^k) for integer k >= 1. */
function stirlerr(k: number): number {
  if (k <= 15) return gammaln(k + 1) - (k + 0.5) * Math.log(k) + k - LN_SQRT_2PI;
  const S0 = 1 / 12;
  const S1 = 1 / 360;
  const S2 = 1 / 1260;
  const S3 = 1 / 1680;
  const S4 = 1 / 1188;
  const k2 = k * k;
  if (k > 500) return (S0 - S1 / k2) / k;
  if (k > 80) return (S0 - (S1 - S2 / k2) / k2) / k;
  if (k > 35) return (S0 - (S1 - (S2 - S3 / k2) / k2) / k2) / k;
  return (S0 - (S1 - (S2 - (S3 - S4 / k2) / k2) / k2) / k2) / k;
}

/**
 * A_v(n, x) in double precision, as
 *   C(n,v) s^v (1-s)^(n-v) * (n/v) * (1 + x/s)^(v-1) * (1 - x/(1-s))^(n-v),  s = v/n,
 * where the first factor (a binomial probability at its mean) is
 *   sqrt(n / (2 pi v (n-v))) * exp(stirlerr(n) - stirlerr(v) - stirlerr(n-v)).
 * All exponents stay O(n x), so the relative error is ~ n x * 1e-16.
 */
function fastAv(n: number, x: number, v: number, nx: number, stN: number): number {
  const w = n - v;
  const iv = 1 / v;
  const iw = 1 / w;
  const e = stN - stirlerrInv(v, iv) - stirlerrInv(w, iw)
    + (v - 1) * Math.log1p(nx * iv) + w * Math.log1p(-nx * iw);
  const pre = Math.sqrt(n * iv * iw / TWO_PI) * (n * iv);
  if (e < -700 && e > -1400) {
    tinyTerm = pre * Math.exp(e + TINY_SCALE * Math.LN2);
    return TINY_FLAG;
  }
  return pre * Math.exp(e);
}

/** stirlerr(k) given ik = 1/k (avoids divisions in the hot loop). */
function stirlerrInv(k: number, ik: number): number {
  if (k <= 500) return stirlerr(k);
  return (1 / 12 - (1 / 360) * ik * ik) * ik;
}

const TINY_SCALE = 600;
const TINY_FLAG = -1;
let tinyTerm = 0;

// --- smirnov -----------------------------------------------------------------------------------

/**
 * scipy.special.smirnov(n, x): Pr(D_n^+ >= x). `fastMinN` (tests only) moves the switch-over to
 * the double-precision terms.
 */
export function smirnov(n: number, x: number, fastMinN = SMIRNOV_FAST_MIN_N): number {
  if (Number.isNaN(x)) return NaN;
  if (!(n > 0 && x >= 0.0 && x <= 1.0)) return NaN;
  if (n === 1) return 1 - x;
  if (x === 0.0) return 1.0;
  if (x === 1.0) return 0.0;

  // modNX: floor(n*x) and remainder, exactly
  const nxD = mulDd(n, x);
  const nxfloorD = ddFloor(nxD);
  let alpha = subDD(nxD, nxfloorD).hi;
  let nxfl = Math.trunc(nxfloorD.hi);
  if (alpha === 1) {
    nxfl += 1;
    alpha = 0;
  }
  let n1mxfl = n - nxfl - (alpha === 0 ? 0 : 1);
  let n1mxceil = n - nxfl;
  if (alpha === 0) {
    n1mxfl -= 1;
    n1mxceil += 1;
  }

  // Special case: x <= 1/n
  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) {
    const t = pow2dd(1, x, n - 1);
    const cdf = x * t;
    return 1 - cdf;
  }
  // Special case: x so big the sf underflows
  if (-2 * n * x * x < MINLOG) return 0;
  // Special case: x >= 1 - 1/n
  if (nxfl >= n - 1) return pow2dd(1, -x, n);
  // Special case: n too big to compute
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    const logp = -Math.pow(6.0 * n * x + 1, 2) / 18.0 / n;
    let sf: number;
    if (logp < -Math.LN2) {
      sf = Math.exp(logp);
    } else {
      const cdf = -Math.expm1(logp);
      sf = 1 - cdf;
    }
    return sf;
  }

  const nUpperTerms = n - n1mxceil + 1;
  let bUseUpperSum = nUpperTerms <= 1 && x < 0.5;
  bUseUpperSum = bUseUpperSum
    || (n >= SM_UPPERSUM_MIN_N && nUpperTerms <= SM_UPPER_MAX_TERMS && x <= 0.5 / Math.sqrt(n));

  let start = 0;
  let step = 1;
  let nTerms = n1mxfl + 1;
  const vmid = Math.trunc(n / 2);
  let Cman = DD_ONE;
  let Cexpt = 0;
  let Aj: DD;
  let AjSum = DD_ZERO;

  if (bUseUpperSum) {
    start = n;
    step = -1;
    nTerms = n - n1mxceil + 1;
    Aj = pow4D(1, x, 1, 0, n - 1);
  } else {
    const t2 = pow4D(1, -x, 1, 0, n);
    Aj = divDD_d(t2, x);
  }
  AjSum = addDD(AjSum, Aj);

  const fast = !bUseUpperSum && n > fastMinN;
  if (fast) {
    // Same terms and stopping rule as below, in double precision, with compensated summation.
    // Terms whose exponent would underflow are accumulated scaled by 2^TINY_SCALE (scipy keeps
    // them as subnormal double-doubles; this keeps results down to ~1e-320 comparable).
    let sum = AjSum.hi;
    let comp = AjSum.lo;
    let tiny = 0;
    const stN = stirlerr(n);
    const nx = n * x;
    for (let j = 1; j < nTerms; j += 1) {
      const a = fastAv(n, x, j, nx, stN);
      if (a === TINY_FLAG) {
        tiny += tinyTerm;
        continue;
      }
      if (Number.isFinite(a) && a !== 0) {
        const s = sum + a;
        comp += Math.abs(sum) >= Math.abs(a) ? (sum - s) + a : (a - s) + sum;
        sum = s;
      }
      if (a !== 0) {
        if (4 * (nTerms - j) * Math.abs(a) < DBL_EPSILON * sum && j !== nTerms - 1) break;
      } else if (j > vmid) {
        break;
      }
    }
    AjSum = addDD(addDd(sum, comp), { hi: ldexp(tiny, -TINY_SCALE), lo: 0 });
  } else {
    let [cm, ce] = updateBinomial(Cman, Cexpt, n, 0);
    Cman = cm;
    Cexpt = ce;
    for (let j = 1; j < nTerms; j += 1) {
      const v = start + j * step;
      Aj = computeAv(n, x, v, Cman, Cexpt);
      const finite = Number.isFinite(Aj.hi);
      if (finite && Aj.hi !== 0) {
        AjSum = addDD(AjSum, Aj);
      }
      if (Aj.hi !== 0) {
        if (4 * (nTerms - j) * Math.abs(Aj.hi) < DBL_EPSILON * AjSum.hi && j !== nTerms - 1) break;
      } else if (j > vmid) {
        break;
      }
      [cm, ce] = updateBinomial(Cman, Cexpt, n, j);
      Cman = cm;
      Cexpt = ce;
    }
  }

  const prob = mulD_DD(x, AjSum).hi;
  let sf = step < 0 ? 1 - prob : prob;
  // CLIP(sf, 0, 1)
  sf = sf < 0 ? 0 : Math.min(sf, 1);
  return sf;
}

function updateBinomial(Cman: DD, Cexpt: number, n: number, j: number): [DD, number] {
  const rat = divDd(n - j, j + 1.0);
  const man2 = mulDD(Cman, rat);
  const [m, expt] = ddFrexp(man2);
  return [m, Cexpt + expt];
}
