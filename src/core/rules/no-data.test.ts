import assert from 'node:assert/strict';
import { test } from 'node:test';
import { thresholdVerdict } from './compare.js';
import { applyNoData } from './no-data.js';
import type { Level } from './types.js';

const LEVELS: Level[] = [{ severity: 'page', threshold: 0.5, action: 'rollback' }, { severity: 'warning', threshold: 0.2 }];

test('noData: keep leaves insufficient_data; ok resolves; alerting fires at the lowest level without its action', () => {
  const none = thresholdVerdict(null, 0, 10, LEVELS, 'above');
  assert.equal(applyNoData(none, 'keep', LEVELS), none);
  assert.equal(applyNoData(none, 'ok', LEVELS).status, 'ok');
  const fired = applyNoData(none, 'alerting', LEVELS);
  assert.equal(fired.status, 'warning');
  assert.equal(fired.level, undefined);
  assert.match(fired.note ?? '', /^no data \(noData: alerting\): 0 samples < minSamples 10/);
  const verdict = thresholdVerdict(0.6, 100, 10, LEVELS, 'above');
  assert.equal(applyNoData(verdict, 'ok', LEVELS), verdict, 'a verdict is left alone');
});
