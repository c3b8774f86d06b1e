import { test } from 'node:test';
import assert from 'node:assert/strict';
import { categoryBars, overlayHistogram } from './histogram.js';

const sum = (a: number[]): number => a.reduce((s, x) => s + x, 0);

test('overlay histogram: shared edges, shares sum to 1, outliers in the outer bins', () => {
  const ref = Float64Array.from({ length: 1000 }, (_, i) => i / 1000);
  const cur = Float64Array.from([...Array.from({ length: 999 }, (_, i) => 0.5 + i / 2000), 1e9]);
  const h = overlayHistogram(ref, cur, 20);
  assert.equal(h.edges.length, 21);
  assert.equal(h.reference.length, 20);
  assert.ok(Math.abs(sum(h.reference) - 1) < 1e-12);
  assert.ok(Math.abs(sum(h.current) - 1) < 1e-12);
  assert.ok((h.edges[20] as number) < 2, 'range ignores the extreme outlier');
  assert.ok((h.current[19] as number) > 0, 'the outlier is counted in the last bin');
  assert.equal(h.current[0], 0);
});

test('overlay histogram of a constant column still has a width', () => {
  const h = overlayHistogram(new Float64Array([2, 2, 2]), new Float64Array([2]), 4);
  assert.equal(h.edges[0], 1.5);
  assert.equal(h.edges[4], 2.5);
  assert.ok(Math.abs(sum(h.reference) - 1) < 1e-12);
});

test('category bars keep the top categories and fold the rest into "other"', () => {
  const ref = new Map(Array.from({ length: 30 }, (_, i) => [`c${i}`, 30 - i] as [string, number]));
  const cur = new Map([['c0', 10], ['new', 5]]);
  const b = categoryBars(ref, cur, 5);
  assert.equal(b.categories.length, 6);
  assert.equal(b.categories[0], 'c0');
  assert.match(b.categories[5] ?? '', /^\(other: \d+\)$/);
  assert.ok(Math.abs(sum(b.reference) - 1) < 1e-12);
  assert.ok(Math.abs(sum(b.current) - 1) < 1e-12);
});
