/**
 * Floating-point sums in numpy's order, so that means match numpy bit for bit (this matters
 * for exact-zero tests such as r2's constant-y_true rule, and keeps rounding identical).
 * numpy's add.reduce on contiguous float64 runs its pairwise summation over buffers of
 * 8192 elements and adds the buffer results sequentially, starting from 0.
 */
const BUFFER = 8192;
const BLOCK = 128;

function pairwise(a: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i] as number;
    return res;
  }
  if (n <= BLOCK) {
    let r0 = a[start] as number, r1 = a[start + 1] as number, r2 = a[start + 2] as number, r3 = a[start + 3] as number;
    let r4 = a[start + 4] as number, r5 = a[start + 5] as number, r6 = a[start + 6] as number, r7 = a[start + 7] as number;
    let i = 8;
    const end = n - (n % 8);
    for (; i < end; i += 8) {
      const p = start + i;
      r0 += a[p] as number; r1 += a[p + 1] as number; r2 += a[p + 2] as number; r3 += a[p + 3] as number;
      r4 += a[p + 4] as number; r5 += a[p + 5] as number; r6 += a[p + 6] as number; r7 += a[p + 7] as number;
    }
    let res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
    for (; i < n; i++) res += a[start + i] as number;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwise(a, start, n2) + pairwise(a, start + n2, n - n2);
}

/** np.sum of a 1-D float64 array. */
export function npSum(a: ArrayLike<number>): number {
  let res = 0;
  for (let s = 0; s < a.length; s += BUFFER) res += pairwise(a, s, Math.min(BUFFER, a.length - s));
  return res;
}

/** np.mean of a 1-D float64 array (NaN when empty, as numpy). */
export function npMean(a: ArrayLike<number>): number {
  return npSum(a) / a.length;
}
