import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seededRandom } from '../random/rng.js';
import { baselineWindows, rollingMean, WEEK_MS } from './baseline.js';
import { burnRate, errorBudgetRemaining, firingRules, type BurnWindow, type GoodTotal } from './burn-rate.js';
import { baselineVerdict, thresholdVerdict } from './compare.js';
import { matchesAll } from './matchers.js';
import { cusumVerdict, ewmaVerdict } from './spc.js';
import { inTimeWindow } from './time-window.js';
import type { Level } from './types.js';

const LEVELS: Level[] = [{ severity: 'warning', threshold: 0.02 }, { severity: 'page', threshold: 0.05 }, { severity: 'critical', threshold: 0.1, action: 'rollback' }];

function normal(r: ReturnType<typeof seededRandom>): number {
  return Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
}

describe('issue 4: monitor rules (pure)', () => {
  test('multi-level severity on a relative drop vs the baseline', () => {
    assert.equal(baselineVerdict(0.89, 0.9, 500, 100, LEVELS, 'below', 'relative').status, 'ok');
    assert.equal(baselineVerdict(0.88, 0.9, 500, 100, LEVELS, 'below', 'relative').status, 'warning');
    assert.equal(baselineVerdict(0.85, 0.9, 500, 100, LEVELS, 'below', 'relative').status, 'page');
    const crit = baselineVerdict(0.8, 0.9, 500, 100, LEVELS, 'below', 'relative');
    assert.equal(crit.status, 'critical');
    assert.equal(crit.level?.action, 'rollback');
    assert.ok(Math.abs((crit.change ?? 0) - 0.1 / 0.9) < 1e-12);
    assert.equal(crit.threshold, 0.1);
    // a rise of accuracy is never bad
    assert.equal(baselineVerdict(0.99, 0.9, 500, 100, LEVELS, 'below', 'relative').status, 'ok');
  });

  test('minimum-sample guard says insufficient_data instead of a verdict', () => {
    const v = thresholdVerdict(0.9, 20, 100, [{ severity: 'page', threshold: 0.5 }], 'above');
    assert.equal(v.status, 'insufficient_data');
    assert.match(v.note ?? '', /20 samples < minSamples 100/);
    assert.equal(thresholdVerdict(0.9, 100, 100, [{ severity: 'page', threshold: 0.5 }], 'above').status, 'page');
    assert.equal(thresholdVerdict(null, 1000, 100, [{ severity: 'page', threshold: 0.5 }], 'above').status, 'insufficient_data');
  });

  test('rolling baseline: same weekday/hour of previous weeks', () => {
    const t = Date.UTC(2026, 0, 12, 9);
    assert.deepEqual(baselineWindows(t, 3_600_000, 3, 'weekly'), [t - WEEK_MS, t - 2 * WEEK_MS, t - 3 * WEEK_MS]);
    assert.deepEqual(baselineWindows(t, 3_600_000, 2, 'none'), [t - 3_600_000, t - 7_200_000]);
    assert.equal(rollingMean([1, null, 3]), 2);
    assert.equal(rollingMean([null, 1], 2), null);
  });

  test('EWMA and CUSUM tell random variance from a real shift', () => {
    const r = seededRandom(7);
    const history = Array.from({ length: 48 }, () => 100 + normal(r) * 5);
    const levels: Level[] = [{ severity: 'page', threshold: 3 }];
    const cLevels: Level[] = [{ severity: 'page', threshold: 5 }];
    let falseAlarms = 0;
    for (let i = 0; i < 200; i++) {
      const recent = Array.from({ length: 6 }, () => 100 + normal(r) * 5);
      if (ewmaVerdict(history, recent, 1000, 10, levels, 'above').status !== 'ok') falseAlarms++;
      if (cusumVerdict(history, recent, 1000, 10, cLevels, 'above').status !== 'ok') falseAlarms++;
    }
    assert.ok(falseAlarms <= 20, `false alarms ${falseAlarms}/400 (expected under 5%)`);
    const shifted = Array.from({ length: 6 }, () => 108 + normal(r) * 5);
    assert.equal(ewmaVerdict(history, shifted, 1000, 10, levels, 'above').status, 'page');
    assert.equal(cusumVerdict(history, shifted, 1000, 10, cLevels, 'above').status, 'page');
    // the same shift downward is not bad for an "above" monitor
    const down = shifted.map((x) => 200 - x);
    assert.equal(ewmaVerdict(history, down, 1000, 10, levels, 'above').status, 'ok');
    assert.equal(ewmaVerdict(history.slice(0, 3), shifted, 1000, 10, levels, 'above').status, 'insufficient_data');
  });

  test('burn rates: 14.4x over 1h and 5m pages; low-traffic guard; budget remaining', () => {
    const close = (a: number | null, b: number): void => assert.ok(a !== null && Math.abs(a - b) < 1e-9, `${a} != ${b}`);
    close(burnRate({ good: 990, total: 1000 }, 0.999), 10);
    close(errorBudgetRemaining({ good: 9995, total: 10000 }, 0.999), 0.5);
    const ok: GoodTotal = { good: 1000, total: 1000 };
    const counts = (over: Partial<Record<BurnWindow, GoodTotal>>): Record<BurnWindow, GoodTotal> => ({
      '5m': ok, '30m': ok, '1h': ok, '2h': ok, '6h': ok, '1d': ok, '3d': ok, ...over,
    });
    const burning: GoodTotal = { good: 980, total: 1000 }; // 2% errors = 20x of a 99.9% SLO
    const f = firingRules(counts({ '1h': burning, '5m': burning }), 0.999, 10);
    assert.deepEqual(f.map((x) => [x.severity, x.long, x.short]), [['page', '1h', '5m']]);
    // long window burning but the short one recovered: resolved
    assert.deepEqual(firingRules(counts({ '1h': burning }), 0.999, 10), []);
    // one bad request out of 3: no page (guard)
    assert.deepEqual(firingRules(counts({ '1h': burning, '5m': { good: 2, total: 3 } }), 0.999, 10), []);
  });

  test('matchers and time windows', () => {
    assert.ok(matchesAll([{ name: 'model', value: 'churn' }, { name: 'metric', value: 'drift.*', isRegex: true }], { model: 'churn', metric: 'drift:x' }));
    assert.ok(!matchesAll([{ name: 'metric', value: 'drift', isRegex: true }], { metric: 'drift:x' }));
    assert.ok(matchesAll([{ name: 'env', value: 'prod', isNegative: true }], { env: 'dev' }));
    const w = { name: 'retrain', weekdays: [0], startTime: '23:00', endTime: '02:00' };
    assert.ok(inTimeWindow(w, Date.UTC(2026, 0, 4, 23, 30))); // Sunday 23:30
    assert.ok(inTimeWindow(w, Date.UTC(2026, 0, 5, 1, 0))); // Monday 01:00 (wrapped)
    assert.ok(!inTimeWindow(w, Date.UTC(2026, 0, 5, 2, 0)));
    assert.ok(inTimeWindow({ name: 'm', startsAt: 10, endsAt: 20 }, 10));
    assert.ok(!inTimeWindow({ name: 'm', startsAt: 10, endsAt: 20 }, 20));
  });
});
