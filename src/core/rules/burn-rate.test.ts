import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BURN_RULES, BURN_WINDOW_NAMES, burnRate, burnRulesFor, firingRules, type BurnRule, type BurnWindow, type GoodTotal } from './burn-rate.js';

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

  test('issue 4 (audit 4): burn factors spend the same share of the budget whatever the SLO window (Sloth: share x period / long window)', () => {
    const table = (rules: readonly BurnRule[]): Array<[string, string, number]> => rules.map((r) => [r.severity, r.long, r.factor]);
    // 30 days: the workbook's table, exactly
    assert.deepEqual(table(BURN_RULES), [['page', '1h', 14.4], ['page', '6h', 6], ['ticket', '1d', 3], ['ticket', '3d', 1]]);
    const close = (got: Array<[string, string, number]>, want: Array<[string, string, number]>): void => {
      assert.deepEqual(got.map(([s, w]) => [s, w]), want.map(([s, w]) => [s, w]));
      got.forEach(([, , f], i) => assert.ok(Math.abs(f - (want[i]?.[2] as number)) < 1e-12, `${f} vs ${want[i]?.[2]}`));
    };
    // 28 days (Sloth's example period): 13.44x, 5.6x, 2.8x, 0.933x; 7 days: 3.36x, 1.4x, 0.7x, 0.233x
    close(table(burnRulesFor(28)), [['page', '1h', 13.44], ['page', '6h', 5.6], ['ticket', '1d', 2.8], ['ticket', '3d', 28 / 30]]);
    close(table(burnRulesFor(7)), [['page', '1h', 3.36], ['page', '6h', 1.4], ['ticket', '1d', 0.7], ['ticket', '3d', 7 / 30]]);
    // a 2-day SLO has no 3-day rule (its long window would outlast the SLO window)
    close(table(burnRulesFor(2)), [['page', '1h', 0.96], ['page', '6h', 0.4], ['ticket', '1d', 0.2]]);
  });
});
