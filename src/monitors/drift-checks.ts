import { driftMethodsFor, getDriftMethod } from '../core/drift/registry.js';
import type { VersionContext } from '../monitoring/catalog.js';
import { describeRange, fitsThreshold, validThresholds } from '../core/drift/threshold.js';
import { driftTargetKind } from '../monitoring/drift-query.js';
import { splitMetric } from '../monitoring/metric-name.js';
import { DefinitionError, type MonitorDefinition } from './definition.js';
import { DEFAULT_MONITOR_DRIFT_METHOD } from './metrics/summary-metrics.js';

/** The metrics whose value is one drift method's score (a p-value or a distance). */
const SCORE_METRICS: ReadonlySet<string> = new Set(['drift', 'predictionDrift', 'labelDrift']);

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

/**
 * Throws DefinitionError when a drift monitor's method does not apply to the kind of what it scores (`ks` or
 * `wasserstein` on a categorical feature, `chisquare` on a numerical one or on a regression model's prediction). `v`:
 * the version the monitor watches now (the one it pins, else the model's default: its serving alias's, else the newest);
 * undefined when the model has none yet, and then nothing can be checked: the evaluation says it in its note. A monitor
 * without a version is checked against the default one at declaration. Kinds come from the model's declaration: one re-declared so that the
 * method no longer applies is accepted, and the monitor is then misconfigured (MonitorService.problem: GET /v1/monitors,
 * the declaration's warnings); its evaluations give the note.
 */
export function checkDriftMethodKind(d: Pick<MonitorDefinition, 'model' | 'metric' | 'method'>, v: VersionContext | undefined): void {
  const { id, feature } = splitMetric(d.metric);
  if (v === undefined || d.method === undefined || !SCORE_METRICS.has(id)) return;
  const output = id === 'predictionDrift' ? 'prediction' : id === 'labelDrift' ? 'labels' : null;
  const kind = driftTargetKind(v, d.metric);
  const m = getDriftMethod(d.method);
  if (kind === undefined || m.kinds.includes(kind)) return; // a feature the version lacks: checkMonitorFeature's matter
  const what = output ? `the ${kind} ${output} of ${v.record.model}@${v.record.version} (a ${v.spec.outputKind} model)` : `${kind} feature "${feature ?? ''}" of ${v.record.model}@${v.record.version}`;
  const fits = driftMethodsFor(kind);
  throw new DefinitionError(`method ${m.id} does not apply to ${what}; methods for it: ${fits.join(', ')}`, { kind, methods: fits });
}
