import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kolmogorovSf } from './kolmogorov-asymptotic.js';
import { kstwoSf } from './kolmogorov.js';

test('kolmogorovSf matches scipy.special.kolmogorov on both sides of x = 1', () => {
  // scipy.special.kolmogorov(x) for these x (computed with scipy on this machine).
  const cases: Array<[number, number]> = [
    [0.2, 0.999999999999495], [0.5, 0.9639452436648751], [0.8, 0.5441424115741981], [1.0, 0.26999967167735456],
    [1.36, 0.049485876755377876], [1.63, 0.009846364888486529], [2.0, 0.0006709252557796953], [3.0, 3.045995948942526e-08],
  ];
  for (const [x, want] of cases) assert.ok(Math.abs(kolmogorovSf(x) - want) <= 1e-9 * Math.max(1, want) + 1e-15, `x=${x}: ${kolmogorovSf(x)} vs ${want}`);
  assert.equal(kolmogorovSf(0), 1);
  assert.equal(kolmogorovSf(40), 0);
});

test('the limiting distribution is close to the exact kstwo.sf for large n (the sketch case)', () => {
  for (const n of [2664, 10_000]) {
    for (const d of [0.005, 0.01, 0.02, 0.03, 0.05]) {
      const exact = kstwoSf(d, n);
      const asym = kolmogorovSf(d * Math.sqrt(n));
      assert.ok(Math.abs(asym - exact) < 0.02, `n=${n} d=${d}: ${asym} vs ${exact}`);
    }
  }
});
