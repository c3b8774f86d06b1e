import { UnavailableError } from '../io/errors.js';
import type { StorageBackend } from '../storage/backend.js';

/**
 * The store as readers see it: summary reads first wait for the ingest pipeline to checkpoint what it
 * has acknowledged (IngestPipeline.sync), so a query reads its writes although summaries are written lazily.
 * Everything else goes straight to the store.
 */
export function syncedStore(store: StorageBackend, sync: () => Promise<void>): StorageBackend {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'querySummaries') return async (...a: Parameters<StorageBackend['querySummaries']>) => { await sync(); return target.querySummaries(...a); };
      if (prop === 'querySummaryKeys') return async (...a: Parameters<StorageBackend['querySummaryKeys']>) => { await sync(); return target.querySummaryKeys(...a); };
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...args: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * The readers' sync (IngestPipeline.sync). A checkpoint the store refused (out of memory, disk full, connection lost)
 * loses nothing: its windows stay dirty and the summary journal keeps their events, and the next checkpoint writes them.
 * Its readers get an UnavailableError (HTTP 503: retry), not an internal error.
 */
export function readerSync(sync: () => Promise<void>): () => Promise<void> {
  return () => sync().catch((err: unknown) => {
    // The reason is in the answer: the server log has no line for it (a 503 of this kind is logged as its request
    // line only), and it is not always the store's ("the store failed, see the server log" until audit 13, when the
    // journal's directory could not take the checkpoint's new file).
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
    throw new UnavailableError(`the window summaries could not be brought up to date (a checkpoint failed: ${why}); nothing acknowledged is lost, retry later`, err);
  });
}
