import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AlertRecord } from '../../storage/alerts.js';
import { alertSummary } from './alert-summary.js';

const alert = (context: Record<string, unknown>, labels: Record<string, string> = {}): AlertRecord => ({
  id: 'a1', fingerprint: 'f', monitorId: 'mon', model: 'm', version: null, severity: 'page', state: 'open', falsePositive: false, labels,
  startsAt: 0, endsAt: null, updatedAt: 0, silenced: false, inhibited: false, context,
});

test('audit 24: an alert\'s summary says what fired and its value against the threshold, as each kind of alert has them', () => {
  const base = { monitor: 'eta: error rate', metric: 'errorRate', window: '1h', baseline: null, change: null };
  assert.equal(alertSummary(alert({ ...base, kind: 'threshold', direction: 'above', observed: 0.056140350877, compared: 0.056140350877, threshold: 0.03 })), 'eta: error rate: 0.05614 >= 0.03 (1h window)');
  // a threshold of a metric whose bad side is below (accuracy under 0.8)
  assert.equal(alertSummary(alert({ ...base, monitor: 'acc', kind: 'threshold', direction: 'below', observed: 0.71, compared: 0.71, threshold: 0.8 })), 'acc: 0.71 <= 0.8 (1h window)');
  // a baseline monitor: the change (always "above" is bad) against the threshold, beside the value and the baseline
  assert.equal(alertSummary(alert({ ...base, monitor: 'churn: accuracy vs reference', window: '1d', kind: 'baseline', direction: 'below', observed: 0.7448, baseline: 0.8444, compared: 0.1179, threshold: 0.1 })),
    'churn: accuracy vs reference: 0.7448 vs baseline 0.8444, change 0.1179 >= 0.1 (1d window)');
  assert.equal(alertSummary(alert({ ...base, kind: 'cusum', direction: 'below', observed: 0.5, compared: 6.2, threshold: 5 })), 'eta: error rate: 0.5, cusum statistic 6.2 >= 5 (1h window)');
  // fired by its noData policy: why there was no verdict
  assert.equal(alertSummary(alert({ ...base, kind: 'threshold', observed: null, compared: null, threshold: null, reason: '0 samples < minSamples 100' })), 'eta: error rate: 0 samples < minSamples 100');
  // an SLO's: its burn rate against the factor, and the budget left; its name is the alertname label
  assert.equal(alertSummary(alert({ metric: 'slo:availability', observed: 15.04, baseline: 1, threshold: 14.4, errorBudgetRemaining: 0.624 }, { alertname: 'eta availability' })), 'eta availability: burn rate 15.04 >= 14.4 (error budget left 62%)');
  // raised from outside: its words, and its figures when it sent some
  assert.equal(alertSummary(alert({ metric: 'feed', summary: 'feed stalled', observed: null, threshold: null })), 'feed stalled');
  assert.equal(alertSummary(alert({ metric: 'batch', summary: 'nightly scoring late', observed: 42 })), 'nightly scoring late (batch 42)');
  assert.equal(alertSummary(alert({ metric: 'batch', summary: 'late', observed: 42, threshold: 30 })), 'late (batch 42 vs threshold 30)');
  // a stored alert missing every field still has a line: the monitor id
  assert.equal(alertSummary(alert({})), 'mon: no value');
});

test('audit 27: a segment monitor\'s alert names its segment, decoded from its label', () => {
  const c = { monitor: 'm errorRate', metric: 'errorRate', window: '1h', kind: 'threshold', direction: 'above', observed: 0.25, compared: 0.25, threshold: 0.2, baseline: null };
  assert.equal(alertSummary(alert(c, { segment: 'region=S%C3%A3o%20Paulo&tier=gold' })), 'm errorRate (segment region=São Paulo&tier=gold): 0.25 >= 0.2 (1h window)');
  assert.equal(alertSummary(alert(c, { segment: 'region=bad%ZZ' })), 'm errorRate (segment region=bad%ZZ): 0.25 >= 0.2 (1h window)');
  assert.equal(alertSummary(alert(c)), 'm errorRate: 0.25 >= 0.2 (1h window)');
});
