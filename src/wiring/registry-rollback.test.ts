import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alertReason } from './registry-rollback.js';

test('issue 4/5: the rollback reason carries the alert context', () => {
  const detail = { severity: 'page', context: { metric: 'errorRate', observed: 0.123456, threshold: 0.05, baseline: null } };
  assert.equal(alertReason('alert a1 (page)', detail), 'alert a1 (page): errorRate observed 0.1235 vs threshold 0.05 (baseline n/a)');
  assert.equal(alertReason('manual', {}), 'manual');
});
