import { dashboardLink } from '../alerting/links.js';
import { monitorSegment, type MonitorDefinition } from './definition.js';
import { segmentQueryParam } from '../monitoring/segment-match.js';
import { splitMetric } from '../monitoring/metric-name.js';
import type { AffectedSegment, MonitorResult } from './evaluator.js';
import type { SloDefinition } from './slo.js';

/**
 * Alert category of a metric (inhibition rules match on it: data problems mute drift alerts). `labels`: ground truth
 * late or missing (labelDelay, labelCoverage); until audit 24 labelDelay was `data`, so by the default inhibition rule
 * labels arriving late muted the model's drift alerts, which do not depend on labels.
 */
export function categoryOf(metric: string): string {
  const id = splitMetric(metric).id;
  if (['drift', 'driftShare', 'predictionDrift', 'labelDrift', 'newCategoryRate', 'predictionRate'].includes(id)) return 'drift';
  if (['missingRate', 'freshness'].includes(id)) return 'data';
  if (['labelDelay', 'labelCoverage'].includes(id)) return 'labels';
  if (['latencyP50', 'latencyP95', 'latencyP99', 'errorRate', 'throughput', 'costPerInference'].includes(id)) return 'health';
  return 'performance';
}

/**
 * An alert's labels. `segment`: the segment the monitor measures, as its canonical key (monitorSegment: keys sorted,
 * values URI-encoded, as /segments lists it), so that two spellings of one segment ("tier=gold&region=eu",
 * "region=eu&tier=gold") are one label value: one notification group, one silence. Until audit 21 it was the monitor's
 * text (legacyMonitorLabels; alerts stored with it are carried over at start, MonitorService.load).
 */
export function monitorLabels(def: MonitorDefinition): Record<string, string> {
  const segment = monitorSegment(def);
  return { alertname: def.name, monitor: def.id, model: def.model, metric: def.metric, category: categoryOf(def.metric), ...(segment && { segment }), ...def.labels };
}


export function sloLabels(def: SloDefinition): Record<string, string> {
  return { alertname: def.name, slo: def.id, model: def.model, category: 'slo', ...def.labels };
}

/** Link to the dashboard view of the monitor's metric around the evaluated window (none without a dashboard URL). */
export function monitorLink(base: string, def: MonitorDefinition, at: number): { dashboardUrl?: string } {
  const q = new URLSearchParams({ metric: def.metric, monitor: def.id, from: String(at - 24 * def.windowMs), to: String(at) });
  // as the API's ?segment= takes it (the dashboard passes it on): "tier=gold&region=eu" read as region "eu&tier=gold"
  if (def.segment) q.set('segment', segmentQueryParam(monitorSegment(def)));
  return dashboardLink(base, `/ui/#/model/${encodeURIComponent(def.model)}?${q.toString()}`);
}

/** What an alert carries: metric, observed value, baseline, threshold, change, affected segments, links. */
export function alertContext(r: MonitorResult, at: number, dashboardUrl: string, segments: readonly AffectedSegment[]): Record<string, unknown> {
  const v = r.verdict;
  return {
    metric: r.def.metric, monitor: r.def.name, kind: r.def.kind, window: r.def.window, windowStart: at - r.def.windowMs, windowEnd: at,
    observed: v.value, baseline: v.baseline, threshold: v.threshold, change: v.change, compared: v.compared, samples: v.samples,
    direction: r.def.direction, segments,
    ...monitorLink(dashboardUrl, r.def, at), ...(r.def.runbookUrl !== undefined && { runbookUrl: r.def.runbookUrl }),
    ...(typeof r.detail['method'] === 'string' && { method: r.detail['method'] }),
    // fired by the noData policy: why there was no verdict
    ...(r.detail['noData'] !== undefined && { reason: v.note }),
  };
}
