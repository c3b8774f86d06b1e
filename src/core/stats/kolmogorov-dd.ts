// Hand port of the double-double arithmetic that scipy 1.10.1 uses for scipy.special.smirnov
// (scipy/special/cephes/dd_idefs.h and dd_real_idefs.h, derived from the QD library by Hida, Li
// and Bailey), plus exact C-style frexp/ldexp. Ported by hand because no JS library provides
// scipy's Kolmogorov-Smirnov distributions; see kolmogorov.ts.
//
// A double-double is an unevaluated sum hi + lo with |lo| <= ulp(hi)/2. Only the operations
// needed by kolmogorov-smirnov.ts are ported; the error-free transforms are the non-FMA variants
// (scipy's x86-64 builds do not define FP_FAST_FMA; both variants give the exact error anyway).

export interface DD {
  hi: number;
  lo: number;
}

export const DD_ONE: DD = { hi: 1, lo: 0 };
export const DD_ZERO: DD = { hi: 0, lo: 0 };

const SPLITTER = 134217729.0; // 2^27 + 1
const SPLIT_THRESH = 6.69692879491417e299; // 2^996

// --- exact frexp / ldexp (C semantics) -------------------------------------------------------

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = 1; // little-endian word order (x86-64, arm64)

/** 2^k for integer k in [-1074, 1023], exact. */
export function pow2(k: number): number {
  if (k >= -1022) {
    f64[0] = 0;
    u32[HI] = (k + 1023) << 20;
    u32[0] = 0;
    return f64[0];
  }
  return pow2(k + 60) * pow2(-60);
}

/** C frexp: returns [m, e] with x = m * 2^e and 0.5 <= |m| < 1 (m = x, e = 0 for 0, inf, nan). */
export function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let e = 0;
  if (Math.abs(x) < 2.2250738585072014e-308) {
    x *= 18446744073709551616; // 2^64
    e = -64;
  }
  f64[0] = x;
  const hw = u32[HI] as number;
  e += ((hw >>> 20) & 0x7ff) - 1022;
  u32[HI] = (hw & 0x800fffff) | (1022 << 20);
  return [f64[0], e];
}

/** C ldexp: x * 2^e with a single rounding. */
export function ldexp(x: number, e: number): number {
  if (x === 0 || !Number.isFinite(x) || e === 0) return x;
  const [m, ex] = frexp(x);
  const E = ex + e; // x = m * 2^E, 0.5 <= |m| < 1
  if (E > 1024) return m > 0 ? Infinity : -Infinity;
  if (E >= -1021) return (m * 2) * pow2(E - 1);
  if (E < -2095) return m > 0 ? 0 : -0;
  // m * 2^-1021 is a normal number (exact); the second product rounds once.
  return (m * pow2(-1021)) * pow2(E + 1021);
}

// --- error-free transforms ------------------------------------------------------------------
// Two-output helpers write the error term into `err` (module scratch) to avoid allocations.

let err = 0;

function quickTwoSum(a: number, b: number): number {
  const s = a + b;
  const c = s - a;
  err = b - c;
  return s;
}

function twoSum(a: number, b: number): number {
  const s = a + b;
  const c = s - a;
  const d = b - c;
  const e = s - c;
  err = (a - e) + d;
  return s;
}

function twoDiff(a: number, b: number): number {
  const s = a - b;
  const c = s - a;
  const d = b + c;
  const e = s - c;
  err = (a - e) - d;
  return s;
}

let splitHi = 0;
let splitLo = 0;

function twoSplit(a: number): void {
  if (a > SPLIT_THRESH || a < -SPLIT_THRESH) {
    a *= 3.7252902984619140625e-9; // 2^-28
    const temp = SPLITTER * a;
    const tempma = temp - a;
    splitHi = temp - tempma;
    splitLo = a - splitHi;
    splitHi *= 268435456.0; // 2^28
    splitLo *= 268435456.0;
  } else {
    const temp = SPLITTER * a;
    const tempma = temp - a;
    splitHi = temp - tempma;
    splitLo = a - splitHi;
  }
}

function twoProd(a: number, b: number): number {
  const p = a * b;
  twoSplit(a);
  const aHi = splitHi;
  const aLo = splitLo;
  twoSplit(b);
  const bHi = splitHi;
  const bLo = splitLo;
  const c = aHi * bHi - p;
  const d = c + aHi * bLo + aLo * bHi;
  err = d + aLo * bLo;
  return p;
}

// --- double-double operations ---------------------------------------------------------------

export function dd(hi: number, lo = 0): DD {
  return { hi, lo };
}

export function ddNeg(a: DD): DD {
  return { hi: -a.hi, lo: -a.lo };
}

