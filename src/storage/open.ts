import type { StorageBackend } from './backend.js';
import { DuckDbStore } from './duckdb/store.js';

/** PostgreSQL queries fail after this unless the store URL sets `?query_timeout=MS`. */
export const DEFAULT_PG_QUERY_TIMEOUT_MS = 120_000;

/**
 * Opens the store named by `url`: `postgres://` or `postgresql://` -> PostgreSQL (schema 'lookout');
 * add `?schema=NAME` for another schema, `?query_timeout=MS` and `?connect_timeout=S` for its timeouts; `duckdb:PATH`, `duckdb://PATH` or a plain file path -> the embedded DuckDB file (`:memory:` for a
 * throwaway store). Other `scheme://` URLs are refused. The caller still calls init() to create tables.
 * `summaryFilesBytes`, `memoryLimitMb`: DuckDB only, see DuckDbStore.open.
 */
export async function openStore(url: string, opts: { summaryFilesBytes?: number; memoryLimitMb?: number } = {}): Promise<StorageBackend> {
  if (/^postgres(ql)?:\/\//i.test(url)) {
    // "?schema=NAME" picks the schema (default "lookout"); it is not a libpq parameter, so it is removed.
    const u = new URL(url);
    const schema = u.searchParams.get('schema');
    u.searchParams.delete('schema');
    // An empty "?schema=" is refused (invalid schema name), not read as the default schema: a templated URL whose
    // variable was empty would otherwise write into "lookout", possibly another server's store.
    // A PostgreSQL that stops answering on open connections held every request that reached it, and the pool's
    // connections with them, for ever: each query now fails after `?query_timeout=MS` (pg's own option; default 120 s),
    // answered 503, and its connection is dropped.
    const timeout = u.searchParams.get('query_timeout');
    if (timeout === null) u.searchParams.set('query_timeout', String(DEFAULT_PG_QUERY_TIMEOUT_MS));
    else if (!/^[1-9][0-9]*$/.test(timeout)) throw new Error(`query_timeout in the store URL must be a whole number of milliseconds (got "${timeout}")`);
    // How long a new connection may take (libpq's `connect_timeout`, in seconds; default 10 s). pg reads no such option
    // (it has connectionTimeoutMillis), so it is taken out of the URL and passed on.
    const connect = u.searchParams.get('connect_timeout');
    u.searchParams.delete('connect_timeout');
    if (connect !== null && !/^[1-9][0-9]{0,5}$/.test(connect)) throw new Error(`connect_timeout in the store URL must be a whole number of seconds from 1 to 999999 (got "${connect}")`);
    // loaded here: a DuckDB server (the default) does not load pg and the PostgreSQL backend (~40 modules) at start
    const { PostgresStore } = await import('./postgres/store.js');
    return PostgresStore.open(u.toString(), { ...(schema !== null && { schema }), ...(connect !== null && { connectTimeoutMs: Number(connect) * 1000 }) });
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1];
  if (scheme !== undefined && scheme.toLowerCase() !== 'duckdb') throw new Error(`unsupported store URL scheme: ${scheme}`);
  const path = url.replace(/^duckdb:(\/\/)?/i, '');
  if (path === '') throw new Error(`no database path in store URL: ${url}`);
  return DuckDbStore.open(path, opts);
}
