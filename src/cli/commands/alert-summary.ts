import { segmentSuffix } from '../../alerting/segment-text.js';
import type { AlertRecord } from '../../storage/alerts.js';

/** A figure as a person reads it: 4 significant digits (0.05614, 441.5, 12000), or null when it is not a number. */
function figure(x: unknown): string | null {
  if (typeof x !== 'number' || !Number.isFinite(x)) return null;
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(4)));
}

const text = (x: unknown): string | undefined => (typeof x === 'string' && x !== '' ? x : undefined);

/**
 * What an alert says in one line, for `lookout alerts list`'s summary column (audit 24: the table had the figures
 * alone, and an alert raised by POST /v1/alerts showed nothing of its own words): what fired and its value against
 * the threshold crossed, as the notifiers word it.
 * - a monitor's, its name and figures: "eta: error rate: 0.05614 >= 0.03 (1h window)"; of a baseline or rolling
 *   monitor the change from the baseline is what the threshold is checked against: "churn: accuracy vs reference:
 *   0.7478 vs baseline 0.8444, change 0.1144 >= 0.1 (1d window)"; fired by its noData policy, the reason;
 * - an SLO's: "eta availability: burn rate 14.6 >= 14.4 (error budget left 62%)";
 * - one raised from outside (POST /v1/alerts, a rollout's rollback): its own summary, and its figures when it has any.
 */
export function alertSummary(a: AlertRecord): string {
  const c = a.context;
  // a segment monitor's name is followed by its segment (audit 27: "m errorRate" of all traffic and of region=us read alike)
  const name = `${text(c['monitor']) ?? text(a.labels['alertname']) ?? a.monitorId}${segmentSuffix(a.labels)}`;
  const metric = text(c['metric']) ?? '';
  const observed = figure(c['observed']);
  const threshold = figure(c['threshold']);
  const own = text(c['summary']);
  if (own !== undefined) {
    if (observed === null) return own;
    return `${own} (${metric} ${observed}${threshold === null ? '' : ` vs threshold ${threshold}`})`;
  }
  if (metric.startsWith('slo:')) {
    const left = typeof c['errorBudgetRemaining'] === 'number' ? ` (error budget left ${Math.round(c['errorBudgetRemaining'] * 100)}%)` : '';
    return `${name}: burn rate ${observed ?? '-'}${threshold === null ? '' : ` >= ${threshold}`}${left}`;
  }
  const reason = text(c['reason']);
  if (reason !== undefined) return `${name}: ${reason}`;
  const window = text(c['window']) === undefined ? '' : ` (${String(c['window'])} window)`;
  const compared = figure(c['compared']);
  const baseline = figure(c['baseline']);
  // the bad side: the metric's direction for a threshold monitor, above for a change or a control statistic
  const kind = text(c['kind']) ?? 'threshold';
  const op = kind === 'threshold' && c['direction'] === 'below' ? '<=' : '>=';
  // the monitor's name says what it watches ("eta: latency p95"; by default "MODEL METRIC"): the metric is not repeated
  if (observed === null) return `${name}: no value${window}`;
  if (threshold === null || compared === null) return `${name}: ${observed}${window}`;
  if (kind === 'threshold') return `${name}: ${observed} ${op} ${threshold}${window}`;
  if (baseline !== null) return `${name}: ${observed} vs baseline ${baseline}, change ${compared} ${op} ${threshold}${window}`;
  return `${name}: ${observed}, ${kind} statistic ${compared} ${op} ${threshold}${window}`;
}
