import type { DriftMethod } from '../method.js';

export const jensenShannon: DriftMethod = {
  id: 'jensenshannon',
  description: 'Jensen-Shannon distance (base 2) over reference-decile bins or categories',
  kinds: ['numerical', 'categorical'],
  scoreType: 'distance',
  defaultThreshold: 0.1,
  maxScore: 1,
  numerical: (s) => s.jensenShannon,
  categorical: (s) => s.jensenShannon,
};
