import type { RejectRecord } from '../storage/types.js';
import type { ValidEvent } from './event-input.js';

/** A request waiting for its group commit. */
export interface Pending {
  events: readonly ValidEvent[];
  rejects: readonly RejectRecord[];
  /** Resolves with the ids that were already stored (a client retrying a batch): not stored again. */
  resolve: (duplicates: ReadonlySet<string>) => void;
  reject: (e: unknown) => void;
}

export interface CarefulDeps {
  /** Commits these rows in one transaction (throws, keeping nothing, when it fails). */
  commitRows: (events: readonly ValidEvent[], rejects: readonly RejectRecord[]) => Promise<void>;
  /** Of these ids, the ones already stored. */
  storedIds: (ids: readonly string[]) => Promise<string[]>;
  /** Of these reject ids (RejectRecord.id), the ones already stored. */
  storedRejectIds: (ids: readonly string[]) => Promise<string[]>;
}

/**
 * The careful path after a failed group commit: the group once more in one transaction, with events already
 * stored (a client retrying a batch) dropped and reported, and rejected rows whose id is already stored dropped (the
 * retry's rejection is answered again, but recorded once); if that fails too and the group holds several
 * requests, each on its own, so that one bad request (a value the store refuses) fails only itself.
 */
export async function commitCarefully(batch: readonly Pending[], deps: CarefulDeps): Promise<void> {
  try {
    const duplicates = await commitGroup(batch, deps);
    for (const p of batch) p.resolve(duplicates);
  } catch (err) {
    if (batch.length === 1) {
      batch[0]?.reject(err);
      return;
    }
    for (const p of batch) {
      try {
        p.resolve(await commitGroup([p], deps));
      } catch (e) {
        p.reject(e);
      }
    }
  }
}

/** Commits the requests in one transaction; resolves with the ids that were already stored (not stored again). */
async function commitGroup(batch: readonly Pending[], deps: CarefulDeps): Promise<ReadonlySet<string>> {
  let events = batch.flatMap((p) => p.events);
  let rejects = batch.flatMap((p) => p.rejects);
  let duplicates: ReadonlySet<string> = new Set();
  for (let attempt = 0; ; attempt++) {
    try {
      await deps.commitRows(events, rejects);
      return duplicates;
    } catch (err) {
      // A retried batch whose rows are already stored: drop those and commit the rest once more.
      const rejectIds = rejects.flatMap((r) => (r.id === undefined ? [] : [r.id]));
      if (attempt > 0 || (events.length === 0 && rejectIds.length === 0)) throw err;
      const stored = events.length === 0 ? [] : await deps.storedIds(events.map((e) => e.id));
      const storedRejects = new Set(rejectIds.length === 0 ? [] : await deps.storedRejectIds(rejectIds));
      if (stored.length === 0 && storedRejects.size === 0) throw err;
      duplicates = new Set(stored);
      events = events.filter((e) => !duplicates.has(e.id));
      rejects = rejects.filter((r) => r.id === undefined || !storedRejects.has(r.id));
    }
  }
}
