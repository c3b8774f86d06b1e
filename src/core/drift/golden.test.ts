import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertClose, loadGolden } from '../../../test/helpers/golden.js';
import { binCountsSorted } from '../stats/binning.js';
import { featureDrift } from './feature.js';
import { categoricalSample, numericalSample } from './sample.js';

interface NumCase {
  name: string;
  a: (number | null)[];
  b: (number | null)[];
  expected: null | {
    ks: { statistic: number; pValue: number };
    wasserstein: number;
    wassersteinNormalized: number | null;
    binEdges: number[];
    referenceBinCounts: number[];
    currentBinCounts: number[];
    psi: number;
    jensenShannon: number;
    hellinger: number;
    outOfRange: number;
  };
}
interface CatCase {
  name: string;
  a: (string | null)[];
  b: (string | null)[];
  expected: null | {
    chiSquare: { statistic: number; pValue: number; dof: number };
    psi: number;
    jensenShannon: number;
    hellinger: number;
    newCategories: string[];
  };
}

const golden = loadGolden<{ numerical: NumCase[]; categorical: CatCase[] }>('drift');

describe('numerical drift statistics match scipy (test/golden/drift.json)', () => {
  for (const c of golden.numerical) {
    test(c.name, () => {
      const ref = numericalSample(c.a);
      const cur = numericalSample(c.b);
      const r = featureDrift('x', ref, cur);
      const e = c.expected;
      if (e === null) {
        assert.equal(r.score, null);
        assert.equal(r.drifted, false);
        assert.match(r.note ?? '', /no non-missing values/);
        return;
      }
      const s = r.stats;
      assertClose(s.ks?.statistic ?? null, e.ks.statistic, 'ks statistic');
      assertClose(s.ks?.pValue ?? null, e.ks.pValue, 'ks p-value', { pValue: true });
      assertClose(s.wasserstein ?? null, e.wasserstein, 'wasserstein');
      assertClose(s.wassersteinNormalized ?? null, e.wassersteinNormalized, 'wasserstein normalised');
      assert.deepEqual(s.binEdges, e.binEdges, 'bin edges (numpy.quantile deciles)');
      assert.deepEqual(binCountsSorted(ref.sorted, e.binEdges), e.referenceBinCounts);
      assert.deepEqual(binCountsSorted(cur.sorted, e.binEdges), e.currentBinCounts);
      assertClose(s.psi ?? null, e.psi, 'psi');
      assertClose(s.jensenShannon ?? null, e.jensenShannon, 'jensen-shannon');
      assertClose(s.hellinger ?? null, e.hellinger, 'hellinger');
      assertClose(s.quality.outOfRange, e.outOfRange, 'out of range share');
      assert.equal(s.quality.missingReference, c.a.filter((v) => v === null).length / c.a.length);
      assert.equal(s.quality.missingCurrent, c.b.filter((v) => v === null).length / c.b.length);
    });
  }
});

describe('categorical drift statistics match scipy (test/golden/drift.json)', () => {
  for (const c of golden.categorical) {
    test(c.name, () => {
      const r = featureDrift('x', categoricalSample(c.a), categoricalSample(c.b));
      const e = c.expected;
      if (e === null) {
        assert.equal(r.score, null);
        assert.match(r.note ?? '', /no non-missing values/);
        return;
      }
      const s = r.stats;
      assertClose(s.chiSquare?.statistic ?? null, e.chiSquare.statistic, 'chi2 statistic');
      assertClose(s.chiSquare?.pValue ?? null, e.chiSquare.pValue, 'chi2 p-value', { pValue: true });
      assert.equal(s.chiSquare?.dof, e.chiSquare.dof);
      assertClose(s.psi ?? null, e.psi, 'psi');
      assertClose(s.jensenShannon ?? null, e.jensenShannon, 'jensen-shannon');
      assertClose(s.hellinger ?? null, e.hellinger, 'hellinger');
      assert.deepEqual(s.newCategories, e.newCategories);
    });
  }
});
