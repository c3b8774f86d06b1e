import { existsSync, readFileSync, statSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { InputError } from './errors.js';
import { firstRaggedRow, headerFields } from './csv-shape.js';
import { csvOptions, csvStart, type FileFormat, formatOf, readerSql } from './formats.js';
import { firstNonUtf8 } from './utf8-check.js';
import { isSurrogateError, wellFormedCopy } from './json-surrogates.js';
import { MISSING_TEXTS } from '../core/summary/categorical.js';

export type ColumnClass = 'numerical' | 'categorical' | 'unsupported';

export interface ColumnInfo {
  name: string;
  duckType: string;
  cls: ColumnClass;
  /** A text column whose values are all numbers written with a comma (1,5), read without `decimalComma`. */
  commaNumbers?: boolean;
  /** A text column with no value but missing ones (NA, empty, ...): its kind is unknown from this file alone. */
  allMissing?: boolean;
}

/** How to read a file. */
export interface LoadOptions {
  /** A CSV file's numbers have a decimal comma (1,5; pandas' `decimal=','`), as European spreadsheets write them. */
  decimalComma?: boolean;
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/;
const CATEGORICAL = /^(VARCHAR|BOOLEAN|ENUM.*)$/;

export function classify(duckType: string): ColumnClass {
  if (NUMERIC.test(duckType)) return 'numerical';
  if (CATEGORICAL.test(duckType)) return 'categorical';
  return 'unsupported';
}

/** Strings that mean "missing" in a text column (besides NULL): empty, NaN, null (any case, trimmed). */
const MISSING_TEXT = `(trim(%c) = '' OR lower(trim(%c)) IN (${MISSING_TEXTS.map((t) => `'${t}'`).join(', ')}))`;

/** SQL condition: the text expression is a missing-value text. */
export function missingText(expr: string): string {
  return MISSING_TEXT.replaceAll('%c', () => expr); // a function: `expr` may hold $' (JSON paths), a replacement pattern
}

/** Fractional numeric column types, whose DuckDB text depends on the type (1.0 of a DOUBLE, 1.00 of a DECIMAL(p,2)). */
export const FRACTIONAL = /^(FLOAT|DOUBLE|DECIMAL.*)$/;

/** Quotes an identifier for DuckDB SQL. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * SQL expression giving the column's values as text. DuckDB types a JSON-lines field whose values mix types (numbers
 * and strings) as JSON: its strings are read without their JSON quotes ("b" -> b), numbers and booleans as written.
 */
export function textExpr(col: ColumnInfo): string {
  return col.duckType === 'JSON' ? `(${ident(col.name)} ->> '$')` : `${ident(col.name)}::VARCHAR`;
}

/**
 * SQL expression giving the column's text as a number's text: with a decimal comma, the comma a point (DuckDB reads
 * "1,5" of a column it types numeric itself; this is for text columns, e.g. of numbers and "n/a").
 */
export function numberText(col: ColumnInfo, decimalComma: boolean): string {
  return decimalComma ? `replace(${textExpr(col)}, ',', '.')` : textExpr(col);
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
    readonly decimalComma: boolean,
    /** The CSV lines' longest (bytes) the file was read with, when longer than DuckDB's default. */
    readonly maxLineSize?: number,
  ) {}

  static async load(conn: DuckDBConnection, path: string, table: string, opts: LoadOptions = {}): Promise<Dataset> {
    if (!existsSync(path)) throw new InputError(`file not found: ${path}`);
    const stat = statSync(path);
    if (!stat.isFile()) throw new InputError(`not a file: ${path}`);
    const format = formatOf(path);
    if (isBlank(path, stat.size)) {
      // DuckDB reads such a file as one made-up column ("column0", "json") and the user would see that name instead.
      throw new InputError(`file is empty: ${path} (${format === 'csv' ? 'no header row' : format === 'jsonl' ? 'no JSON lines' : 'no Parquet data'})`);
    }
    const load = (sql: string): Promise<unknown> => conn.run(`CREATE OR REPLACE TABLE ${ident(table)} AS SELECT * FROM ${sql}`);
    const decimalComma = format === 'csv' && opts.decimalComma === true;
    const maxLineSize = await readTable(load, path, format, decimalComma);
    const desc = await conn.runAndReadAll(`DESCRIBE ${ident(table)}`);
    const columns = desc.getRowObjectsJS().map((r) => {
      const duckType = String(r['column_type']);
      return { name: String(r['column_name']), duckType, cls: classify(duckType) };
    });
    const nul = columns.findIndex((c) => c.name.includes('\u0000'));
    // SQL cannot name such a column (the parser stops at the NUL): binary data, or UTF-16 text, under a text name
    if (nul >= 0) throw new InputError(`cannot read ${path} as ${format}: column ${nul + 1}'s name holds a NUL byte (a binary file, or text not in UTF-8?)`);
    // DuckDB names a column renamed for a clash "a_1": only then can names it does not tell apart have made the clash
    if (columns.some((c) => /_\d+$/.test(c.name))) await refuseNameClash(conn, path, format, columns);
    await numericTextColumns(conn, table, columns, decimalComma, format === 'csv' && !decimalComma);
    if (format === 'csv') await booleanTextColumns(conn, table, columns);
    const count = await conn.runAndReadAll(`SELECT count(*)::DOUBLE AS n FROM ${ident(table)}`);
    const rows = Number(count.getRowObjectsJS()[0]?.['n'] ?? 0);
    if (format === 'csv' && (columns.length === 1 || rows === 0)) await refuseRagged(path, columns.length);
    // Nothing to compare or measure: DuckDB types a header-only CSV's columns VARCHAR, so drift compared every column
    // as categorical on nothing and said "no drift" (exit 0) until audit 16.
    if (rows === 0) throw new InputError(`file has no rows: ${path} (${format === 'csv' ? 'a header only' : `a ${format === 'parquet' ? 'Parquet' : 'JSON'} file of 0 rows`})`);
    if (format === 'jsonl') refuseTableLayout(path, rows, columns);
    return new Dataset(conn, table, path, rows, columns, decimalComma, maxLineSize);
  }

  column(name: string): ColumnInfo | undefined {
    return this.columns.find((c) => c.name === name);
  }

  private written: Promise<string> | null = null;

  /**
   * A table of this CSV file's boolean columns as the file spells them (yes/no, t/f: DuckDB reads them true/false),
   * in row order, trimmed; read from the file once, when first asked for, for all of them (columns.ts keys such a column
   * as written: until audit 15 the file was read again for each such column).
   */
  writtenBooleans(): Promise<string> {
    return (this.written ??= this.writtenTable('written', this.columns.filter((c) => c.duckType === 'BOOLEAN').map((c) => c.name)));
  }

  private writtenOne = new Map<string, Promise<string>>();

  /**
   * A table of one CSV column as the file spells it (1.0, 2.50 of a column DuckDB typed fractional, read 1 and 2.5),
   * in row order, trimmed; read when first asked for. Audit 27: for a feature the model types as text, a rare case, so
   * not with writtenBooleans' columns (every fractional column of a wide file copied as text whenever one is boolean).
   */
  writtenColumn(column: string): Promise<string> {
    let t = this.writtenOne.get(column);
    if (!t) this.writtenOne.set(column, (t = this.writtenTable(`written_${this.writtenOne.size}`, [column])));
    return t;
  }

  private async writtenTable(suffix: string, columns: readonly string[]): Promise<string> {
    const name = `${this.table}_${suffix}`;
    const cols = columns.map((c) => `trim(${ident(c)}) AS ${ident(c)}`);
    const longLines = this.maxLineSize !== undefined ? `, max_line_size = ${this.maxLineSize}` : '';
    const source = `read_csv('${this.path.replaceAll("'", "''")}', header = true, all_varchar = true${csvOptions(this.path)}${longLines})`;
    await this.conn.run(`CREATE OR REPLACE TABLE ${ident(name)} AS SELECT ${cols.length > 0 ? cols.join(', ') : '1 AS none'} FROM ${source}`);
    return name;
  }

  requireColumn(name: string): ColumnInfo {
    const c = this.column(name);
    if (!c) throw new InputError(`unknown column "${name}" in ${this.path}; columns: ${this.columns.map((x) => x.name).join(', ')}`);
    return c;
  }
}

/** A column of objects or arrays: a STRUCT, MAP or LIST type, or DuckDB's JSON type holding them (left unsupported). */
const NESTED = /^(STRUCT|MAP)\(|\[\d*\]$|^JSON$/;

/**
 * A JSON file read as one row whose every field holds objects or arrays is a table written column-wise, as pandas'
 * DataFrame.to_json() writes one by default ({"x":{"0":1.5,"1":2.5},...}; orient 'index', 'split' and 'table' alike):
 * drift said "no columns to compare", the server's upload "has none of the model's features". Refused, saying how to
 * write it as rows.
 */
function refuseTableLayout(path: string, rows: number, columns: ColumnInfo[]): void {
  if (rows !== 1 || columns.length === 0 || !columns.every((c) => c.cls === 'unsupported' && NESTED.test(c.duckType))) return;
  const names = columns.map((c) => c.name).join(', ');
  throw new InputError(
    `cannot read ${path} as JSON: one JSON object whose fields all hold objects or arrays (${names}), as pandas' DataFrame.to_json() writes a table (orient='columns', its default, 'index', 'split' or 'table'); Lookout reads a row per line: write it with df.to_json(path, orient='records', lines=True)`,
    'table_layout', { fields: columns.map((c) => c.name) },
  );
}

/** The longest CSV line read (bytes): 1 GiB, DuckDB's buffers growing with it. */
const MAX_LINE_SIZE = 1 << 30;

/**
 * Reads the file into the table (`load` of a reader's SQL). The types are guessed from the first rows; a later value
 * that does not fit ("n/a" in a column of numbers after row 100000) fails the read: it is read again with the types
 * guessed from every row. A JSON file DuckDB refuses for a lone surrogate escape is read from a copy without them.
 * `shown` is the file's name in messages (the user's file, when `path` is such a copy).
 */
async function readTable(loadSql: (sql: string) => Promise<unknown>, path: string, format: FileFormat, decimalComma: boolean, shown = path): Promise<number | undefined> {
  const refused = async (err: unknown): Promise<InputError> => {
    // DuckDB's "CSV Error on Line: 4" (the reason on a later line of its message) of a Latin-1 file: say what and where
    if (/not utf-8 encoded|invalid UTF-8/i.test(err instanceof Error ? err.message : String(err)) && !(format === 'csv' && csvStart(path).utf16)) {
      const bad = await firstNonUtf8(path);
      if (bad) return new InputError(`cannot read ${shown}: it is not UTF-8 text (line ${bad.line} holds the byte 0x${bad.byte.toString(16).toUpperCase()}, not UTF-8: Latin-1 or Windows-1252, as Excel saves "CSV"?): save it as UTF-8 (Excel: "CSV UTF-8"; pandas: to_csv(path, encoding='utf-8'))`, 'not_utf8', { line: bad.line });
    }
    return new InputError(`cannot read ${shown} as ${format}: ${firstLine(err).replaceAll(path, shown)}`);
  };
  // A CSV line longer than DuckDB's 2,000,000 bytes (a long text field) failed the read ("CSV Error on Line: 1"): read
  // again with room for the longest line met, until it fits (pandas has no such limit).
  let maxLineSize: number | undefined;
  const load = async (sampleAll: boolean): Promise<void> => {
    for (;;) {
      try {
        await loadSql(readerSql(path, format, sampleAll, decimalComma, maxLineSize));
        return;
      } catch (err) {
        const size = /Maximum line size of \d+ bytes exceeded\. Actual Size:\s*(\d+)/.exec(err instanceof Error ? err.message : String(err));
        const next = size ? Math.max(2 * Number(size[1]), 4 * (maxLineSize ?? 2_000_000)) : NaN;
        if (format !== 'csv' || !(next <= MAX_LINE_SIZE)) throw err;
        maxLineSize = next;
      }
    }
  };
  const copied = async (): Promise<number | undefined> => {
    // the copy's lines are decoded as UTF-8: bytes that are not would be U+FFFD there, silently
    if (await firstNonUtf8(path)) throw await refused(new Error('invalid UTF-8'));
    const copy = await wellFormedCopy(path);
    try {
      return await readTable(loadSql, copy.path, format, decimalComma, path);
    } finally {
      copy.remove();
    }
  };
  try {
    await load(false);
  } catch (err) {
    if (format === 'parquet') throw await refused(err);
    if (format === 'jsonl' && shown === path && isSurrogateError(err)) return copied();
    try {
      await load(true);
      return maxLineSize;
    } catch (err2) {
      if (format === 'jsonl' && shown === path && isSurrogateError(err2)) return copied();
      // a row of another number of fields than the header: say which, rather than DuckDB's sniffing error
      if (format === 'csv') await refuseRagged(path, -1);
      throw await refused(err2);
    }
  }
  return maxLineSize;
}

/**
 * Text columns whose values are all numbers or missing-value texts ("n/a", "none", ...: DuckDB reads such a column
 * as text) are numerical features, like the numeric columns DuckDB recognises. A JSON-lines field of mixed scalar
 * types (DuckDB's JSON type) is read by its values' text the same way: numerical when they are all numbers, else
 * categorical; one holding objects or arrays stays unsupported.
 */
async function numericTextColumns(conn: DuckDBConnection, table: string, columns: ColumnInfo[], decimalComma: boolean, findCommas: boolean): Promise<void> {
  const text = columns.filter((c) => c.duckType === 'VARCHAR' || c.duckType === 'JSON');
  for (let i = 0; i < text.length; i += TEXT_COLUMNS_PER_QUERY) await classifyTextColumns(conn, table, text.slice(i, i + TEXT_COLUMNS_PER_QUERY), decimalComma, findCommas);
}

/**
 * Text columns classified by one query. DuckDB plans a query's aggregates in time growing faster than their number: the
 * 1,500 of a reference file of 500 text columns (2,000 features) took 11.4 s in one query, 3,000 took minutes (audit 15);
 * 16 columns a query keep it linear (~10 ms a query).
 */
const TEXT_COLUMNS_PER_QUERY = 16;

async function classifyTextColumns(conn: DuckDBConnection, table: string, text: ColumnInfo[], decimalComma: boolean, findCommas: boolean): Promise<void> {
  if (text.length === 0) return;
  const parts = text.flatMap((c, i) => {
    const t = textExpr(c);
    const present = `${t} IS NOT NULL AND NOT ${missingText(t)}`;
    const nested = c.duckType === 'JSON' ? `json_type(${ident(c.name)}) IN ('OBJECT', 'ARRAY')` : 'false';
    return [
      `count(*) FILTER (WHERE ${present})::DOUBLE AS p${i}`,
      `count(*) FILTER (WHERE ${present} AND TRY_CAST(${numberText(c, decimalComma)} AS DOUBLE) IS NULL)::DOUBLE AS t${i}`,
      `count(*) FILTER (WHERE ${nested})::DOUBLE AS o${i}`,
      `count(*) FILTER (WHERE ${findCommas ? `${present} AND regexp_full_match(trim(${t}), '${COMMA_NUMBER}')` : 'false'})::DOUBLE AS k${i}`,
    ];
  });
  const row = (await conn.runAndReadAll(`SELECT ${parts.join(', ')} FROM ${ident(table)}`)).getRowObjectsJS()[0] ?? {};
  text.forEach((c, i) => {
    if (Number(row[`o${i}`]) > 0) return;
    if (Number(row[`p${i}`]) === 0) c.allMissing = true;
    if (Number(row[`p${i}`]) > 0 && Number(row[`t${i}`]) === 0) c.cls = 'numerical';
    else if (c.duckType === 'JSON') c.cls = 'categorical';
    if (c.cls === 'categorical' && Number(row[`k${i}`]) > 0 && Number(row[`k${i}`]) === Number(row[`p${i}`])) c.commaNumbers = true;
  });
}

/**
 * A number written with a decimal comma (1,5; -0,25), or an integer (a text column of such values has one with a comma,
 * at least), as `decimalComma` reads it (no points grouping thousands, as pandas' decimal=',').
 */
const COMMA_NUMBER = '[+-]?[0-9]+(,[0-9]+)?';

/**
 * A row with more or fewer fields than the header: DuckDB's sniffer, finding no delimiter that fits every row, read
 * the file as one column ("a,b" of a header a,b), or took the lines before a longer row (a totals line) for a preamble
 * and read 0 rows; with the delimiter given (`sep=;`) it refused the file ("Error when sniffing file"). Only such a
 * reading is checked (a file read whole needs no second pass): an error naming the line. `columns` -1: DuckDB read none.
 */
async function refuseRagged(path: string, columns: number): Promise<void> {
  const ragged = await firstRaggedRow(path, columns);
  if (!ragged) return;
  const n = (k: number): string => `${k} field${k === 1 ? '' : 's'}`;
  throw new InputError(`cannot read ${path} as csv: line ${ragged.line} has ${n(ragged.fields)}, the header (line ${ragged.headerLine}) ${ragged.headerFields} (every row needs the header's number of fields)`);
}

/**
 * DuckDB drops the spaces around a CSV header's names (a header "a, b" names the columns a and b, as a user writing it
 * means), does not tell names apart by letter case, and renames a name met again "a_1": of a header " a,a" the column
 * "a" held the data of " a" and "a_1" those of "a" (pandas names them " a" and "a"), so the column "a" of another file
 * was compared with the data of " a"; of a header (or JSON fields) a,A the column "A" was named "A_1", missing for
 * another file's or the model's "A". Two names that differ only by the spaces around them or in letter case are
 * refused, naming both (names written the same, "a,a", stay DuckDB's a and a_1, as before).
 */
async function refuseNameClash(conn: DuckDBConnection, path: string, format: FileFormat, columns: ColumnInfo[]): Promise<void> {
  if (format === 'csv') {
    const fields = await headerFields(path);
    if (!fields || fields.length !== columns.length) return;
    const clash = firstClash(fields, (f) => f.replace(/^ +| +$/g, ''));
    if (!clash) return;
    const [j, i] = clash;
    const [x, y] = [fields[j] as string, fields[i] as string];
    const q = (k: number): string => `${JSON.stringify(fields[k])} (column ${k + 1})`;
    const why = x.replace(/^ +| +$/g, '') === y.replace(/^ +| +$/g, '')
      ? 'differ only by spaces around them, which Lookout drops from names ("a, b" names the column b)'
      : 'differ only in letter case, which Lookout does not tell apart in names';
    throw new InputError(`cannot read ${path} as csv: the header names ${q(j)} and ${q(i)} ${why}: rename one of them`, 'ambiguous_columns', { columns: [x, y] });
  }
  if (format !== 'jsonl') return;
  // a field "A_1" of the file is no clash: its keys as written, read again (only when such a name was given)
  const objects = `SELECT json_keys(json) AS ks, row_number() OVER () AS r FROM read_json_objects('${path.replaceAll("'", "''")}', format = 'auto')`;
  // in the order met (row, then place in the row)
  const sql = `SELECT k FROM (SELECT r, ks, unnest(ks) AS k FROM (${objects})) GROUP BY k ORDER BY min(r::DOUBLE * 1e6 + list_position(ks, k))`;
  let keys: string[];
  try {
    keys = (await conn.runAndReadAll(sql)).getRowsJS().map((r) => String(r[0]));
  } catch {
    return;
  }
  const clash = firstClash(keys, (k) => k);
  if (!clash) return;
  const [x, y] = [keys[clash[0]] as string, keys[clash[1]] as string];
  throw new InputError(`cannot read ${path} as JSON: the fields ${JSON.stringify(x)} and ${JSON.stringify(y)} differ only in letter case, which Lookout does not tell apart in names: rename one of them`, 'ambiguous_columns', { columns: [x, y] });
}

/** The first two names (their indexes) equal in lower case once `norm` applied, but written otherwise. */
function firstClash(names: string[], norm: (n: string) => string): [number, number] | null {
  const seen = new Map<string, number>();
  for (const [i, n] of names.entries()) {
    const key = norm(n).toLowerCase();
    const j = seen.get(key);
    if (j === undefined) seen.set(key, i);
    else if (names[j] !== n) return [j, i];
  }
  return null;
}

/** The texts DuckDB's CSV sniffer reads as booleans (in any case), true first. */
const BOOLEAN_TEXTS = { true: ['true', 't', 'yes'], false: ['false', 'f', 'no'] };

/**
 * A CSV column of booleans with gaps written as a missing-value text (pandas' `na_rep='NA'`, R's TRUE/FALSE/NA) is
 * typed VARCHAR by DuckDB, NA being no boolean: its categories were "True"/"False" where the same column without gaps,
 * typed BOOLEAN, reads "true"/"false" (total drift between the two files), and a label column with NA against a
 * prediction column without had four classes. Such a column is made BOOLEAN, its missing texts NULL, as the sniffer
 * types it without them.
 */
async function booleanTextColumns(conn: DuckDBConnection, table: string, columns: ColumnInfo[]): Promise<void> {
  const text = columns.filter((c) => c.duckType === 'VARCHAR' && c.cls === 'categorical');
  const booleans: ColumnInfo[] = [];
  // TEXT_COLUMNS_PER_QUERY columns a query, as numericTextColumns: one query of all (2 aggregates a column) took minutes for thousands
  for (let i = 0; i < text.length; i += TEXT_COLUMNS_PER_QUERY) booleans.push(...await booleanColumnsOf(conn, table, text.slice(i, i + TEXT_COLUMNS_PER_QUERY)));
  if (booleans.length === 0) return;
  const yes = BOOLEAN_TEXTS.true.map((t) => `'${t}'`).join(', ');
  // a column at a time: one CREATE TABLE ... REPLACE of hundreds of such columns ran DuckDB out of memory (18.8 GiB for
  // 500 columns of 20 rows)
  for (const c of booleans) {
    const t = ident(c.name);
    await conn.run(`ALTER TABLE ${ident(table)} ALTER COLUMN ${t} SET DATA TYPE BOOLEAN USING (CASE WHEN ${t} IS NULL OR ${missingText(t)} THEN NULL ELSE lower(trim(${t})) IN (${yes}) END)`);
  }
  for (const c of booleans) c.duckType = 'BOOLEAN';
}

/** Which of `text` hold boolean texts (and missing-value texts) only, by one query. */
async function booleanColumnsOf(conn: DuckDBConnection, table: string, text: ColumnInfo[]): Promise<ColumnInfo[]> {
  const all = [...BOOLEAN_TEXTS.true, ...BOOLEAN_TEXTS.false].map((t) => `'${t}'`).join(', ');
  const parts = text.flatMap((c, i) => {
    const t = ident(c.name);
    const present = `${t} IS NOT NULL AND NOT ${missingText(t)}`;
    return [`count(*) FILTER (WHERE ${present})::DOUBLE AS p${i}`, `count(*) FILTER (WHERE ${present} AND lower(trim(${t})) NOT IN (${all}))::DOUBLE AS o${i}`];
  });
  const row = (await conn.runAndReadAll(`SELECT ${parts.join(', ')} FROM ${ident(table)}`)).getRowObjectsJS()[0] ?? {};
  return text.filter((_, i) => Number(row[`p${i}`]) > 0 && Number(row[`o${i}`]) === 0);
}

/** A file of zero bytes, or an uncompressed text file of only whitespace (a few bytes: read only when small). */
function isBlank(path: string, size: number): boolean {
  if (size === 0) return true;
  if (size > 4096 || /\.(gz|zst|parquet)$/i.test(path)) return false;
  return readFileSync(path, 'utf8').replace(/^\uFEFF/, '').trim() === '';
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0] ?? msg;
}
