// KLL quantile sketch (Karnin, Lang, Liberty: "Optimal Quantile Approximation in Streams", FOCS 2016),
// following Apache DataSketches' KllDoublesSketch (datasketches-java / datasketches-cpp): the same
// level-capacity scheme (capacity of the level at depth d below the top = max(8, k (2/3)^d)), the
// same lazy compaction (only when the whole buffer is full, compact the lowest level that is at
// capacity), the same merge (generalCompress) and min-k rule, the same INCLUSIVE rank/quantile
// semantics and the same a-priori error formula.
//
// Written by hand: there is no maintained JavaScript/TypeScript KLL implementation, and this one
// must be pure (the compaction coin flips come from an injected seeded Random) and fast.
//
// Differences from DataSketches (deliberate):
// - NaN and +-Infinity are ignored (DataSketches ignores only NaN): callers count missing values.
// - -0 is stored as +0 so that a JSON round trip is exact.
// - Queries never reorder the internal level 0 (DataSketches sorts it in place), so the sketch
//   state, and hence later compactions, depend only on the update/merge sequence and the seed.
// - Queries on an empty sketch return NaN (DataSketches throws).

import type { Random } from '../random/rng.js';
import { type KllLevels, emptyLevels, makeRoom, mergeLevels, numRetained, unpackLevels } from './kll-compact.js';
import { KLL_M, KLL_MAX_K, KLL_MIN_K, capTable } from './kll-helpers.js';
import { type KllSortedView, buildSortedView, viewQuantile, viewRank } from './kll-sorted-view.js';
import { type KllParts, type KllState, kllFromBytes, kllFromState, kllToBytes, levelsFromParts, sharedLevelBuffers } from './kll-serde.js';

export type { KllSortedView } from './kll-sorted-view.js';
export type { KllState } from './kll-serde.js';

const PMF_COEF = 2.446;
const PMF_EXP = 0.9433;
const CDF_COEF = 2.296;
const CDF_EXP = 0.9723;

export class KllSketch {
  /** Configured k: sets the level capacities. */
  readonly k: number;
  private _minK: number;
  private readonly random: Random;
  /** Level capacity by depth below the top level (shared table for this k). */
  private readonly caps: Int32Array;
  /** Retained items by level (layout in kll-compact.ts). */
  private s: KllLevels;
  private _n = 0;
  private lo = Infinity;
  private hi = -Infinity;
  private view: KllSortedView | null = null;
  /** Levels read back packed (no free space: see levelsFromParts); re-laid at full capacity on the first write. */
  private packed = false;

  /** `levels`: an existing level structure to adopt (deserialisation), instead of an empty one. */
  constructor(k = 200, random: Random, levels?: KllLevels) {
    checkK(k);
    this.k = k;
    this._minK = k;
    this.random = random;
    this.caps = capTable(k);
    this.s = levels ?? emptyLevels(k);
  }

  /**
   * DataSketches' a-priori normalised rank error (KllHelper.getNormalizedRankError): an empirical
   * fit to the 99th percentile of the maximum rank error over all queries. pmf = false: single-sided
   * queries (rank, cdf, quantile), 2.296 / k^0.9723 (1.33% at k = 200); pmf = true: double-sided
   * (pmf buckets), 2.446 / k^0.9433.
   */
  static normalizedRankError(k: number, pmf = false): number {
    return pmf ? PMF_COEF / Math.pow(k, PMF_EXP) : CDF_COEF / Math.pow(k, CDF_EXP);
  }

  /** This sketch's a-priori error, from minK as in DataSketches (an exact sketch has no error at all). */
  normalizedRankError(pmf = false): number {
    return KllSketch.normalizedRankError(this._minK, pmf);
  }

  get n(): number {
    return this._n;
  }
  get isEmpty(): boolean {
    return this._n === 0;
  }
  /** Exact minimum of the stream (NaN when empty). */
  get min(): number {
    return this._n === 0 ? NaN : this.lo;
  }
  /** Exact maximum of the stream (NaN when empty). */
  get max(): number {
    return this._n === 0 ? NaN : this.hi;
  }
  /** Smallest k of this sketch and of every sketch merged into it while in estimation mode. */
  get minK(): number {
    return this._minK;
  }
  /** True once any compaction has happened (before that, every item is retained and queries are exact). */
  get isEstimationMode(): boolean {
    return this.s.numLevels > 1;
  }
  get numRetained(): number {
    return numRetained(this.s);
  }

