import type { DriftMethod } from '../method.js';

export const chiSquare: DriftMethod = {
  id: 'chisquare',
  description: 'chi-squared test p-value on the reference vs current category counts (scipy chi2_contingency, no correction)',
  kinds: ['categorical'],
  scoreType: 'pValue',
  defaultThreshold: 0.05,
  categorical: (s) => s.chiSquare.pValue,
};
