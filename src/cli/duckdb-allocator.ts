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
 * higher; bench:gateway 0.60-0.67 against 1.33-1.52 faults per proxied request. The cost: memory DuckDB frees stays
 * with the process for reuse instead of going back; DuckDB still purges a thread's arena after a task whose peak
 * went over its `allocator_flush_threshold` (128 MiB), so large transient allocations are returned as before.
 *
 * A value the operator set (even empty, which keeps DuckDB's defaults) is left as it is.
 */
export const DUCKDB_ALLOCATOR_ENV = 'DUCKDB_JE_MALLOC_CONF';
export const DUCKDB_ALLOCATOR_DEFAULT = 'dirty_decay_ms:-1,muzzy_decay_ms:-1';

if (process.env[DUCKDB_ALLOCATOR_ENV] === undefined) process.env[DUCKDB_ALLOCATOR_ENV] = DUCKDB_ALLOCATOR_DEFAULT;
