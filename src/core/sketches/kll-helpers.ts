// Internal helpers of the KLL sketch (see kll.ts): level capacities and the compaction primitives,
// hand ported from Apache DataSketches (datasketches-java KllHelper / KllDoublesHelper and
// datasketches-cpp kll_helper_impl.hpp). Items live in one Float64Array; level h occupies
// items[levels[h] .. levels[h+1]) and every retained item of level h stands for 2^h input items.
// Level 0 is unsorted (newest item lowest); levels >= 1 are sorted ascending.

import type { Random } from '../random/rng.js';

/** Minimum level width (DataSketches' default and only supported M). */
export const KLL_M = 8;
export const KLL_MIN_K = KLL_M;
export const KLL_MAX_K = 65535;
/** DataSketches caps the number of levels at 61 (weights up to 2^60). */
export const KLL_MAX_LEVELS = 61;

const capTables = new Map<number, Int32Array>();

/**
 * Capacity by depth below the top level: max(m, round(k * (2/3)^depth)), computed exactly as
 * DataSketches' intCapAuxAux does with integers ((2k * 2^depth / 3^depth + 1) >> 1); BigInt keeps
 * the integer division exact. Cached per k.
 */
export function capTable(k: number): Int32Array {
  let t = capTables.get(k);
  if (t !== undefined) return t;
  t = new Int32Array(KLL_MAX_LEVELS);
  const twoK = BigInt(2 * k);
  for (let depth = 0; depth < KLL_MAX_LEVELS; depth++) {
    let c: number;
    if (depth <= 30) {
      c = Number(((twoK << BigInt(depth)) / 3n ** BigInt(depth) + 1n) >> 1n);
    } else {
      // DataSketches folds deep levels into two steps; with k <= 65535 this is far below M anyway
      const half = Math.floor(depth / 2);
      const tmp = ((twoK << BigInt(half)) / 3n ** BigInt(half) + 1n) >> 1n;
      const rest = depth - half;
      c = Number(((2n * tmp << BigInt(rest)) / 3n ** BigInt(rest) + 1n) >> 1n);
    }
    t[depth] = Math.max(KLL_M, c);
  }
  capTables.set(k, t);
  return t;
}

/** Nominal capacity of `level` in a sketch with `numLevels` levels (KllHelper.levelCapacity). */
export function levelCapacity(k: number, numLevels: number, level: number): number {
  return capTable(k)[numLevels - level - 1] as number;
}

/** Total item capacity of a sketch with `numLevels` levels (KllHelper.computeTotalItemCapacity). */
export function totalCapacity(k: number, numLevels: number): number {
  const t = capTable(k);
  let total = 0;
  for (let depth = 0; depth < numLevels; depth++) total += t[depth] as number;
  return total;
}

/** 1 + floor(log2(n)): a conservative upper bound on the number of levels (ubOnNumLevels). */
export function ubOnNumLevels(n: number): number {
  let ub = 1;
  let p = 2;
  while (p <= n) {
    p *= 2;
    ub++;
  }
  return ub;
}

/**
 * Sorts buf[start, end) ascending: a quicksort (median of three, Hoare's partition) down to runs of 32, sorted by
 * insertion. Items are finite and never -0 (update() and the checks of fromBytes / fromJSON see to it), so any correct
 * sort gives the same array. Not TypedArray.prototype.sort: for the 40-200 items of a level-0 compaction it took 1.3-2.9x
 * as long (and the sorts were ~8% of the delta worker's time under bench:summarise).
 */
export function sortRange(buf: Float64Array, start: number, end: number): void {
  let lo = start;
  let hi = end;
  while (hi - lo > 32) {
    const a = buf[lo] as number;
    const b = buf[(lo + hi) >>> 1] as number;
    const c = buf[hi - 1] as number;
    const p = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi - 1;
    while (i <= j) {
      while ((buf[i] as number) < p) i++;
      while ((buf[j] as number) > p) j--;
      if (i <= j) {
        const t = buf[i] as number;
        buf[i++] = buf[j] as number;
        buf[j--] = t;
      }
    }
    // Recurse into the smaller side, loop on the larger: the stack stays O(log n).
    if (j + 1 - lo < hi - i) {
      sortRange(buf, lo, j + 1);
      lo = i;
    } else {
      sortRange(buf, i, hi);
      hi = j + 1;
    }
  }
  for (let i = lo + 1; i < hi; i++) {
    const x = buf[i] as number;
    let j = i - 1;
    while (j >= lo && (buf[j] as number) > x) {
      buf[j + 1] = buf[j] as number;
      j--;
    }
    buf[j + 1] = x;
  }
}

/** Keeps every other item of buf[start, start+length) (random phase) in the lower half. */
export function randomlyHalveDown(buf: Float64Array, start: number, length: number, random: Random): void {
  const half = length >>> 1;
  let j = start + random.int(2);
  for (let i = start; i < start + half; i++) {
    buf[i] = buf[j] as number;
    j += 2;
  }
}

/** Keeps every other item of buf[start, start+length) (random phase) in the upper half. */
export function randomlyHalveUp(buf: Float64Array, start: number, length: number, random: Random): void {
  const half = length >>> 1;
  let j = start + length - 1 - random.int(2);
  for (let i = start + length - 1; i >= start + half; i--) {
    buf[i] = buf[j] as number;
    j -= 2;
  }
}

/**
 * Merges sorted runs a[startA, +lenA) and b[startB, +lenB) into c[startC, ...). The runs may live in
 * the same buffer as the output provided the output never overtakes unread input (true for the
 * two callers: halve-down-then-merge-up and the work buffers of a merge).
 */
export function mergeSorted(
  a: Float64Array, startA: number, lenA: number,
  b: Float64Array, startB: number, lenB: number,
  c: Float64Array, startC: number,
): void {
  const limA = startA + lenA;
  const limB = startB + lenB;
  const limC = startC + lenA + lenB;
  let i = startA;
  let j = startB;
  for (let o = startC; o < limC; o++) {
    if (i === limA) c[o] = b[j++] as number;
    else if (j === limB) c[o] = a[i++] as number;
    else {
      const x = a[i] as number;
      const y = b[j] as number;
      if (x < y) {
        c[o] = x;
        i++;
      } else {
        c[o] = y;
        j++;
      }
    }
  }
}
