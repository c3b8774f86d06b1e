/**
 * DuckDB's allocator options for `lookout` processes. Imported for its effect, first, by bin/lookout.js: DuckDB's
 * bundled jemalloc reads `DUCKDB_JE_MALLOC_CONF` once, when libduckdb is loaded, so it must be set before anything
 * imports @duckdb/node-api.
 *
 * DuckDB's own setting returns freed memory to the kernel within ~5 s (jemalloc's `dirty_decay_ms` and
 * `muzzy_decay_ms`, purged with madvise as it decays), so under steady ingest or gateway traffic the same memory is
 * handed back and faulted in again, continuously. Measured on the development VM (bench:gateway, bench:ingest): a
 * fresh page costs 14-21 µs there and the madvise calls ~0.1 ms each; without decay purging the gateway's server took
 * ~20% fewer page faults and ~15% less CPU per proxied request, ingest ~15% fewer faults. The cost: memory DuckDB
 * frees stays with the process for reuse (RSS ~60-90 MB higher under bench:ingest) instead of going back; DuckDB
 * still purges a thread's arena after a task whose peak went over its `allocator_flush_threshold` (128 MiB), so
 * large transient allocations are returned as before.
 *
 * A value the operator set (even empty, which keeps DuckDB's defaults) is left as it is.
 */
export const DUCKDB_ALLOCATOR_ENV = 'DUCKDB_JE_MALLOC_CONF';
export const DUCKDB_ALLOCATOR_DEFAULT = 'dirty_decay_ms:-1,muzzy_decay_ms:-1';

if (process.env[DUCKDB_ALLOCATOR_ENV] === undefined) process.env[DUCKDB_ALLOCATOR_ENV] = DUCKDB_ALLOCATOR_DEFAULT;
