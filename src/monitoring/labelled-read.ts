import type { StorageBackend } from '../storage/backend.js';
import type { LabelledOutcome } from '../storage/types.js';

/** Labelled events a performance query or a monitor reads at most (server.maxLabelledEvents); beyond, a sample. */
export const DEFAULT_MAX_LABELLED = 1_000_000;

/** Labelled events of a range as metrics read them: all of them, or a uniform sample when there are more than a read holds. */
export interface LabelledRead {
  /** In (event time, id) order, as the store returns them. */
  events: readonly LabelledOutcome[];
  /** Labelled events in the range (events.length unless sampled). */
  total: number;
  /** 1, or the sample's rate: a sample by id (EventQuery.sampleRate), the same events at a rate whatever the range. */
  rate: number;
}

/** The size a sample aims at: four standard deviations of its (binomial) size under the limit, so it stays under. */
const sampleTarget = (max: number): number => Math.max(1, max - 4 * Math.sqrt(max));

/**
 * The labelled outcomes of [from, to), at most `max`: they are counted first (a few percent of a read), then all read,
 * or over `max` a sample aiming at max - 4 sqrt(max) events (996,000 of 1,000,000). Labels committed since the count
 * may make a read too large: they are counted again and a lower rate read. Before this, reads stopped at the limit,
 * and metrics over a long range silently covered only its first part.
 */
export async function readLabelled(store: StorageBackend, q: { model: string; version: string; from: number; to: number }, max = DEFAULT_MAX_LABELLED): Promise<LabelledRead> {
  let total = await store.countLabelled(q);
  for (let attempt = 0; attempt < 4; attempt++) {
    const rate = total <= max ? 1 : sampleTarget(max) / total;
    // One row over the limit shows that labels were committed since the count.
    const events = await store.labelledOutcomes({ ...q, limit: max + 1, ...(rate < 1 && { sampleRate: rate }) });
    if (events.length <= max) return { events, total: rate === 1 ? events.length : total, rate };
    total = Math.max(Math.ceil(total * 1.5), max + 1, await store.countLabelled(q));
  }
  throw new Error(`labelled events of ${q.model}@${q.version} kept growing while a sample of at most ${max} was read; try again`);
}
