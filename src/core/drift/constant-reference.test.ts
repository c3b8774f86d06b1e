import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../random/rng.js';
import { decileEdges } from '../stats/binning.js';
import { NumericSummary } from '../summary/numeric.js';
import { featureDrift } from './feature.js';
import { featureDriftFromSummaries } from './from-summary.js';
import { numericalSample } from './sample.js';

// README: normalised Wasserstein is undefined for a constant reference (std 0): score 0 if current is identical,
// else null with drifted: true and a note. Values like 0.1 or 0.3 are not their own mean in floating point
// (n copies summed, divided by n), which must not turn the std into a rounding residue such as 1e-17.
test('a constant reference of 0.1 or 0.3 gives a null normalised Wasserstein, offline and from summaries', () => {
  for (const v of [0.1, 0.3, 0.7]) {
    for (const n of [10, 1000, 5001]) {
      const ref = new Array<number>(n).fill(v);
      const cur = [v, v + 0.01, v - 0.02, v + 0.03];
      const same = [v, v, v];
      const offline = featureDrift('x', numericalSample(ref), numericalSample(cur), { method: 'wasserstein' });
      assert.equal(offline.stats.quality.constantReference, true);
      assert.equal(offline.score, null, `offline, ${n} x ${v}: score ${offline.score}`);
      assert.equal(offline.drifted, true);
      assert.match(offline.note ?? '', /reference is constant/);
      assert.equal(featureDrift('x', numericalSample(ref), numericalSample(same), { method: 'wasserstein' }).score, 0);

      const edges = decileEdges(numericalSample(ref).sorted);
      const summary = (xs: number[], seed: number): NumericSummary => {
        const s = new NumericSummary(seededRandom(seed), edges);
        for (const x of xs) s.add(x);
        return s;
      };
      const served = featureDriftFromSummaries('x', summary(ref, 1), summary(cur, 2), n, { method: 'wasserstein' });
      assert.equal(served.score, null, `from summaries, ${n} x ${v}: score ${served.score}`);
      assert.equal(served.drifted, true);
      assert.equal(featureDriftFromSummaries('x', summary(ref, 1), summary(same, 3), n, { method: 'wasserstein' }).score, 0);
    }
  }
});
