import { estimatedMetrics, type EstimatedMetrics } from '../core/summary/cbpe.js';
import type { WindowSummary } from '../core/summary/window.js';
import type { LabelledOutcome } from '../storage/types.js';

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
