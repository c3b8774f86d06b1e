import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Settings of the store's DuckDB instance beyond its memory limit. DuckDB installs and loads "known" extensions on
 * demand: opening a SQLite file as the store fetched sqlite_scanner from extensions.duckdb.org (and, with it, would have
 * used the SQLite file as Lookout's store). The store needs only what is built in (json, parquet, icu).
 */
export function instanceOptions(memoryLimitMb: number | undefined): Record<string, string> {
  return {
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    ...(memoryLimitMb !== undefined && { memory_limit: `${memoryLimitMb}MiB` }),
  };
}

const SQLITE_MAGIC = 'SQLite format 3\0';

/** Throws, naming what it is, when the file at `path` is a SQLite database (DuckDB would try to attach it). */
export function refuseForeignFile(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return; // none yet (created by DuckDB), or one DuckDB will say it cannot open
  }
  try {
    const head = Buffer.alloc(SQLITE_MAGIC.length);
    const n = readSync(fd, head, 0, head.length, 0);
    if (n === head.length && head.toString('latin1') === SQLITE_MAGIC) {
      throw new Error(`${path} is not a DuckDB database (a SQLite database): give Lookout a data dir (or a duckdb: path) of its own`);
    }
  } finally {
    closeSync(fd);
  }
}
