import { estimatedMetrics, type EstimatedMetrics } from '../core/summary/cbpe.js';
import type { WindowSummary } from '../core/summary/window.js';
import type { LabelledOutcome } from '../storage/types.js';
import type { VersionContext } from './catalog.js';
import { segmentMatches } from './segment-match.js';

/** Segments whose CBPE estimate /performance gives in `bySegment` (each one more summary read); the rest: null with a note. */
export const MAX_SEGMENT_ESTIMATES = 100;

export type Estimate = (EstimatedMetrics & { n: number }) | null;

/** The CBPE estimate of a summary (the top level's method), or null when none of its events could be estimated. */
export function estimateOf(summary: WindowSummary): Estimate {
  return summary.cbpe.n > 0 ? { ...estimatedMetrics(summary.cbpe), n: summary.cbpe.n } : null;
}

/**
 * Why `summary` (of version `v`) has no CBPE estimate, for `estimatedNote` (or, since audit 27, that a binary estimate is
 * of only some of its scored events: partialNote): undefined when it has one of all of them, or holds no
 * prediction to estimate (no events, only failed inferences, a regression model). Until audit 15 `estimated` was null
 * without a reason: a reference of one class, without scores, a model whose classes were redeclared, events without scores.
 */
export function estimateNote(v: VersionContext, summary: WindowSummary): string | undefined {
  const kind = v.spec.outputKind;
  if (summary.cbpe.n > 0) return partialNote(kind, summary);
  if (kind === 'regression' || summary.prediction.count + summary.prediction.missing === 0) return undefined;
  const { model, version } = v.record;
  if (!v.reference) return `version ${version} has no reference: CBPE calibrates scores on one with labels and scores (PUT /v1/models/${model}/versions/${version}/reference)`;
  const before = 'or they were summarised before the reference had its calibration (estimates are added at ingest)';
  if (kind === 'binary') {
    if (!v.spec.calibration) return 'the reference has no score calibration: it needs a score column and labelled rows with scores of both classes';
    return summary.score.count > 0 ? `the range's ${summary.score.count} scored events were summarised before the reference had its calibration (estimates are added at ingest)` : `no event of the range has a score (a binary model's events need \`score\`, the positive class's probability, or \`scores\` in the order of two declared classes), ${before}`;
  }
  if (!v.spec.classCalibrations) {
    return v.reference.profile.classCalibrations ? 'the model\'s classes were redeclared since the reference was uploaded: upload it again' : 'the reference has no per-class calibrations: it needs a score column per declared class (score_<class>, or ?scores=) with every class the label of some labelled rows but not all';
  }
  return `no event of the range has scores (one per declared class, in their order), ${before}`;
}

/**
 * Audit 27: a binary estimate of only some of the range's scored events (the others summarised before the reference had
 * its calibration, or while it had none) says so; it was given without a word beside the range's predictions and realized
 * metrics. Undefined when it is of all of them (or for a multiclass model: its scored events are not counted apart).
 */
function partialNote(kind: string, summary: WindowSummary): string | undefined {
  const { n } = summary.cbpe;
  const scored = summary.score.count;
  if (kind !== 'binary' || scored <= n) return undefined;
  return `the estimate is of ${n} of the range's ${scored} scored events: the other ${scored - n} were summarised while the reference had no calibration (estimates are added at ingest)`;
}

/** The segments (canonical keys, sorted) bySegment lists: those of the labelled events that have one. */
export function labelledSegments(labelled: readonly LabelledOutcome[]): string[] {
  const keys = new Set<string>();
  for (const l of labelled) if (l.event.segment !== '') keys.add(l.event.segment);
  return [...keys].sort((a, b) => (a < b ? -1 : 1));
}

/**
 * Each listed segment's merged summary of the range (the first MAX_SEGMENT_ESTIMATES), for its estimate: `read` is the
 * reader's merge of that stored segment key's windows (exactly: the events bySegment groups under it), as the top
 * level reads the whole traffic's (or the asked segment's).
 */
export async function segmentSummaries(segments: readonly string[], read: (segment: string) => Promise<WindowSummary>): Promise<Map<string, WindowSummary>> {
  const out = new Map<string, WindowSummary>();
  for (const segment of segments.slice(0, MAX_SEGMENT_ESTIMATES)) out.set(segment, await read(segment));
  return out;
}

/**
 * The segments bySegment lists (canonical keys, sorted) with the merged summaries of the first MAX_SEGMENT_ESTIMATES:
 * every segment with traffic in the range (`stored`: the stored segments with windows there, those holding `wanted`
 * when a segment is asked for), labelled or not (a segment without labels is where the estimate helps most), and every
 * segment of the labelled events. A stored segment whose summary of the range holds no event and that has no label is
 * left out (its day window overlaps the range, its events do not); one beyond the cap is not read, so listed as stored.
 */
export async function listedSegments(labelled: readonly LabelledOutcome[], stored: readonly string[], wanted: string, read: (segment: string) => Promise<WindowSummary>): Promise<{ segments: string[]; summaries: Map<string, WindowSummary> }> {
  const withLabels = new Set(labelledSegments(labelled));
  const all = [...new Set([...withLabels, ...stored.filter((x) => x !== '' && (wanted === '' || segmentMatches(x, wanted)))])].sort((a, b) => (a < b ? -1 : 1));
  const summaries = await segmentSummaries(all, read);
  const segments = all.filter((x) => withLabels.has(x) || (summaries.get(x)?.events ?? 1) > 0);
  return { segments, summaries };
}
