import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kstwoSf, kolmogn } from './kolmogorov.js';
import { smirnov, SMIRNOV_FAST_MIN_N } from './kolmogorov-smirnov.js';
import { frexp, ldexp } from './kolmogorov-dd.js';
import { loadGolden, assertClose } from '../../../test/helpers/golden.js';

interface KstwoCase { d: number; n: number; sf: number | string }
interface Golden { kstwo: KstwoCase[] }

const golden = loadGolden<Golden>('ks');

test('kstwoSf matches scipy.stats.kstwo.sf', () => {
  assert.ok(golden.kstwo.length > 500);
  for (const c of golden.kstwo) {
    assertClose(kstwoSf(c.d, c.n), c.sf, `kstwo.sf(${c.d}, ${c.n})`, { pValue: true });
  }
});

test('kstwoSf edge cases', () => {
  assert.ok(Number.isNaN(kstwoSf(0.5, 0)));
  assert.ok(Number.isNaN(kstwoSf(0.5, 2.5)));
  assert.ok(Number.isNaN(kstwoSf(NaN, 10)));
  assert.equal(kstwoSf(0, 10), 1);
  assert.equal(kstwoSf(0.05, 10), 1);
  assert.equal(kstwoSf(1, 10), 0);
  assert.equal(kstwoSf(1.5, 10), 0);
});

test('kolmogn cdf + sf == 1', () => {
  for (const n of [3, 50, 200, 5000]) {
    for (const x of [0.01, 0.05, 0.1, 0.3, 0.6]) {
      const s = kolmogn(n, x, false) + kolmogn(n, x, true);
      assert.ok(Math.abs(s - 1) < 1e-12, `n=${n} x=${x}: ${s}`);
    }
  }
});

test('smirnov fast double-precision terms agree with the double-double cephes loop', () => {
  let worst = 0;
  for (const n of [50, 141, 1000, 5000, SMIRNOV_FAST_MIN_N + 1, 60000]) {
    for (const c of [0.5, 1, 2.2, 4, 10, 40, 100, 300]) {
      const x = Math.sqrt(c / n);
      if (x >= 0.5) continue;
      const dd = smirnov(n, x, Infinity);
      const fast = smirnov(n, x, 0);
      const rel = Math.abs(fast - dd) / dd;
      worst = Math.max(worst, rel);
      assert.ok(rel < 1e-11, `n=${n} x=${x}: dd ${dd} fast ${fast} rel ${rel}`);
    }
  }
  assert.ok(worst < 1e-11);
});

test('frexp / ldexp are exact', () => {
  for (const x of [1, 0.5, 3, 1e-310, -7.5e300, 5e-324, 2.2250738585072014e-308]) {
    const [m, e] = frexp(x);
    assert.ok(Math.abs(m) >= 0.5 && Math.abs(m) < 1, `${x}`);
    assert.equal(ldexp(m, e), x);
  }
  assert.equal(ldexp(1, -1074), 5e-324);
  assert.equal(ldexp(1, -1075), 0);
  assert.equal(ldexp(1.5, -1075), 5e-324);
  assert.equal(ldexp(1, 1024), Infinity);
});
