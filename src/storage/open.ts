import type { StorageBackend } from './backend.js';
import { DuckDbStore } from './duckdb/store.js';
import { PostgresStore } from './postgres/store.js';

/**
 * Opens the store named by `url`: `postgres://` or `postgresql://` -> PostgreSQL (schema 'lookout');
 * add `?schema=NAME` for another schema; `duckdb:PATH`, `duckdb://PATH` or a plain file path -> the embedded DuckDB file (`:memory:` for a
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
    return PostgresStore.open(u.toString(), schema !== null ? { schema } : {});
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1];
  if (scheme !== undefined && scheme.toLowerCase() !== 'duckdb') throw new Error(`unsupported store URL scheme: ${scheme}`);
  const path = url.replace(/^duckdb:(\/\/)?/i, '');
  if (path === '') throw new Error(`no database path in store URL: ${url}`);
  return DuckDbStore.open(path, opts);
}
