import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { baselineVerdict, thresholdVerdict } from './compare.js';
import type { Level } from './types.js';

describe('audit 3 (monitors): a change exactly at a level crosses it ("bad when >=")', () => {
  const at = (threshold: number): Level[] => [{ severity: 'page', threshold }];

  test('decimal changes that binary floating point puts a hair below the threshold still fire', () => {
    // accuracy 0.9 on the reference, 0.81 in the window: a 10% relative drop (0.09999999999999995 in doubles)
    const drop = baselineVerdict(0.81, 0.9, 500, 100, at(0.1), 'below', 'relative');
    assert.equal(drop.status, 'page');
    assert.equal(drop.change, 0.1, 'the change is reported as the decimal it is');
    // error rate 0.25 -> 0.30: an absolute rise of 0.05 (0.04999999999999999 in doubles)
    assert.equal(baselineVerdict(0.3, 0.25, 500, 100, at(0.05), 'above', 'absolute').status, 'page');
    // missing rate 0.06 -> 0.057 is a 5% relative fall
    assert.equal(baselineVerdict(0.057, 0.06, 500, 100, at(0.05), 'below', 'relative').status, 'page');
  });

  test('a change really below the threshold does not fire', () => {
    assert.equal(baselineVerdict(0.8101, 0.9, 500, 100, at(0.1), 'below', 'relative').status, 'ok');
    assert.equal(baselineVerdict(0.2999, 0.25, 500, 100, at(0.05), 'above', 'absolute').status, 'ok');
    // a change of a billionth of the threshold is a change, not rounding
    assert.equal(baselineVerdict(0.25 + 0.05 * (1 - 1e-9), 0.25, 500, 100, at(0.05), 'above', 'absolute').status, 'ok');
  });
});

test('a NaN value with enough samples is not reported as "samples < minSamples"', () => {
  const v = thresholdVerdict(Number.NaN, 500, 100, [{ severity: 'page', threshold: 1 }], 'above');
  assert.equal(v.status, 'insufficient_data');
  assert.doesNotMatch(v.note ?? '', /samples < minSamples/);
  assert.match(v.note ?? '', /NaN.*500 samples/);
  assert.match(thresholdVerdict(Number.NaN, 20, 100, [{ severity: 'page', threshold: 1 }], 'above').note ?? '', /20 samples < minSamples 100/);
});
