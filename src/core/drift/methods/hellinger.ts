import type { DriftMethod } from '../method.js';

export const hellinger: DriftMethod = {
  id: 'hellinger',
  description: 'Hellinger distance over reference-decile bins or categories',
  kinds: ['numerical', 'categorical'],
  scoreType: 'distance',
  defaultThreshold: 0.1,
  maxScore: 1,
  numerical: (s) => s.hellinger,
  categorical: (s) => s.hellinger,
};
