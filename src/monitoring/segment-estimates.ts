import { estimatedMetrics, type EstimatedMetrics } from '../core/summary/cbpe.js';
import type { WindowSummary } from '../core/summary/window.js';
import type { LabelledOutcome } from '../storage/types.js';
import { segmentMatches } from './segment-match.js';

/** Segments whose CBPE estimate /performance gives in `bySegment` (each one more summary read); the rest: null with a note. */
export const MAX_SEGMENT_ESTIMATES = 100;

export type Estimate = (EstimatedMetrics & { n: number }) | null;

/** The CBPE estimate of a summary (the top level's method), or null when none of its events could be estimated. */
export function estimateOf(summary: WindowSummary): Estimate {
  return summary.cbpe.n > 0 ? { ...estimatedMetrics(summary.cbpe), n: summary.cbpe.n } : null;
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
