/**
 * Isotonic calibration of binary scores (pool-adjacent-violators), as NannyML's CBPE does before it
 * estimates performance: maps a raw score to the observed positive rate of similar reference scores.
 * Written by hand: it is twenty lines and must stay pure.
 */
export interface Calibration {
  /** Upper score bound of each block (ascending) and the calibrated probability of that block. */
  thresholds: number[];
  values: number[];
  /**
   * Lowest score of each block: between two blocks the calibrated value is interpolated linearly, as sklearn's
   * IsotonicRegression.predict (NannyML's calibrator) does. Absent in profiles fitted before it: steps then.
   */
  lows?: number[];
}

export function fitIsotonic(scores: ArrayLike<number>, labels: ArrayLike<0 | 1>): Calibration {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  const sums: number[] = [];
  const weights: number[] = [];
  const tops: number[] = [];
  const lows: number[] = [];
  for (let g = 0; g < idx.length; ) {
    // Equal scores are one point whose target is their mean label (sklearn's _make_unique): otherwise the
    // calibrated value of a tied score would depend on the order of its rows.
    const score = scores[idx[g] as number] as number;
    let sum = 0;
    let weight = 0;
    for (; g < idx.length && scores[idx[g] as number] === score; g++) {
      sum += labels[idx[g] as number] as number;
      weight++;
    }
    sums.push(sum);
    weights.push(weight);
    tops.push(score);
    lows.push(score);
    // Merge while the previous block's mean is not below this block's mean.
    while (sums.length > 1) {
      const n = sums.length;
      if ((sums[n - 2] as number) / (weights[n - 2] as number) < (sums[n - 1] as number) / (weights[n - 1] as number)) break;
      sums[n - 2]! += sums[n - 1] as number;
      weights[n - 2]! += weights[n - 1] as number;
      tops[n - 2] = tops[n - 1] as number;
      sums.pop();
      weights.pop();
      tops.pop();
      lows.pop();
    }
  }
  return { thresholds: tops, values: sums.map((s, i) => s / (weights[i] as number)), lows };
}

/**
 * Calibrated probability of a score: the value of the first block whose upper bound is >= the score, interpolated
 * linearly from the block below when the score lies between the two blocks (sklearn's predict); clipped at the ends.
 */
export function calibrate(c: Calibration, score: number): number {
  const t = c.thresholds;
  if (t.length === 0) return score;
  let lo = 0;
  let hi = t.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((t[mid] as number) >= score) hi = mid;
    else lo = mid + 1;
  }
  const low = c.lows?.[lo];
  if (lo > 0 && low !== undefined && score < low) {
    const x0 = t[lo - 1] as number;
    const y0 = c.values[lo - 1] as number;
    return (((c.values[lo] as number) - y0) / (low - x0)) * (score - x0) + y0; // interp1d's order of operations
  }
  return c.values[lo] as number;
}

/**
 * Whether `c` was fitted on labels of one class: every block's value 0 (or every one 1). A fit on both classes never is
 * (its values average, weighted, to the positive rate, strictly between 0 and 1). Profiles stored before such fits were
 * refused hold them: they claim every prediction certainly wrong (or right) whatever its score.
 */
export function fittedOnOneClass(c: Calibration): boolean {
  return c.values.length > 0 && (c.values.every((v) => v === 0) || c.values.every((v) => v === 1));
}

/**
 * Calibrated class probabilities of a multiclass event (NannyML's multiclass CBPE): each class's score through its
 * one-vs-rest calibration, then scaled to sum to 1. Null when they calibrate to 0 for every class (no probability to share).
 */
export function calibrateClasses(cs: readonly Calibration[], scores: readonly number[]): number[] | null {
  if (cs.length !== scores.length) return null;
  const p = cs.map((c, i) => calibrate(c, scores[i] as number));
  let sum = 0;
  for (const x of p) sum += x;
  return sum > 0 ? p.map((x) => x / sum) : null;
}
