import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AlertRecord } from '../../storage/alerts.js';
import { findings, rowAlerts, statusCells, worstSeverity, type OverviewRow } from './status-rows.js';

const health = (events: number, errors: number): OverviewRow['health'] => ({
  events, throughputPerSecond: 0, errorRate: events > 0 ? errors / events : null, latencyMs: { p50: null, p95: 12.34, p99: null, mean: null, max: null },
  costPerInferenceUsd: null, costUsd: 0, costEvents: 0,
});
const drift = (drifted: number, features: number): OverviewRow['drift'] => ({
  datasetDrift: { share: drifted / features, drifted: drifted / features >= 0.5, threshold: 0.5, driftedFeatures: drifted, features }, driftedFeatures: [],
});
const alert = (id: string, model: string, version: string | null, severity: string, more: Partial<AlertRecord> = {}): AlertRecord => ({
  id, fingerprint: id, monitorId: 'm', model, version, severity, state: 'open', falsePositive: false, labels: {}, startsAt: 0, endsAt: null, updatedAt: 0,
  silenced: false, inhibited: false, context: {}, ...more,
});

test('an alert naming no version is on every row of its model; the worst severity is by rank, not by name', () => {
  const alerts = [alert('a', 'm', '1', 'warning'), alert('b', 'm', null, 'page'), alert('c', 'm', '2', 'critical'), alert('d', 'other', null, 'critical')];
  assert.deepEqual(rowAlerts({ model: 'm', version: '1' }, alerts).map((a) => a.id), ['a', 'b']);
  assert.deepEqual(rowAlerts({ model: 'm', version: '2' }, alerts).map((a) => a.id), ['b', 'c']);
  assert.equal(worstSeverity(rowAlerts({ model: 'm', version: '1' }, alerts)), 'page');
  assert.equal(worstSeverity([alert('x', 'm', '1', 'ticket'), alert('y', 'm', '1', 'warning')]), 'ticket');
  assert.equal(worstSeverity([]), null);
});

test('findings: only the checks asked; silenced and inhibited alerts do not count, acknowledged ones do; the error rate must be above the maximum', () => {
  const rows: OverviewRow[] = [
    { model: 'm', version: '1', health: health(100, 5), drift: drift(2, 2) },
    { model: 'n', version: '1', health: health(0, 0), drift: null },
  ];
  const alerts = [alert('s', 'n', '1', 'page', { silenced: true }), alert('i', 'n', '1', 'page', { inhibited: true }), alert('k', 'm', '1', 'warning', { state: 'acknowledged' })];
  assert.deepEqual(findings(rows, alerts, [], 0.05), []);
  assert.deepEqual(findings(rows, alerts, ['drift', 'alerts', 'errors'], 0.05).map((f) => [f.model, f.check]), [['m', 'drift'], ['m', 'alerts']], '5% is not above 5%');
  assert.deepEqual(findings(rows, alerts, ['errors'], 0.04).map((f) => [f.model, f.detail]), [['m', 'error rate 5.00% > 4.00%']]);
  // an alert of a model without a row still counts
  assert.deepEqual(findings(rows, [alert('z', 'gone', null, 'critical')], ['alerts'], 0.05).map((f) => [f.model, f.version, f.check]), [['gone', '-', 'alerts']]);
});

test('cells: "no reference", "no events" (not "0/2 (0%)"), muted alerts counted apart', () => {
  const alerts = [alert('s', 'n', '1', 'page', { silenced: true })];
  assert.deepEqual(statusCells({ model: 'm', version: '1', health: health(100, 5), drift: drift(1, 2) }, [], false), ['m', '1', '100', '5.00%', '12.3', '1/2 (50%) drift!', '0']);
  assert.deepEqual(statusCells({ model: 'n', version: '1', health: health(0, 0), drift: drift(0, 2) }, alerts, false), ['n', '1', '0', '-', '12.3', 'no events', '0 (+1 muted)']);
  assert.deepEqual(statusCells({ model: 'n', version: '1', health: health(3, 0), drift: null }, [], false).slice(5), ['no reference', '0']);
  const perf = (realized: number | null, estimated: number | null): OverviewRow['performance'] => ({ realized: realized === null ? null : { metrics: { mae: { value: realized } } }, estimated: estimated === null ? null : { accuracy: estimated }, labelled: realized === null ? 0 : 10 });
  assert.equal(statusCells({ model: 'm', version: '1', health: health(3, 0), drift: null, performance: perf(1.5, null) }, [], true)[6], 'mae 1.5000');
  assert.equal(statusCells({ model: 'm', version: '1', health: health(3, 0), drift: null, performance: perf(null, 0.8) }, [], true)[6], 'accuracy ~0.8000 (estimated)');
  assert.equal(statusCells({ model: 'm', version: '1', health: health(3, 0), drift: null, performance: perf(null, null) }, [], true)[6], 'no labels');
});
