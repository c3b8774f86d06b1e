import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../random/rng.js';
import { calibrate, fitIsotonic, fittedOnOneClass } from './calibration.js';
import { addCbpe, emptyCbpe, estimatedMetrics } from './cbpe.js';

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

// sklearn's IsotonicRegression.predict interpolates linearly between the ends of its constant blocks
// (X_thresholds_ keeps the first and last score of each block; interp1d, clipped outside).
test('between two blocks the calibrated value is interpolated linearly, as sklearn predicts (not the upper block\'s value)', () => {
  // blocks {0.1}: 0, {0.3, 0.5}: 0.5 (0.3 -> 1 and 0.5 -> 0 pooled), {0.9}: 1
  const c = fitIsotonic([0.1, 0.3, 0.5, 0.9], [0, 1, 0, 1]);
  const at = (x: number): number => calibrate(c, x);
  assert.equal(at(0.05), 0); // clipped
  assert.ok(Math.abs(at(0.2) - 0.25) < 1e-12, String(at(0.2))); // halfway from (0.1, 0) to (0.3, 0.5)
  assert.equal(at(0.4), 0.5); // inside the block
  assert.ok(Math.abs(at(0.7) - 0.75) < 1e-12, String(at(0.7))); // halfway from (0.5, 0.5) to (0.9, 1)
  assert.equal(at(0.95), 1); // clipped
  // A calibration stored before blocks kept their lowest score still steps (what its summaries were built with).
  assert.equal(calibrate({ thresholds: c.thresholds, values: c.values }, 0.2), 0.5);
});

test('CBPE with a reference whose scores are rounded to one decimal tracks the realized precision of continuous scores', () => {
  const r = seededRandom(11);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
  const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
  const refScores: number[] = [];
  const refLabels: Array<0 | 1> = [];
  for (let i = 0; i < 5000; i++) {
    const p = sigmoid(normal());
    refScores.push(Math.round(p * 10) / 10);
    refLabels.push(r.next() < p ? 1 : 0);
  }
  const c = fitIsotonic(refScores, refLabels);
  const s = emptyCbpe();
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < 20000; i++) {
    const p = sigmoid(normal() + 0.3); // well calibrated: the label is 1 with probability p
    const y = r.next() < p;
    const predicted = p >= 0.5;
    addCbpe(s, calibrate(c, p), predicted);
    if (predicted && y) tp++;
    else if (predicted) fp++;
    else if (y) fn++;
  }
  const est = estimatedMetrics(s);
  const precision = tp / (tp + fp);
  const recall = tp / (tp + fn);
  assert.ok(Math.abs((est.precision as number) - precision) < 0.02, `estimated ${est.precision} vs realized ${precision}`);
  assert.ok(Math.abs((est.recall as number) - recall) < 0.02, `estimated ${est.recall} vs realized ${recall}`);
});

test('fittedOnOneClass: a fit on labels of one class (0s or 1s) is told from any fit on both classes', () => {
  const rand = seededRandom(7);
  const scores = Array.from({ length: 200 }, () => rand.next());
  assert.equal(fittedOnOneClass(fitIsotonic(scores, scores.map(() => 0 as const))), true);
  assert.equal(fittedOnOneClass(fitIsotonic(scores, scores.map(() => 1 as const))), true);
  for (let k = 0; k < 50; k++) {
    const labels = scores.map((s) => (rand.next() < (k % 2 ? s : 1 - s) ? 1 : 0) as 0 | 1);
    labels[k] = 1; // both classes, at least one 1 and one 0
    labels[199 - k] = 0;
    assert.equal(fittedOnOneClass(fitIsotonic(scores, labels)), false, `fit ${k}`);
  }
  assert.equal(fittedOnOneClass(fitIsotonic([0.5, 0.5], [0, 1])), false, 'one block of value 0.5');
  assert.equal(fittedOnOneClass({ thresholds: [], values: [] }), false);
});
