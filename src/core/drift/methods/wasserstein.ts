import type { DriftMethod } from '../method.js';

export const wasserstein: DriftMethod = {
  id: 'wasserstein',
  description: 'Wasserstein-1 distance divided by the reference standard deviation',
  kinds: ['numerical'],
  scoreType: 'distance',
  defaultThreshold: 0.1,
  numerical: (s) => s.wassersteinNormalized,
};