  update(x: number): void {
    if (x - x !== 0) return; // NaN or +-Infinity
    const v = x + 0; // -0 -> +0
    if (v < this.lo) this.lo = v;
    if (v > this.hi) this.hi = v;
    const s = this.writable();
    let l0 = s.levels[0] as number;
    if (l0 === 0) {
      makeRoom(s, this.k, this.caps, this.random);
      l0 = s.levels[0] as number;
    }
    s.levels[0] = --l0;
    s.items[l0] = v;
    this._n++;
    this.view = null;
  }

  /** Same result as calling update() on every element in order, but faster. */
  updateAll(xs: ArrayLike<number>): void {
    const s = this.writable();
    const len = xs.length;
    let items = s.items;
    let l0 = s.levels[0] as number;
    let lo = this.lo;
    let hi = this.hi;
    let added = 0;
    for (let i = 0; i < len; i++) {
      const x = xs[i] as number;
      if (x - x !== 0) continue;
      const v = x + 0;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      if (l0 === 0) {
        s.levels[0] = 0;
        makeRoom(s, this.k, this.caps, this.random);
        items = s.items;
        l0 = s.levels[0] as number;
      }
      items[--l0] = v;
      added++;
    }
    s.levels[0] = l0;
    this.lo = lo;
    this.hi = hi;
    this._n += added;
    if (added > 0) this.view = null;
  }

  /**
   * Merges other into this sketch (other is unchanged). As in DataSketches, this sketch keeps its
   * own k (level capacities) and its error bound follows minK = min(this.minK, other.minK) when
   * other has compacted (an exact sketch brings its items over without loss).
   */
  merge(other: KllSketch): void {
    if (other._n === 0) return;
    if (other === this) other = this.clone();
    this.mergeLevelsOf(other.s, other._n, other.lo, other.hi, other._minK);
  }

  /**
   * merge(KllSketch.fromBytes(bytes)), bit for bit, without building that sketch: its levels are checked as fromBytes
   * checks them (same errors; nothing is merged when they fail) and read into buffers reused from call to call.
   */
  mergeBytes(bytes: Uint8Array): void {
    const p = kllFromBytes(bytes);
    checkK(p.k);
    const levels = levelsFromParts(p, 'fromBytes', sharedLevelBuffers);
    if (p.n > 0) this.mergeLevelsOf(levels, p.n, p.min, p.max, p.minK);
  }

  private mergeLevelsOf(other: KllLevels, n: number, lo: number, hi: number, minK: number): void {
    const finalN = this._n + n;
    if (lo < this.lo) this.lo = lo;
    if (hi > this.hi) this.hi = hi;
    mergeLevels(this.writable(), this.k, this.caps, other, finalN, this.random);
    this._n = finalN;
    if (other.numLevels > 1) this._minK = Math.min(this._minK, minK);
    this.view = null;
  }

  /** Deep copy sharing the random source (pass another one to decouple the copies). */
  clone(random: Random = this.random): KllSketch {
    const c = new KllSketch(this.k, random);
    c._minK = this._minK;
    c.s = { items: this.s.items.slice(), levels: this.s.levels.slice(), numLevels: this.s.numLevels };
    c.packed = this.packed;
    c._n = this._n;
    c.lo = this.lo;
    c.hi = this.hi;
    c.view = this.view;
    return c;
  }

  /** The levels, re-laid at full capacity first if they were read back packed. */
  private writable(): KllLevels {
    if (this.packed) {
      this.s = unpackLevels(this.s, this.k);
      this.packed = false;
    }
    return this.s;
  }

