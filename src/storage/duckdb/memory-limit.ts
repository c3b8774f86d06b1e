/**
 * DuckDB's memory limit (`memory_limit`): what its buffer pool may hold (cached table data, the events' id index, query
 * working memory). DuckDB's default is 80% of the machine's memory; the cached table data grows with the store up to it
 * (evictable), while the id index is held in memory and not evicted: once the index fills the limit, commits fail with
 * DuckDB's "out of memory" (ingest answers 503 and keeps nothing of those requests; the store then refuses writes until
 * the server restarts: store.ts, `failed`). Hence a limit, where one is set,
 * must leave room for the index (~8 bytes per event with time-ordered ids: docs/performance.md, Known limits).
 */

/** The smallest limit accepted: below it the store's own reads and commits fail at once. */
export const MIN_MEMORY_LIMIT_MB = 64;

const UNITS: Record<string, number> = { bytes: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };

/** Bytes of a size as DuckDB prints its settings ("64.0 MiB", "18.8 GiB", "1000 bytes"); NaN when not one. */
export function parseDuckDbSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)\s*$/.exec(text);
  const unit = m?.[2] !== undefined ? UNITS[m[2]] : undefined;
  return m?.[1] !== undefined && unit !== undefined ? Math.round(Number(m[1]) * unit) : NaN;
}
