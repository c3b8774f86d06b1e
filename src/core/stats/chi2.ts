import gammainc from '@stdlib/math-base-special-gammainc';

export interface ChiSquareResult {
  statistic: number;
  pValue: number;
  dof: number;
}

/** Survival function of the chi-squared distribution (scipy.stats.chi2.sf = igamc(dof/2, x/2)). */
export function chi2Sf(x: number, dof: number): number {
  if (x <= 0) return 1;
  return gammainc(x / 2, dof / 2, true, true);
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