/** dd_add_d_d */
export function addDd(a: number, b: number): DD {
  const s = twoSum(a, b);
  return { hi: s, lo: err };
}

/** dd_add_dd_d */
export function addDD_d(a: DD, b: number): DD {
  let s1 = twoSum(a.hi, b);
  let s2 = err;
  s2 += a.lo;
  s1 = quickTwoSum(s1, s2);
  return { hi: s1, lo: err };
}

/** dd_ieee_add (dd_add) */
export function addDD(a: DD, b: DD): DD {
  let s1 = twoSum(a.hi, b.hi);
  let s2 = err;
  const t1 = twoSum(a.lo, b.lo);
  const t2 = err;
  s2 += t1;
  s1 = quickTwoSum(s1, s2);
  s2 = err;
  s2 += t2;
  s1 = quickTwoSum(s1, s2);
  return { hi: s1, lo: err };
}

/** dd_sub */
export function subDD(a: DD, b: DD): DD {
  return addDD(a, ddNeg(b));
}

/** dd_sub_d_d */
export function subDd(a: number, b: number): DD {
  const s = twoDiff(a, b);
  return { hi: s, lo: err };
}

/** dd_sub_dd_d */
export function subDD_d(a: DD, b: number): DD {
  let s1 = twoSum(a.hi, -b);
  let s2 = err;
  s2 += a.lo;
  s1 = quickTwoSum(s1, s2);
  return { hi: s1, lo: err };
}

/** dd_mul_d_d */
export function mulDd(a: number, b: number): DD {
  const p = twoProd(a, b);
  return { hi: p, lo: err };
}

/** dd_mul */
export function mulDD(a: DD, b: DD): DD {
  let p1 = twoProd(a.hi, b.hi);
  let p2 = err;
  p2 += a.hi * b.lo + a.lo * b.hi;
  p1 = quickTwoSum(p1, p2);
  return { hi: p1, lo: err };
}

/** dd_mul_dd_d */
export function mulDD_d(a: DD, b: number): DD {
  let p1 = twoProd(a.hi, b);
  let e1 = err;
  const p2 = twoProd(a.lo, b);
  const e2 = err;
  p1 = quickTwoSum(p1, e2 + p2 + e1);
  e1 = err;
  return { hi: p1, lo: e1 };
}

/** dd_mul_d_dd */
export function mulD_DD(a: number, b: DD): DD {
  let p1 = twoProd(a, b.hi);
  let e1 = err;
  const p2 = twoProd(a, b.lo);
  const e2 = err;
  p1 = quickTwoSum(p1, e2 + p2 + e1);
  e1 = err;
  return { hi: p1, lo: e1 };
}

/** dd_accurate_div (dd_div) */
export function divDD(a: DD, b: DD): DD {
  let q1 = a.hi / b.hi;
  let r = subDD(a, mulDD_d(b, q1));
  let q2 = r.hi / b.hi;
  r = subDD(r, mulDD_d(b, q2));
  const q3 = r.hi / b.hi;
  q1 = quickTwoSum(q1, q2);
  q2 = err;
  return addDD_d({ hi: q1, lo: q2 }, q3);
}

/** dd_div_d_d */
export function divDd(a: number, b: number): DD {
  return divDD({ hi: a, lo: 0 }, { hi: b, lo: 0 });
}

/** dd_div_dd_d */
export function divDD_d(a: DD, b: number): DD {
  return divDD(a, { hi: b, lo: 0 });
}

/** dd_inv */
export function ddInv(a: DD): DD {
  return divDD(DD_ONE, a);
}

/** dd_floor */
export function ddFloor(a: DD): DD {
  let hi = Math.floor(a.hi);
  let lo = 0;
  if (hi === a.hi) {
    lo = Math.floor(a.lo);
    hi = quickTwoSum(hi, lo);
    lo = err;
  }
  return { hi, lo };
}

/** dd_ldexp */
export function ddLdexp(a: DD, e: number): DD {
  return { hi: ldexp(a.hi, e), lo: ldexp(a.lo, e) };
}

/** dd_frexp: returns [b, e] with 0.5 <= |b.hi| < 1 (or |b.hi| == 1 and b.hi*b.lo < 0) and a = b * 2^e. */
export function ddFrexp(a: DD): [DD, number] {
  let [man, exponent] = frexp(a.hi);
  let b1 = ldexp(a.lo, -exponent);
  if (Math.abs(man) === 0.5 && man * b1 < 0) {
    man *= 2;
    b1 *= 2;
    exponent -= 1;
  }
  return [{ hi: man, lo: b1 }, exponent];
}
