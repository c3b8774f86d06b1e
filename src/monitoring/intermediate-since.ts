import { GRANULARITY_MS } from '../core/time/windows.js';
import { MAX_FUTURE_MS } from '../ingest/limits.js';
import type { StorageBackend } from '../storage/backend.js';

/** The store state entry that keeps intermediate-since (epoch ms, decimal). */
export const INTERMEDIATE_SINCE_STATE = 'summaries.intermediate.since';

const DAY = GRANULARITY_MS.day;

/**
 * From when on a store's intermediate summary windows (10 minutes, 6 hours) are complete, so that range reads may use
 * them (decomposeRange). Decided once per store, by the first start of a version that writes them, and kept in the
 * store's state:
 * - a store without events and rejected rows (nothing summarised yet): from the beginning, 0;
 * - a store written before: the first UTC midnight after now + MAX_FUTURE_MS. The windows written before hold minutes,
 *   hours and days only, and events up to a day ahead of the clock were accepted, so an intermediate window before that
 *   time may miss some of its events; range reads use minute and hour windows there, as before.
 * Call it before this process writes anything to the store (the server does so before the journal replay).
 */
export async function intermediateSince(store: StorageBackend, now: number): Promise<number> {
  const stored = await store.getState(INTERMEDIATE_SINCE_STATE);
  if (stored !== null) {
    const since = Number(stored);
    if (stored === '' || !Number.isSafeInteger(since) || since < 0 || since % DAY !== 0) {
      throw new Error(`store state ${INTERMEDIATE_SINCE_STATE} is ${JSON.stringify(stored)}: expected epoch milliseconds of a UTC midnight`);
    }
    return since;
  }
  const fresh = (await store.countEvents()) === 0 && (await store.countRejects()) === 0;
  const since = fresh ? 0 : Math.ceil((now + MAX_FUTURE_MS) / DAY) * DAY;
  await store.setState(INTERMEDIATE_SINCE_STATE, String(since));
  return since;
}
