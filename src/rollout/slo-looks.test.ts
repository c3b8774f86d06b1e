import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ArmSnapshot } from '../core/rollout/analysis.js';
import { seededRandom } from '../core/random/rng.js';
import type { Look } from '../core/rollout/spending.js';
import { sloBreach, sloLevel } from './slo.js';
import { checkRolloutSpec } from './spec.js';
import { binomialSfAtLeast } from '../core/stats/binomial.js';

/** The highest count of a Binomial(n, p) not in its upper 0.1% tail (P(X > k) < 0.001). */
function upperTolerance(n: number, p: number): number {
  let k = 0;
  while (binomialSfAtLeast(k + 1, n, p) >= 0.001) k++;
  return k;
}

const armOf = (n: number, errors: number): ArmSnapshot => ({
  n, errors, p95Ms: 10, slowerThan: (ms) => ({ slower: 0, of: n - errors, aboveMs: ms }), categories: new Map(), numeric: [], meanConfidence: null,
});

test('audit 6: 4000 bake periods of a version failing exactly at its 5% objective (seeded; 720 looks of 10 requests, the defaults) breach the SLO at most slo.errorRateAlpha (1%) of the time within binomial tolerance; the old rule (interim looks at 0.001, the last at 0.01) did not', (t) => {
  // numpy/scipy simulation of both rules (20000 bake periods): old 2.09%, new 0.875%
  const r = checkRolloutSpec({ candidate: '1.1.0', policy: 'blue-green' });
  assert.equal(r.bakeMs, 3_600_000);
  const runs = 4000;
  const looks = 720;
  const rng = seededRandom(4122026);
  let breachedNew = 0;
  let breachedOld = 0;
  for (let run = 0; run < runs; run++) {
    let n = 0;
    let errors = 0;
    let prev = 0;
    let newDone = false;
    let oldDone = false;
    for (let i = 1; i <= looks && !(newDone && oldDone); i++) {
      for (let j = 0; j < 10; j++) if (rng.next() < 0.05) errors++;
      n += 10;
      const look: Look = { prev, t: i / looks, final: i === looks };
      prev = look.t;
      const a = armOf(n, errors);
      if (!newDone && sloBreach(a, r.slo, sloLevel(r, look)) !== null) newDone = true;
      if (!oldDone && sloBreach(a, r.slo, look.final ? 0.01 : 0.001) !== null) oldDone = true;
    }
    if (newDone) breachedNew++;
    if (oldDone) breachedOld++;
  }
  const limit = upperTolerance(runs, 0.01);
  const pct = (k: number): string => `${(k / runs * 100).toFixed(2)}%`;
  assert.ok(breachedOld > limit, `the old rule: ${breachedOld} of ${runs} (${pct(breachedOld)}), expected above ${limit}`);
  assert.ok(breachedNew <= limit, `${breachedNew} of ${runs} versions at their objective rolled back (${pct(breachedNew)}): more than ${limit} (1% within binomial tolerance)`);
  t.diagnostic(`new rule ${breachedNew} of ${runs} (${pct(breachedNew)}), old rule ${breachedOld} (${pct(breachedOld)}), limit ${limit}`);
});
