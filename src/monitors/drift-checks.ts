import { getDriftMethod } from '../core/drift/registry.js';
import { describeRange, fitsThreshold, validThresholds } from '../core/drift/threshold.js';
import { splitMetric } from '../monitoring/metric-name.js';
import { DefinitionError, type MonitorDefinition } from './definition.js';
import { DEFAULT_MONITOR_DRIFT_METHOD } from './metrics/summary-metrics.js';

/** The metrics whose value is one drift method's score (a p-value or a distance). */
const SCORE_METRICS: ReadonlySet<string> = new Set(['drift', 'predictionDrift']);

/**
 * Throws DefinitionError when a drift monitor compares its method's score with a level threshold the score cannot
 * mean anything against (kind "threshold"): a p-value level above 1 (every window fires, or none), a distance level
 * at or below 0, or above the largest value the distance takes (Hellinger, Jensen-Shannon: 1). Other rule kinds
 * compare a change or a control statistic, whose thresholds are not scores.
 */
export function checkDriftLevels(d: Pick<MonitorDefinition, 'metric' | 'method' | 'kind' | 'levels'>): void {
  if (d.kind !== 'threshold' || !SCORE_METRICS.has(splitMetric(d.metric).id)) return;
  const m = getDriftMethod(d.method ?? DEFAULT_MONITOR_DRIFT_METHOD);
  d.levels.forEach((l, i) => {
    if (fitsThreshold(m, l.threshold)) return;
    throw new DefinitionError(`levels[${i}].threshold ${l.threshold} does not fit drift method ${m.id} (${describeRange(m)}) of metric "${d.metric}"; valid thresholds: ${validThresholds()}`);
  });
}
