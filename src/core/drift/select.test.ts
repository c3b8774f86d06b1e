import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseMethod } from './select.js';
import { getDriftMethod, knownDriftMethods, registerDriftMethod, UnknownDriftMethodError } from './registry.js';
import { datasetDrift } from './dataset.js';
import { featureDrift } from './feature.js';
import { categoricalSample, numericalSample } from './sample.js';
import type { FeatureDrift } from './types.js';

test('default choice follows the reference size: <= 1000 rows a test, else a distance', () => {
  assert.deepEqual(pick(chooseMethod('numerical', 1000)), ['ks', 0.05, true]);
  assert.deepEqual(pick(chooseMethod('numerical', 1001)), ['wasserstein', 0.1, true]);
  assert.deepEqual(pick(chooseMethod('categorical', 1000)), ['chisquare', 0.05, true]);
  assert.deepEqual(pick(chooseMethod('categorical', 1001)), ['jensenshannon', 0.1, true]);
});

test('overrides: a method applies where its kind fits, a threshold everywhere', () => {
  assert.deepEqual(pick(chooseMethod('numerical', 10, { method: 'psi' })), ['psi', 0.1, false]);
  assert.deepEqual(pick(chooseMethod('categorical', 10, { method: 'ks' })), ['chisquare', 0.05, true]);
  assert.deepEqual(pick(chooseMethod('numerical', 5000, { threshold: 0.3 })), ['wasserstein', 0.3, true]);
});

test('unknown method ids fail with the list of known ones; ids are unique', () => {
  assert.throws(() => getDriftMethod('nope'), (e: unknown) => e instanceof UnknownDriftMethodError && /known methods: chisquare, hellinger, jensenshannon, ks, psi, wasserstein/.test(e.message));
  assert.deepEqual(knownDriftMethods(), ['chisquare', 'hellinger', 'jensenshannon', 'ks', 'psi', 'wasserstein']);
  assert.throws(() => registerDriftMethod(getDriftMethod('ks')), /already registered/);
});

test('p-value methods drift below the threshold, distances at or above it', () => {
  const a = numericalSample(Array.from({ length: 200 }, (_, i) => i));
  const b = numericalSample(Array.from({ length: 200 }, (_, i) => i + 60));
  const ks = featureDrift('x', a, b);
  assert.equal(ks.method, 'ks');
  assert.ok(ks.score !== null && ks.score < 0.05 && ks.drifted);
  const same = featureDrift('x', a, a);
  assert.equal(same.score, 1);
  assert.equal(same.drifted, false);
  const psi = featureDrift('x', a, b, { method: 'psi', threshold: ks.stats.psi });
  assert.equal(psi.drifted, true, 'score == threshold counts as drift for distances');
});

test('constant reference: normalised Wasserstein is 0 when equal, null with drift when not', () => {
  const c = numericalSample(new Array<number>(2000).fill(3));
  assert.equal(featureDrift('x', c, c).score, 0);
  const moved = featureDrift('x', c, numericalSample(new Array<number>(2000).fill(4)));
  assert.equal(moved.method, 'wasserstein');
  assert.equal(moved.score, null);
  assert.equal(moved.drifted, true);
  assert.equal(moved.stats.quality.constantReference, true);
  assert.match(moved.note ?? '', /constant/);
});

test('missing values are excluded and counted; an all-missing side gives no verdict', () => {
  const r = featureDrift('x', numericalSample([1, 2, NaN, null, 3, Infinity]), numericalSample([null, null]));
  assert.equal(r.score, null);
  assert.equal(r.drifted, false);
  assert.equal(r.stats.quality.missingReference, 0.5);
  assert.equal(r.stats.quality.missingCurrent, 1);
  const cat = featureDrift('c', categoricalSample(['a', '', null, 'b']), categoricalSample(['a', 'c']));
  assert.equal(cat.stats.quality.missingReference, 0.5);
  assert.deepEqual(cat.stats.newCategories, ['c']);
});

test('dataset drift when the drifted share reaches the threshold', () => {
  const f = (drifted: boolean): FeatureDrift => ({ drifted } as FeatureDrift);
  assert.deepEqual(datasetDrift([f(true), f(false)]), { share: 0.5, drifted: true, threshold: 0.5, driftedFeatures: 1, features: 2 });
  assert.equal(datasetDrift([f(true), f(false), f(false)]).drifted, false);
  assert.equal(datasetDrift([f(true), f(false), f(false)], 0.3).drifted, true);
  assert.equal(datasetDrift([]).drifted, false);
});

function pick(c: ReturnType<typeof chooseMethod>): [string, number, boolean] {
  return [c.method.id, c.threshold, c.autoSelected];
}
