import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BURN_WINDOW_NAMES, burnRate, firingRules, type BurnRule, type BurnWindow, type GoodTotal } from './burn-rate.js';

const counts = (c: GoodTotal): Record<BurnWindow, GoodTotal> => Object.fromEntries(BURN_WINDOW_NAMES.map((w) => [w, c])) as Record<BurnWindow, GoodTotal>;

describe('burn-rate rules (pure)', () => {
  test('a burn exactly at the factor does not fire (it spends the budget as planned); above it fires', () => {
    // objective 0.75: the budget is 0.25, an exact binary fraction; so are 1/2 and 5/8 errors (burn 2 and 2.5)
    const rule: BurnRule = { severity: 'ticket', factor: 2, long: '1h', short: '5m' };
    assert.equal(burnRate({ good: 4, total: 8 }, 0.75), 2);
    assert.deepEqual(firingRules(counts({ good: 4, total: 8 }), 0.75, 0, [rule]), [], 'burn 2 at factor 2: no alert');
    assert.deepEqual(firingRules(counts({ good: 3, total: 8 }), 0.75, 0, [rule]).map((f) => [f.factor, f.longRate, f.shortRate]), [[2, 2.5, 2.5]]);
    // the default rules: 1x over 3d and 6h is the last ticket rule; exactly 1x (a quarter of events bad) fires none
    assert.deepEqual(firingRules(counts({ good: 3, total: 4 }), 0.75, 0), []);
  });
});
