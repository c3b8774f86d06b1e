import { WindowSummary } from '../core/summary/window.js';
import type { ModelCatalog } from '../monitoring/catalog.js';
import { summarySeed } from '../monitoring/catalog.js';
import type { StorageBackend } from '../storage/backend.js';
import type { Granularity, SummaryKey } from '../storage/types.js';
import { keyString } from './deltas.js';
import { UnavailableError } from '../io/errors.js';

/** Reads of a committed group's windows when the store is unavailable, 0.5 to 4 s apart (~7.5 s in all). */
const MERGE_READS = 5;

/** Store copies of the windows (one range query per model version and granularity), else empty ones. */
export async function loadWindows(store: StorageBackend, catalog: ModelCatalog, keys: readonly SummaryKey[]): Promise<Map<string, WindowSummary>> {
  const out = new Map<string, WindowSummary>();
  const groups = new Map<string, { model: string; version: string; granularity: Granularity; from: number; to: number; keys: Map<string, SummaryKey> }>();
  for (const key of keys) {
    const g = `${key.model}\u0000${key.version}\u0000${key.granularity}`;
    const group = groups.get(g) ?? { model: key.model, version: key.version, granularity: key.granularity, from: key.windowStart, to: key.windowStart + 1, keys: new Map<string, SummaryKey>() };
    group.from = Math.min(group.from, key.windowStart);
    group.to = Math.max(group.to, key.windowStart + 1);
    group.keys.set(keyString(key), key);
    groups.set(g, group);
  }
  for (const group of groups.values()) {
    const vctx = catalog.version(group.model, group.version);
    if (!vctx) throw new Error(`unknown version ${group.model}@${group.version}`);
    const rows = await store.querySummaries({ model: group.model, version: group.version, granularity: group.granularity, from: group.from, to: group.to });
    const stored = new Map(rows.map((r) => [keyString(r), r]));
    for (const [k, key] of group.keys) {
      const seed = summarySeed(key.model, key.version, key.segment, key.granularity, key.windowStart);
      const row = stored.get(k);
      out.set(k, row ? WindowSummary.fromBytes(row.data, vctx.spec, seed) : new WindowSummary(vctx.spec, seed));
    }
  }
  return out;
}

/**
 * loadWindows for a committed group's merge (CheckpointedWindows.merge), read again after a pause while the store is
 * unavailable (UnavailableError: a PostgreSQL connection dropped, the store restarting). The group is acknowledged, so a
 * failure here stops ingest until a restart (fail-stop, and readers get the store's summaries, which lack it): one
 * dropped connection did that, and an acknowledged group was not counted by the next read (test/audit13-pglead).
 */
export async function loadWindowsForMerge(store: StorageBackend, catalog: ModelCatalog, keys: readonly SummaryKey[]): Promise<Map<string, WindowSummary>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await loadWindows(store, catalog, keys);
    } catch (err) {
      if (!(err instanceof UnavailableError) || attempt >= MERGE_READS) throw err;
      await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
    }
  }
}
