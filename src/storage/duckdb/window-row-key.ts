import { GRANULARITY_MS } from '../../core/time/windows.js';
import type { SummaryKey, SummaryQuery } from '../types.js';

/*
 * A one-column key for the rows of DuckDB's summary tables (column `k`, with an ART index of its own).
 *
 * Why: DuckDB (1.5) answers a filtered scan of a summaries table by materialising the out-of-line blobs of every row of
 * each 2,048-row vector it touches, not only of the rows that pass the filter, and for rows this process wrote that is
 * tens of MB per query (docs/performance.md, "Known limits"). It uses an index scan, which fetches only the matching rows,
 * for equality or IN on a single indexed column (not once a condition on another column joins it), never for the
 * compound primary key. So each row also carries its key
 * as one string, and a read of a few hundred windows of one series lists their keys: measured in bench:query's store,
 * the 24 h drift's three reads took 1.5-2.1 ms each instead of 5.7-20 ms.
 *
 * The key is computed here only (JSON of model, version, segment, window start: unambiguous whatever the strings hold;
 * lone surrogates as U+FFFD, as the columns store them), on write and on read. It relies on window starts being aligned to their
 * granularity, which every writer does (`windowStart`) and both stores check (`assertAligned`, ../window-align.ts).
 */

/** The `k` column of a summary row. */
export function windowRowKey(k: Pick<SummaryKey, 'model' | 'version' | 'segment' | 'windowStart'>): string {
  return JSON.stringify([wellFormed(k.model), wellFormed(k.version), wellFormed(k.segment), k.windowStart]);
}

/** Lone UTF-16 surrogates as U+FFFD, as DuckDB stores (and compares) them: a key matches the row the columns name. */
function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** At most this many windows are read by key; longer ranges (a 30-day series by hour reads ~720 rows) are scanned. */
export const MAX_KEYED_WINDOWS = 256;

/**
 * The keys of every window a query could return, or null when it is not a keyed read: it must name the version and the
 * segment, and its range must hold at most MAX_KEYED_WINDOWS windows.
 */
export function keyedWindows(q: SummaryQuery): string[] | null {
  if (q.version === undefined || q.segment === undefined) return null;
  const size = GRANULARITY_MS[q.granularity];
  const first = Math.ceil(q.from / size);
  const end = Math.ceil(q.to / size);
  if (!(end - first <= MAX_KEYED_WINDOWS) || !Number.isSafeInteger(first) || !Number.isSafeInteger(end)) return null;
  const out: string[] = [];
  for (let i = first; i < end; i++) out.push(windowRowKey({ model: q.model, version: q.version, segment: q.segment, windowStart: i * size }));
  return out;
}
