import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getDriftMethod } from './registry.js';
import { fitsThreshold, thresholdProblem } from './threshold.js';

test('valid drift thresholds: p-values in (0, 1], Jensen-Shannon and Hellinger in (0, 1], PSI and Wasserstein above 0', () => {
  const cases: Array<[string, number, boolean]> = [
    ['ks', 0.05, true], ['ks', 1, true], ['ks', 1.5, false], ['ks', 0, false], ['chisquare', -0.1, false], ['chisquare', Number.NaN, false],
    ['hellinger', 1, true], ['hellinger', 1.01, false], ['jensenshannon', 0.5, true], ['jensenshannon', 2, false],
    ['psi', 3, true], ['psi', 0, false], ['wasserstein', 10, true], ['wasserstein', Number.POSITIVE_INFINITY, false], ['wasserstein', -1, false],
  ];
  for (const [id, t, ok] of cases) assert.equal(fitsThreshold(getDriftMethod(id), t), ok, `${id} ${t}`);
});

test('a run threshold is checked against every method it applies to: the requested one where it fits the kind, else the automatic one', () => {
  assert.deepEqual(thresholdProblem(1.5, ['numerical', 'categorical'], 5000)?.methods, ['jensenshannon']); // wasserstein is unbounded
  assert.equal(thresholdProblem(1.5, ['numerical'], 5000), null);
  assert.deepEqual(thresholdProblem(1.5, ['numerical', 'categorical'], 40)?.methods, ['ks', 'chisquare']);
  assert.equal(thresholdProblem(1.5, ['numerical', 'categorical'], 40, { method: 'psi' }), null);
  assert.deepEqual(thresholdProblem(3, ['numerical', 'categorical'], 40, { method: 'wasserstein' })?.methods, ['chisquare']);
  assert.match(thresholdProblem(0, ['numerical'], 40, { method: 'psi' })?.message ?? '', /^threshold 0 does not fit drift method psi \(a distance > 0\); valid thresholds: chisquare: a p-value in \(0, 1\]; hellinger: a distance in \(0, 1\]; jensenshannon: a distance in \(0, 1\]; ks: a p-value in \(0, 1\]; psi: a distance > 0; wasserstein: a distance > 0$/);
});
