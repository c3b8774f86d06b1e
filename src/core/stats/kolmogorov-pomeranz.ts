// Hand port of scipy 1.10.1's _kolmogn_Pomeranz (scipy/stats/_ksstats.py): Pr(D_n <= x) for the
// two-sided one-sample KS statistic by the Pomeranz (1974) recursion, used by kolmogorov.ts for
// n <= 140 and 0.754693 < n x^2 <= 4. Ported by hand because no JS library implements it.
// Differences from scipy: np.convolve uses BLAS dot products (other summation order), and after a
// rescale scipy's final n! product runs in np.longdouble; both are ~1e-16 relative effects.

import { ldexp } from './kolmogorov-dd.js';

const E128 = 128;
const EP128 = 3.402823669209385e38; // 2^128
const EM128 = 2.938735877055719e-39; // 2^-128

function clip01(p: number): number {
  if (p < 0) return 0;
  if (p > 1) return 1;
  return p;
}

function pomeranzJ1J2(i: number, n: number, ll: number, ceilf: number, roundf: number): [number, number] {
  let j1: number;
  let j2: number;
  if (i === 0) {
    j1 = -ll - ceilf - 1;
    j2 = ll + ceilf - 1;
  } else {
    const ip1div2 = Math.floor((i + 1) / 2);
    const ip1mod2 = (i + 1) % 2;
    if (ip1mod2 === 0) {
      if (ip1div2 === n + 1) {
        j1 = n - ll - ceilf - 1;
        j2 = n + ll + ceilf - 1;
      } else {
        j1 = ip1div2 - 1 - ll - roundf - 1;
        j2 = ip1div2 + ll - 1 + ceilf - 1;
      }
    } else {
      j1 = ip1div2 - 1 - ll - 1;
      j2 = ip1div2 + ll + roundf - 1;
    }
  }
  return [Math.max(j1 + 2, 0), Math.min(j2, n)];
}

/** Python slice bounds [start:stop] on a sequence of length len (step 1). */
function sliceBounds(len: number, start: number, stop: number): [number, number] {
  let s = start < 0 ? Math.max(start + len, 0) : Math.min(start, len);
  let e = stop < 0 ? Math.max(stop + len, 0) : Math.min(stop, len);
  if (e < s) e = s;
  if (s > len) s = len;
  return [s, e];
}

/** np.convolve(a, v) (mode 'full'). */
function convolve(a: Float64Array, v: Float64Array): Float64Array {
  if (v.length > a.length) [a, v] = [v, a];
  const na = a.length;
  const nv = v.length;
  const out = new Float64Array(na + nv - 1);
  for (let k = 0; k < out.length; k++) {
    let s = 0;
    const lo = Math.max(0, k - nv + 1);
    const hi = Math.min(na - 1, k);
    for (let i = lo; i <= hi; i++) s += (a[i] as number) * (v[k - i] as number);
    out[k] = s;
  }
  return out;
}

/** Pr(D_n <= x) by the Pomeranz recursion. */
export function kolmognPomeranz(n: number, x: number): number {
  const t = n * x;
  const ll = Math.floor(t);
  const f = 1.0 * (t - ll);
  const g = Math.min(f, 1.0 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const npwrs = 2 * (ll + 1);
  const gpower = new Float64Array(npwrs);
  const twogpower = new Float64Array(npwrs);
  const onem2gpower = new Float64Array(npwrs);
  gpower[0] = 1.0;
  twogpower[0] = 1.0;
  onem2gpower[0] = 1.0;
  let expnt = 0;
  const gOverN = g / n;
  const twoGOverN = 2 * g / n;
  const oneMinusTwoGOverN = (1 - 2 * g) / n;
  for (let m = 1; m < npwrs; m++) {
    gpower[m] = (gpower[m - 1] as number) * gOverN / m;
    twogpower[m] = (twogpower[m - 1] as number) * twoGOverN / m;
    onem2gpower[m] = (onem2gpower[m - 1] as number) * oneMinusTwoGOverN / m;
  }

  let V0 = new Float64Array(npwrs);
  let V1 = new Float64Array(npwrs);
  V1[0] = 1;
  let V0s = 0;
  let V1s = 0;
  let j1 = pomeranzJ1J2(0, n, ll, ceilf, roundf)[0];
  let j2: number;
  for (let i = 1; i < 2 * n + 2; i++) {
    const k1 = j1;
    [V0, V1] = [V1, V0];
    [V0s, V1s] = [V1s, V0s];
    V1.fill(0.0);
    [j1, j2] = pomeranzJ1J2(i, n, ll, ceilf, roundf);
    let pwrs: Float64Array;
    if (i === 1 || i === 2 * n + 1) pwrs = gpower;
    else pwrs = i % 2 ? twogpower : onem2gpower;
    const ln2 = j2 - k1 + 1;
    if (ln2 > 0) {
      const [as, ae] = sliceBounds(npwrs, k1 - V0s, k1 - V0s + ln2);
      const [ps, pe] = sliceBounds(npwrs, 0, ln2);
      const conv = convolve(V0.subarray(as, ae), pwrs.subarray(ps, pe));
      const convStart = j1 - k1;
      const convLen = j2 - j1 + 1;
      const [cs, ce] = sliceBounds(conv.length, convStart, convStart + convLen);
      const [ds, de] = sliceBounds(npwrs, 0, convLen);
      if (de - ds !== ce - cs) throw new Error('kolmognPomeranz: slice length mismatch');
      V1.set(conv.subarray(cs, ce), ds);
      let mx = -Infinity;
      for (let q = 0; q < npwrs; q++) if ((V1[q] as number) > mx) mx = V1[q] as number;
      if (mx > 0 && mx < EM128) {
        for (let q = 0; q < npwrs; q++) V1[q] = (V1[q] as number) * EP128;
        expnt -= E128;
      }
      V1s = V0s + j1 - k1;
    }
  }

  let ans = V1[n - V1s] as number;
  for (let m = 1; m <= n; m++) {
    if (Math.abs(ans) > EP128) {
      ans *= EM128;
      expnt += E128;
    }
    ans *= m;
  }
  if (expnt !== 0) ans = ldexp(ans, expnt);
  return clip01(ans);
}