  /** Sorted retained items with cumulative weights; built once and cached until the next update/merge. */
  sortedView(): KllSortedView {
    if (this.view === null) {
      const s = this.s;
      this.view = buildSortedView(s.items, s.levels, s.numLevels, this._n, this.lo, this.hi);
    }
    return this.view;
  }
  /**
   * Inclusive quantile: the smallest retained item whose normalised cumulative weight is >= q
   * (DataSketches INCLUSIVE); q = 0 gives min, q = 1 gives max. NaN when empty.
   */
  quantile(q: number): number {
    checkRank(q);
    if (this._n === 0) return NaN;
    return viewQuantile(this.sortedView(), q);
  }

  quantiles(qs: ArrayLike<number>): Float64Array {
    const out = new Float64Array(qs.length);
    for (let i = 0; i < qs.length; i++) out[i] = this.quantile(qs[i] as number);
    return out;
  }

  /** Inclusive normalised rank: estimated fraction of items <= x. NaN when empty or x is NaN. */
  rank(x: number): number {
    if (this._n === 0 || Number.isNaN(x)) return NaN;
    return viewRank(this.sortedView(), x);
  }

  /**
   * DataSketches getCDF(splitPoints, INCLUSIVE): m strictly increasing, non-NaN split points give m + 1
   * values: rank(s_0), ..., rank(s_{m-1}), 1. Empty array when the sketch is empty.
   */
  cdf(splitPoints: ArrayLike<number>): Float64Array {
    checkSplitPoints(splitPoints);
    const m = splitPoints.length;
    if (this._n === 0) return new Float64Array(0);
    const v = this.sortedView();
    const out = new Float64Array(m + 1);
    for (let i = 0; i < m; i++) out[i] = viewRank(v, splitPoints[i] as number);
    out[m] = 1;
    return out;
  }

  /** DataSketches getPMF(splitPoints, INCLUSIVE): masses of (-inf, s_0], (s_0, s_1], ..., (s_{m-1}, +inf). */
  pmf(splitPoints: ArrayLike<number>): Float64Array {
    const c = this.cdf(splitPoints);
    for (let i = c.length - 1; i > 0; i--) c[i] = (c[i] as number) - (c[i - 1] as number);
    return c;
  }

  toJSON(): KllState {
    const { items, levels: lv, numLevels } = this.s;
    const levels: number[][] = [];
    for (let h = 0; h < numLevels; h++) {
      levels.push(Array.from(items.subarray(lv[h] as number, lv[h + 1] as number)));
    }
    const empty = this._n === 0;
    return {
      version: 1, k: this.k, minK: this._minK, m: KLL_M, n: this._n,
      min: empty ? null : this.lo, max: empty ? null : this.hi, levels,
    };
  }

  static fromJSON(state: KllState, random: Random): KllSketch {
    return KllSketch.fromParts(kllFromState(state), random, 'fromJSON');
  }

  /** Compact binary form; layout documented in kll-serde.ts. */
  toBytes(): Uint8Array {
    return kllToBytes({
      k: this.k, minK: this._minK, m: KLL_M, n: this._n, min: this.lo, max: this.hi,
      numLevels: this.s.numLevels, items: this.s.items, levels: this.s.levels,
    });
  }

  static fromBytes(bytes: Uint8Array, random: Random): KllSketch {
    return KllSketch.fromParts(kllFromBytes(bytes), random, 'fromBytes');
  }

  private static fromParts(p: KllParts, random: Random, who: string): KllSketch {
    checkK(p.k);
    const sk = new KllSketch(p.k, random, levelsFromParts(p, who));
    sk.packed = true;
    sk._minK = p.minK;
    sk._n = p.n;
    if (p.n > 0) {
      sk.lo = p.min;
      sk.hi = p.max;
    }
    return sk;
  }
}

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < KLL_MIN_K || k > KLL_MAX_K) {
    throw new RangeError(`KllSketch: k must be an integer in [${KLL_MIN_K}, ${KLL_MAX_K}], got ${k}`);
  }
}

function checkRank(q: number): void {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`KllSketch: a normalised rank must be in [0, 1], got ${q}`);
}

function checkSplitPoints(s: ArrayLike<number>): void {
  for (let i = 0; i < s.length; i++) {
    const x = s[i] as number;
    if (Number.isNaN(x) || (i > 0 && !((s[i - 1] as number) < x))) {
      throw new RangeError('KllSketch: split points must be unique, increasing and not NaN');
    }
  }
}
