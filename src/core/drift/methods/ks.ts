import type { DriftMethod } from '../method.js';

export const ks: DriftMethod = {
  id: 'ks',
  description: 'two-sample Kolmogorov-Smirnov test p-value (scipy ks_2samp, method=auto)',
  kinds: ['numerical'],
  scoreType: 'pValue',
  defaultThreshold: 0.05,
  numerical: (s) => s.ks.pValue,
};
