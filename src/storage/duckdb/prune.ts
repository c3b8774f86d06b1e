import type { Granularity, SummaryKey, SummaryQuery } from '../types.js';
import { summariesTable } from './schema.js';
import { SummaryFiles } from './summary-files.js';
import { execPrepared, type Writer } from './transactions.js';
import { windowRowKey } from './window-row-key.js';

/** What the DuckDB store's deletions past retention (ingest/retention.ts) use of it. */
export interface Pruning {
  /** The write connection (the deletions run on it, each one transaction through `write`). */
  main: Writer;
  files: SummaryFiles | undefined;
  write(work: () => Promise<unknown>): Promise<void>;
  keys(q: SummaryQuery): Promise<SummaryKey[]>;
}

/** StorageBackend.pruneWindows: per granularity one transaction; the windows' summary files go as a commit's do. */
export async function pruneWindows(p: Pruning, model: string, granularities: readonly Granularity[], before: number): Promise<number> {
  let deleted = 0;
  for (const g of granularities) {
    const keys = await p.keys({ model, granularity: g, from: 0, to: before });
    if (keys.length === 0) continue;
    // A file only ever holds what the store holds (summary-files.ts): busy from before the deletion until removed.
    const files = p.files;
    const ids = files === undefined ? [] : keys.map((k) => SummaryFiles.id(g, windowRowKey(k)));
    files?.beginWrite(ids);
    try {
      await p.write(async () => {
        deleted += await execPrepared(p.main, `DELETE FROM ${summariesTable(g)} WHERE model = $1 AND window_start < $2`, [model, before]);
        await execPrepared(p.main, 'DELETE FROM window_values WHERE model = $1 AND granularity = $2 AND window_start < $3', [model, g, before]);
      });
    } finally {
      if (files !== undefined) await files.endWrite(ids);
    }
  }
  return deleted;
}

/** StorageBackend.pruneEvents: the model's events before the cutoff, their labels and its rejects, in one transaction. */
export async function pruneEvents(p: Pruning, model: string, before: number): Promise<number> {
  let deleted = 0;
  await p.write(async () => {
    deleted = await execPrepared(p.main, 'DELETE FROM events WHERE model = $1 AND ts < $2', [model, before]);
    await execPrepared(p.main, 'DELETE FROM labels WHERE model = $1 AND ts < $2', [model, before]);
    await execPrepared(p.main, 'DELETE FROM rejects WHERE model = $1 AND ts < $2', [model, before]);
  });
  return deleted;
}
