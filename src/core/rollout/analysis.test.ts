import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyse, twoProportionP, type ArmSnapshot } from './analysis.js';

const arm = (over: Partial<ArmSnapshot> = {}): ArmSnapshot => ({
  n: 1000, errors: 5, p95Ms: 10, categories: new Map([['yes', 400], ['no', 600]]), numeric: [], meanConfidence: 0.8, ...over,
});

describe('issue 5: rollout step analysis', () => {
  test('two-proportion test: matches scipy (10/100 vs 20/100 pooled), one-sided p', () => {
    const { z, p } = twoProportionP(10, 100, 20, 100);
    const expectedZ = 0.1 / Math.sqrt(0.15 * 0.85 * 0.02);
    assert.ok(Math.abs(z - expectedZ) < 1e-12);
    assert.ok(Math.abs(p - 0.02383519032808) < 1e-9, `p=${p}`); // scipy.stats.norm.sf(1.9802950859533) 
    assert.ok(twoProportionP(20, 100, 10, 100).p > 0.9);
  });

  test('a healthy canary passes; a failing one fails with the numbers; too few samples gives no verdict', () => {
    const ok = analyse(arm({ errors: 6 }), arm(), { n: 500, disagreements: 10 });
    assert.equal(ok.pass, true);
    assert.equal(ok.fail, false);
    assert.deepStrictEqual(ok.checks.map((c) => c.name), ['errorRate', 'latencyP95', 'disagreement', 'drift', 'estimatedPerformance']);
    const bad = analyse(arm({ errors: 150 }), arm(), null);
    assert.equal(bad.fail, true);
    const er = bad.checks.find((c) => c.name === 'errorRate');
    assert.deepStrictEqual([er?.canary, er?.primary, er?.pass], [0.15, 0.005, false]);
    const slow = analyse(arm({ p95Ms: 40 }), arm(), null);
    assert.equal(slow.fail, true);
    assert.equal(slow.checks.find((c) => c.name === 'latencyP95')?.limit, 20);
    const shifted = analyse(arm({ categories: new Map([['yes', 900], ['no', 100]]) }), arm(), { n: 500, disagreements: 250 });
    assert.deepStrictEqual(shifted.checks.filter((c) => !c.pass).map((c) => c.name), ['disagreement', 'drift']);
    const few = analyse(arm({ n: 20, errors: 0, p95Ms: 100 }), arm(), null);
    assert.equal(few.insufficient, true);
    assert.equal(few.pass, false);
    assert.equal(few.fail, false, 'latency alone on 20 samples is not a verdict');
    const fewButBroken = analyse(arm({ n: 40, errors: 40 }), arm(), null);
    assert.equal(fewButBroken.fail, true, 'an error rate significantly worse fails even before minSamples');
  });

  test('regression predictions: decile-bin PSI', () => {
    const base = Array.from({ length: 500 }, (_, i) => i / 500);
    const same = analyse(arm({ categories: new Map(), numeric: base }), arm({ categories: new Map(), numeric: base }), null);
    assert.ok((same.checks.find((c) => c.name === 'drift')?.canary as number) < 1e-9);
    const moved = analyse(arm({ categories: new Map(), numeric: base.map((x) => x + 0.5) }), arm({ categories: new Map(), numeric: base }), null);
    assert.ok((moved.checks.find((c) => c.name === 'drift')?.canary as number) > 1);
  });
});
