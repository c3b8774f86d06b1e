/**
 * DuckDB's allocator options for `lookout` processes. Imported for its effect, first, by bin/lookout.js: DuckDB's
 * bundled jemalloc reads `DUCKDB_JE_MALLOC_CONF` once, when libduckdb is loaded, so it must be set before anything
 * imports @duckdb/node-api.
 *
 * DuckDB's own setting returns freed memory to the kernel within ~5 s (jemalloc's `dirty_decay_ms` and
 * `muzzy_decay_ms`, purged with madvise as it decays), so under steady ingest or gateway traffic the same memory is
 * handed back and faulted in again, continuously. On the development VM a fresh page costs 12-21 µs (bench:ingest and
 * bench:gateway measure it) and each madvise call ~0.1 ms. Without decay purging (three interleaved pairs of each
 * bench, thirteenth session): bench:ingest +12% events/s, 0.32 against 0.36-0.45 page faults per event, RSS ~25-50 MB
 * higher; bench:gateway 0.60-0.67 against 1.33-1.52 faults per proxied request. But much of the memory a burst freed
 * then stayed with the process (fourteenth session, bench:query's 30-day fill): ~25 s after it RSS 2,993 MB against
 * 2,128 MB with a 30 s decay (two runs with the same JS heap peak, 776 / 771 MB used; 77 MB after a full GC and 192 MB
 * in DuckDB's own accounting in both), and 160 s after it 1,755 MB against 1,197 MB (two more runs). So the decay is
 * 30 s (six times DuckDB's): memory reused within seconds, as under steady traffic, is still kept, and more of a
 * burst's goes back. 60 s bench:ingest, same minutes: 35,012 events/s and 0.20 faults per event against 35,938 and
 * 0.18 without decay; bench:gateway 0.82 faults per request (no decay: 0.60-0.97 in earlier runs; DuckDB's default
 * 1.33-1.52).
 *
 * A value the operator set (even empty, which keeps DuckDB's defaults) is left as it is.
 */
export const DUCKDB_ALLOCATOR_ENV = 'DUCKDB_JE_MALLOC_CONF';
export const DUCKDB_ALLOCATOR_DEFAULT = 'dirty_decay_ms:30000,muzzy_decay_ms:30000';

if (process.env[DUCKDB_ALLOCATOR_ENV] === undefined) process.env[DUCKDB_ALLOCATOR_ENV] = DUCKDB_ALLOCATOR_DEFAULT;
