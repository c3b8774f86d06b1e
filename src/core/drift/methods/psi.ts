import type { DriftMethod } from '../method.js';

export const psi: DriftMethod = {
  id: 'psi',
  description: 'Population Stability Index over reference-decile bins or categories',
  kinds: ['numerical', 'categorical'],
  scoreType: 'distance',
  defaultThreshold: 0.1,
  numerical: (s) => s.psi,
  categorical: (s) => s.psi,
};
