import { existsSync, statSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { InputError } from './errors.js';
import { formatOf, readerSql } from './formats.js';

export type ColumnClass = 'numerical' | 'categorical' | 'unsupported';

export interface ColumnInfo {
  name: string;
  duckType: string;
  cls: ColumnClass;
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;
const CATEGORICAL = /^(VARCHAR|BOOLEAN|ENUM.*)$/;

export function classify(duckType: string): ColumnClass {
  if (NUMERIC.test(duckType)) return 'numerical';
  if (CATEGORICAL.test(duckType)) return 'categorical';
  return 'unsupported';
}

/** Quotes an identifier for DuckDB SQL. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A data file loaded into a DuckDB table of the connection (DuckDB parses CSV, Parquet and JSON lines
 * in parallel; no hand-written parser). Columns are read out of it by the typed readers in columns.ts.
 */
export class Dataset {
  private constructor(
    readonly conn: DuckDBConnection,
    readonly table: string,
    readonly path: string,
    readonly rows: number,
    readonly columns: ColumnInfo[],
  ) {}

  static async load(conn: DuckDBConnection, path: string, table: string): Promise<Dataset> {
    if (!existsSync(path)) throw new InputError(`file not found: ${path}`);
    if (!statSync(path).isFile()) throw new InputError(`not a file: ${path}`);
    const format = formatOf(path);
    const load = (sql: string): Promise<unknown> => conn.run(`CREATE OR REPLACE TABLE ${ident(table)} AS SELECT * FROM ${sql}`);
    try {
      await load(readerSql(path, format));
    } catch (err) {
      // The types were guessed from the first rows; a later value that does not fit ("n/a" in a column of numbers
      // after row 100000) fails the read. Read again with the types guessed from every row.
      if (format === 'parquet') throw new InputError(`cannot read ${path} as ${format}: ${firstLine(err)}`);
      try {
        await load(readerSql(path, format, true));
      } catch (err2) {
        throw new InputError(`cannot read ${path} as ${format}: ${firstLine(err2)}`);
      }
    }
    const desc = await conn.runAndReadAll(`DESCRIBE ${ident(table)}`);
    const columns = desc.getRowObjectsJS().map((r) => {
      const duckType = String(r['column_type']);
      return { name: String(r['column_name']), duckType, cls: classify(duckType) };
    });
    const count = await conn.runAndReadAll(`SELECT count(*)::DOUBLE AS n FROM ${ident(table)}`);
    const rows = Number(count.getRowObjectsJS()[0]?.['n'] ?? 0);
    return new Dataset(conn, table, path, rows, columns);
  }

  column(name: string): ColumnInfo | undefined {
    return this.columns.find((c) => c.name === name);
  }

  requireColumn(name: string): ColumnInfo {
    const c = this.column(name);
    if (!c) throw new InputError(`unknown column "${name}" in ${this.path}; columns: ${this.columns.map((x) => x.name).join(', ')}`);
    return c;
  }
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0] ?? msg;
}
