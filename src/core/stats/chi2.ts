import gammainc from '@stdlib/math-base-special-gammainc';

export interface ChiSquareResult {
  statistic: number;
  pValue: number;
  dof: number;
}

/**
 * @stdlib/math-base-special-gammainc 0.3.1 evaluates Q(a, z) for z > 1000 and a < z + 50 (Boost's method 7, the
 * large-z series) with the series of a + 1 (its Pochhammer term starts at a instead of a - 1): it returns
 * Q(a + 1, z) * a / z, up to 4% off (chi2.sf(2020, 2000) came out 0.3805 instead of 0.3723). Detected at load from
 * scipy's value of gammaincc(1000, 1010), so that a fixed version is used as is.
 */
const LARGE_Z_SERIES_SHIFTED = Math.abs(gammainc(1010, 1000, true, true) - 0.37232105526300524) > 1e-12;

/** Survival function of the chi-squared distribution (scipy.stats.chi2.sf = igamc(dof/2, x/2)). */
export function chi2Sf(x: number, dof: number): number {
  if (x <= 0) return 1;
  const a = dof / 2;
  const z = x / 2;
  if (LARGE_Z_SERIES_SHIFTED && a > 1 && z > 1000 && (a < z || Math.abs(a - 50) / z < 1)) {
    // (a - 1, z) takes the same branch, whose result is Q(a, z) * (a - 1) / z.
    return Math.min(1, (gammainc(z, a - 1, true, true) * z) / (a - 1));
  }
  return gammainc(z, a, true, true);
}

/**
 * Pearson chi-squared test of independence on the 2 x k table [reference counts; current counts],
 * as scipy.stats.chi2_contingency(table, correction=False). Expected counts are row * column / total;
 * every column must have a positive total and both rows a positive sum.
 */
export function chiSquareTwoRow(reference: readonly number[], current: readonly number[]): ChiSquareResult {
  const k = reference.length;
  if (current.length !== k || k === 0) throw new Error('chi-squared needs two count vectors of the same non-zero length');
  const r0 = reference.reduce((s, c) => s + c, 0);
  const r1 = current.reduce((s, c) => s + c, 0);
  if (r0 === 0 || r1 === 0) throw new Error('chi-squared needs non-empty reference and current samples');
  const dof = k - 1;
  if (dof === 0) return { statistic: 0, pValue: 1, dof: 0 };
  const total = r0 + r1;
  // scipy sums the terms of the flattened (row-major) table with numpy's pairwise summation;
  // the terms are non-negative, so plain summation agrees to ~k * 1e-16 relative.
  let stat = 0;
  for (const [row, rowSum] of [[reference, r0], [current, r1]] as const) {
    for (let j = 0; j < k; j++) {
      const col = (reference[j] as number) + (current[j] as number);
      if (col === 0) throw new Error('chi-squared: a category has zero count in both samples');
      const expected = (rowSum * col) / total;
      const d = (row[j] as number) - expected;
      stat += (d * d) / expected;
    }
  }
  return { statistic: stat, pValue: chi2Sf(stat, dof), dof };
}
