import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrate, fitIsotonic } from './calibration.js';

// Expected values from scikit-learn 1.2.1:
//   IsotonicRegression(out_of_bounds='clip').fit(scores, labels).predict(queries)
test('isotonic calibration pools tied scores before fitting, whatever the order of their rows (as sklearn)', () => {
  const scores = [0.4, 0.4, 0.4, 0.4, 0.4, 0.5, 0.5, 0.5, 0.5, 0.9];
  const labels: Array<0 | 1> = [1, 1, 1, 0, 0, 0, 1, 1, 1, 1];
  const expected = [0.6, 0.75, 1]; // at 0.4, 0.5, 0.9
  const orders = [
    labels.map((_, i) => i),
    labels.map((_, i) => labels.length - 1 - i),
    [3, 4, 0, 1, 2, 5, 6, 7, 8, 9],
  ];
  for (const order of orders) {
    const c = fitIsotonic(order.map((i) => scores[i] as number), order.map((i) => labels[i] as 0 | 1));
    assert.deepEqual([0.4, 0.5, 0.9].map((x) => calibrate(c, x)), expected, `row order ${order.join(',')}`);
  }
  // Two rows with one score and different labels: the mean label (sklearn: 0.5), in either order.
  assert.equal(calibrate(fitIsotonic([0.5, 0.5], [0, 1]), 0.5), 0.5);
  assert.equal(calibrate(fitIsotonic([0.5, 0.5], [1, 0]), 0.5), 0.5);
});
