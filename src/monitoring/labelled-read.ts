import type { StorageBackend } from '../storage/backend.js';
import type { LabelledEvent } from '../storage/types.js';

/** Labelled events a performance query or a monitor reads at most (server.maxLabelledEvents); beyond, a sample. */
export const DEFAULT_MAX_LABELLED = 1_000_000;

/** Labelled events of a range as metrics read them: all of them, or a uniform sample when there are more than a read holds. */
export interface LabelledRead {
  /** In (event time, id) order, as the store returns them. */
  events: readonly LabelledEvent[];
  /** Labelled events in the range (events.length unless sampled). */
  total: number;
  /** 1, or the sample's rate: a sample by id (EventQuery.sampleRate), the same events at a rate whatever the range. */
  rate: number;
}

/** The size a sample aims at: four standard deviations of its (binomial) size under the limit, so it stays under. */
const sampleTarget = (max: number): number => Math.max(1, max - 4 * Math.sqrt(max));

/**
 * The labelled events of [from, to) (without features), at most `max`. Up to `max` this is one read. With more, that
 * read holds max + 1 rows (so it is known to be over); then they are counted and a sample aiming at max - 4 sqrt(max)
 * events (996,000 of 1,000,000) is read. Labels committed since the count may make it too large: they are counted
 * again and a lower rate read. Before this, reads stopped at the limit, and metrics over a long range silently
 * covered only its first part.
 */
export async function readLabelled(store: StorageBackend, q: { model: string; version: string; from: number; to: number }, max = DEFAULT_MAX_LABELLED): Promise<LabelledRead> {
  const query = { ...q, withoutFeatures: true, limit: max + 1 };
  const all = await store.labelledEvents(query);
  if (all.length <= max) return { events: all, total: all.length, rate: 1 };
  let total = Math.max(max + 1, await store.countLabelled(q));
  for (let attempt = 0; attempt < 3; attempt++) {
    const rate = sampleTarget(max) / total;
    const events = await store.labelledEvents({ ...query, sampleRate: rate });
    if (events.length <= max) return { events, total, rate };
    // Over the limit: labels were committed since the count (the read stopped at max + 1, so count them again).
    total = Math.max(Math.ceil(total * 1.5), await store.countLabelled(q));
  }
  throw new Error(`labelled events of ${q.model}@${q.version} kept growing while a sample of at most ${max} was read; try again`);
}
