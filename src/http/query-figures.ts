import type { VersionContext } from '../monitoring/catalog.js';
import { beforeEventsKept, beforeKept, performanceOf, sampleOf, type PerformanceResult } from '../monitoring/performance.js';
import { listedSegments } from '../monitoring/segment-estimates.js';
import { segmentMatches } from '../monitoring/segment-match.js';
import type { ModelRecord } from '../storage/types.js';
import type { AppDeps } from './deps.js';
import type { RangeParams } from './params.js';

/**
 * The seconds a merged summary of the range counts events over: its effective range (whole minutes or hours); of a
 * range still running (to after now, e.g. "today"), the part that has passed, as the throughput series does per window.
 */
export function coveredSeconds(deps: AppDeps, r: { from: number; to: number }): number {
  const eff = deps.reader.effectiveRange(r.from, r.to);
  const now = deps.clock();
  return ((now > eff.from && now < eff.to ? now : eff.to) - eff.from) / 1000;
}

/**
 * GET /performance's figures of a version over a range (without the answer's head): cached per (version context, range,
 * options) by the performance cache, so the overview's and the per-model endpoint's answers are one computation.
 */
export async function performanceFigures(
  deps: AppDeps, m: ModelRecord, v: VersionContext, r: RangeParams, opts: { segments: boolean; metrics: string[] | undefined; ci: boolean },
): Promise<PerformanceResult> {
  const perf = deps.performance;
  const { segments, metrics, ci } = opts;
  // Labelled events of the range the summaries cover (whole minutes, or hours before the minute windows'
  // retention: the answer's from/to), so that labelCoverage, realized and the CBPE estimate are of the same events.
  const eff = deps.reader.effectiveRange(r.from, r.to);
  return perf.result(v, eff.from, eff.to, `${r.segment}\u0000${segments}\u0000${metrics?.join(',') ?? ''}\u0000${ci}`, async () => {
    const [merged, labelled] = await Promise.all([
      deps.reader.merged(v, r.segment, r.from, r.to),
      perf.labelled(m.name, v.record.version, eff.from, eff.to),
    ]);
    const inSegment = r.segment === '' ? labelled.events : labelled.events.filter((l) => segmentMatches(l.event.segment, r.segment));
    // Each listed segment's CBPE estimate, from its own summaries of the range (as the top level's from the whole traffic's).
    // Every segment with traffic in the range is listed, labelled or not (unlabelled: realized null, the estimate given).
    const listed = segments ? await listedSegments(inSegment, await deps.reader.segments(v, r.from, r.to), r.segment, (s) => deps.reader.mergedStored(v, s, r.from, r.to)) : undefined;
    const result = performanceOf(m, v, inSegment, merged, 0, { segments, ci, sampled: sampleOf(labelled), positiveFrom: labelled.events, ...(metrics && { metrics }), ...(listed && { segmentSummaries: listed.summaries, segmentList: listed.segments }) });
    // Events before the cutoff are deleted with their labels (hourly), their predictions still counted by the summaries.
    const kept = beforeKept(deps.retention, eff.from, eff.to);
    return kept ? beforeEventsKept(result, kept) : result;
  });
}
