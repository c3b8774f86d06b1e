import { test } from 'node:test';
import assert from 'node:assert/strict';
import { quantileSorted } from '../stats/quantile.js';
import { CategoricalSummary } from './categorical.js';
import { isStoredLabels, labelSummary, loadLabels, referenceLabels, storeLabels } from './label-summary.js';
import { NumericSummary } from './numeric.js';

test('regression labels: texts of numbers read as numbers; blank, non-numeric and non-finite texts are missing', () => {
  const s = labelSummary('regression', ['1.5', ' 3 ', '', 'nan', 'x', 'Infinity', 2, null], null, 7);
  assert.ok(s instanceof NumericSummary);
  assert.equal(s.count, 3);
  assert.equal(s.missing, 5);
  assert.equal(s.sum, 6.5);
});

test('classifier labels: one class per canonical key as the realized metrics read them (1, "1.0"; "yes", " yes"), a class called "none" included; null and blanks are missing', () => {
  const s = labelSummary('binary', ['yes', 'no', 'none', ' yes', null, '', '  ', 1, '1.0', '1'], null, 7);
  assert.ok(s instanceof CategoricalSummary);
  assert.deepEqual(Object.fromEntries(s.counts), { yes: 2, no: 1, none: 1, 1: 3 });
  assert.equal(s.missing, 3);
});

test('a regression reference is binned on its labels\' exact deciles (numpy.quantile, linear)', () => {
  const labels = Array.from({ length: 101 }, (_, i) => String((i * 37) % 101));
  const s = referenceLabels('regression', [...labels, null, 'n/a'], 3);
  assert.ok(s instanceof NumericSummary);
  const sorted = Float64Array.from(labels.map(Number)).sort();
  assert.deepEqual(s.edges, [1, 2, 3, 4, 5, 6, 7, 8, 9].map((k) => quantileSorted(sorted, k / 10)));
  assert.equal(s.missing, 2);
});

test('stored and loaded back: the same summary (numeric bytes as base64, class counts as JSON), recognised as stored labels', () => {
  const n = referenceLabels('regression', Array.from({ length: 500 }, (_, i) => i / 7), 11);
  const c = referenceLabels('multiclass', ['a', 'b', 'b', 'c'], 11);
  for (const s of [n, c]) {
    const stored = JSON.parse(JSON.stringify(storeLabels(s))) as unknown;
    assert.ok(isStoredLabels(stored));
    const back = loadLabels(stored, 11);
    assert.deepEqual(back instanceof NumericSummary ? back.toState() : (back as CategoricalSummary).toState(), s instanceof NumericSummary ? s.toState() : s.toState());
  }
  assert.equal(isStoredLabels({}), false);
  assert.equal(isStoredLabels({ n: 3 }), false);
  assert.equal(isStoredLabels(null), false);
});

test('more classes than the category cap (200): every declared class kept, else the 200 most frequent whatever their order; the current side folded on the reference\'s classes', () => {
  const classes = Array.from({ length: 250 }, (_, i) => `c${String(i).padStart(3, '0')}`);
  const declared = referenceLabels('multiclass', classes, 1, classes.length);
  assert.ok(declared instanceof CategoricalSummary);
  assert.equal(declared.counts.size, 250);
  assert.equal(declared.other, 0);
  // c200..c249 twice as frequent, met last: kept (the first 200 met were kept before audit 19)
  const free = referenceLabels('multiclass', [...classes, ...classes.slice(200)], 1);
  assert.ok(free instanceof CategoricalSummary);
  assert.equal(free.counts.size, 200);
  assert.equal(free.counts.get('c249'), 2);
  assert.equal(free.other, 50);
  const cur = labelSummary('multiclass', [...classes].reverse(), null, 0, free);
  assert.ok(cur instanceof CategoricalSummary);
  assert.deepEqual([...cur.counts.keys()].sort(), [...free.counts.keys()].sort());
  assert.equal(cur.other, 50);
});

test('labels of classes the reference does not name: kept as new classes (drift), but at most 200 of them, the rest in the bucket', () => {
  const ref = referenceLabels('binary', ['no', 'yes', 'no'], 1);
  const ids = Array.from({ length: 5000 }, (_, i) => `id-${i}`); // an id sent as the label, 5,000 times
  const cur = labelSummary('binary', ['no', 'yes', 'maybe', 'maybe', ...ids], null, 0, ref);
  assert.ok(cur instanceof CategoricalSummary);
  assert.equal(cur.counts.size, 2 + 200);
  assert.equal(cur.counts.get('maybe'), 2, 'the most frequent unseen class kept');
  assert.equal(cur.other, 5000 - 199);
  assert.equal(cur.count, 5004);
});
