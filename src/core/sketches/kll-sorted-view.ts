// Sorted view of a KLL sketch (DataSketches' DoublesSketchSortedView): the retained items in
// ascending order with their cumulative weights, plus the rank/quantile searches on it.

/**
 * Retained items sorted ascending (duplicates kept) with natural cumulative weights:
 * cumWeights[i] = total weight of items[0..i]; the last entry equals n.
 * As in DataSketches (IncludeMinMax), the exact stream min and max are inserted at the ends when
 * compaction has dropped them (min with cumulative weight 1, max taking one unit of weight from
 * the last retained item), so quantile(0) = min and quantile(1) = max.
 * Treat the arrays as read-only: they are cached by the sketch.
 */
export interface KllSortedView {
  readonly items: Float64Array;
  readonly cumWeights: Float64Array;
  readonly n: number;
}

export function buildSortedView(
  items: Float64Array,
  levels: Int32Array,
  numLevels: number,
  n: number,
  min: number,
  max: number,
): KllSortedView {
  const beg0 = levels[0] as number;
  const total = (levels[numLevels] as number) - beg0;
  if (total === 0) return { items: new Float64Array(0), cumWeights: new Float64Array(0), n: 0 };
  // (item, weight) runs, merged level by level: ping-pong between two buffers, each with room for the min and
  // max that includeMinMax may add (no copy at the end: the view is a prefix of one of them).
  let accItems = new Float64Array(total + 2);
  let accW = new Float64Array(total + 2);
  let tmpItems = numLevels > 1 ? new Float64Array(total + 2) : accItems;
  let tmpW = numLevels > 1 ? new Float64Array(total + 2) : accW;
  const end0 = levels[1] as number;
  let len = end0 - beg0;
  accItems.set(items.subarray(beg0, end0));
  accItems.subarray(0, len).sort();
  accW.fill(1, 0, len);
  let weight = 1;
  for (let h = 1; h < numLevels; h++) {
    weight *= 2;
    const beg = levels[h] as number;
    const pop = (levels[h + 1] as number) - beg;
    if (pop === 0) continue;
    // merge acc[0, len) with level h, carrying weights alongside
    let i = 0;
    let j = beg;
    const limJ = beg + pop;
    let o = 0;
    while (i < len && j < limJ) {
      const x = accItems[i] as number;
      const y = items[j] as number;
      if (x < y) {
        tmpItems[o] = x;
        tmpW[o++] = accW[i++] as number;
      } else {
        tmpItems[o] = y;
        tmpW[o++] = weight;
        j++;
      }
    }
    while (i < len) {
      tmpItems[o] = accItems[i] as number;
      tmpW[o++] = accW[i++] as number;
    }
    if (j < limJ) {
      tmpItems.set(items.subarray(j, limJ), o);
      tmpW.fill(weight, o, o + limJ - j);
      o += limJ - j;
    }
    len = o;
    [accItems, tmpItems] = [tmpItems, accItems];
    [accW, tmpW] = [tmpW, accW];
  }
  let cum = 0;
  for (let i = 0; i < len; i++) {
    cum += accW[i] as number;
    accW[i] = cum;
  }
  return includeMinMax(accItems, accW, len, n, min, max);
}

/** q, cw: the sorted items and cumulative weights in [0, len), with room for two more entries. */
function includeMinMax(q: Float64Array, cw: Float64Array, len: number, n: number, min: number, max: number): KllSortedView {
  const adjLow = q[0] !== min;
  const adjHigh = q[len - 1] !== max;
  if (adjLow) {
    q.copyWithin(1, 0, len);
    cw.copyWithin(1, 0, len);
    q[0] = min;
    cw[0] = 1;
  }
  const adjLen = len + (adjLow ? 1 : 0) + (adjHigh ? 1 : 0);
  if (adjHigh) {
    const last = cw[adjLen - 2] as number;
    q[adjLen - 1] = max;
    cw[adjLen - 1] = last;
    cw[adjLen - 2] = last - 1;
  }
  return { items: q.subarray(0, adjLen), cumWeights: cw.subarray(0, adjLen), n };
}

/** Index of the last item <= x, or -1 (InequalitySearch.LE). */
export function lastAtMost(items: Float64Array, x: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((items[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Inclusive normalised rank of x: weight of retained items <= x over n. */
export function viewRank(v: KllSortedView, x: number): number {
  const i = lastAtMost(v.items, x);
  return i < 0 ? 0 : (v.cumWeights[i] as number) / v.n;
}

/**
 * Inclusive quantile: the smallest item whose cumulative weight >= ceil(q * n) (DataSketches
 * getQuantile(q, INCLUSIVE), including its rounding of q * n to 1e-7 when n <= 1e7).
 */
export function viewQuantile(v: KllSortedView, q: number): number {
  let natural = q * v.n;
  if (v.n <= 1e7) natural = Math.round(natural * 1e7) / 1e7;
  natural = Math.ceil(natural);
  const cw = v.cumWeights;
  let lo = 0;
  let hi = cw.length - 1;
  // first index with cw >= natural (exists: the last entry is n >= natural)
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cw[mid] as number) >= natural) hi = mid;
    else lo = mid + 1;
  }
  return v.items[lo] as number;
}
