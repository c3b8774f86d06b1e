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
