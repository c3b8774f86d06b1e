import { DuckDBDoubleVector, type DuckDBConnection } from '@duckdb/node-api';
import { classify, type Dataset, FRACTIONAL, ident, missingText, numberText, textExpr } from './dataset.js';
import { formatOf } from './formats.js';

/** SQL expression giving the column as DOUBLE (NULL when missing or not a number). */
function asDouble(ds: Dataset, name: string): string {
  const col = ds.requireColumn(name);
  if (classify(col.duckType) === 'numerical') return `${ident(name)}::DOUBLE`;
  return `TRY_CAST(${numberText(col, ds.decimalComma)} AS DOUBLE)`;
}

/** Values that are present but could not be read as numbers ("abc" in a numeric column). */
async function numericMismatches(ds: Dataset, name: string): Promise<number> {
  const col = ds.requireColumn(name);
  if (classify(col.duckType) === 'numerical') return 0;
  const c = textExpr(col);
  const sql = `SELECT count(*)::DOUBLE AS n FROM ${ident(ds.table)} WHERE ${c} IS NOT NULL AND NOT ${missingText(c)} AND TRY_CAST(${numberText(col, ds.decimalComma)} AS DOUBLE) IS NULL`;
  return Number((await ds.conn.runAndReadAll(sql)).getRowObjectsJS()[0]?.['n'] ?? 0);
}

async function readDoubles(conn: DuckDBConnection, sql: string): Promise<Float64Array> {
  const result = await conn.run(sql);
  const parts: Float64Array[] = [];
  let total = 0;
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const vec = chunk.getColumnVector(0);
    if (!(vec instanceof DuckDBDoubleVector)) throw new Error('expected a DOUBLE column');
    const part = copyDoubles(vec);
    parts.push(part);
    total += part.length;
  }
  const out = new Float64Array(total);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/**
 * Copies a DOUBLE vector out of its chunk. The vector keeps its data in a Float64Array (`items`, private
 * in the typings); use it when present (one memcpy), else fall back to the public per-item accessor.
 */
function copyDoubles(vec: DuckDBDoubleVector): Float64Array {
  const items = (vec as unknown as { items?: unknown }).items;
  if (items instanceof Float64Array && items.length === vec.itemCount) return items.slice();
  const out = new Float64Array(vec.itemCount);
  for (let i = 0; i < out.length; i++) out[i] = vec.getItem(i) ?? NaN;
  return out;
}

/** The column's finite values sorted ascending, with the number of type mismatches. */
export async function sortedNumeric(ds: Dataset, name: string): Promise<{ sorted: Float64Array; typeMismatch: number }> {
  const x = asDouble(ds, name);
  const sorted = await readDoubles(ds.conn, `SELECT v FROM (SELECT ${x} AS v FROM ${ident(ds.table)}) WHERE isfinite(v) ORDER BY v`);
  return { sorted, typeMismatch: await numericMismatches(ds, name) };
}

/** The column in row order as doubles; missing or non-numeric values are NaN. */
export async function numericValues(ds: Dataset, name: string): Promise<{ values: Float64Array; typeMismatch: number }> {
  const x = asDouble(ds, name);
  const values = await readDoubles(ds.conn, `SELECT coalesce(CASE WHEN isfinite(${x}) THEN ${x} END, 'NaN'::DOUBLE) FROM ${ident(ds.table)}`);
  return { values, typeMismatch: await numericMismatches(ds, name) };
}


/**
 * Counts per category (text form of the value), missing values excluded. A fractional numeric column (codes written
 * 1.0, as pandas writes an integer column with gaps) is keyed by the number's shortest text, as an integer column and
 * an event's JSON number are (1.0 -> "1", 0.50 -> "0.5"); its NaN and +-Infinity are missing, as in a numerical column.
 */
export async function categoryCounts(ds: Dataset, name: string, booleansAsWritten = true): Promise<Map<string, number>> {
  const col = ds.requireColumn(name);
  if (FRACTIONAL.test(col.duckType)) {
    const x = `${ident(name)}::DOUBLE`;
    const rows = (await ds.conn.runAndReadAll(`SELECT ${x} AS k, count(*)::DOUBLE AS n FROM ${ident(ds.table)} WHERE isfinite(${x}) GROUP BY 1`)).getRowsJS();
    const counts = new Map<string, number>();
    for (const [k, n] of rows) {
      const key = String(Number(k));
      counts.set(key, (counts.get(key) ?? 0) + Number(n)); // 0 and -0: one category, as String(-0) is "0"
    }
    return counts;
  }
  const counts = new Map<string, number>();
  const add = (k: string, n: number): void => {
    const key = /^(true|false)$/i.test(k) ? k.toLowerCase() : k;
    counts.set(key, (counts.get(key) ?? 0) + n);
  };
  if (booleansAsWritten && col.duckType === 'BOOLEAN' && formatOf(ds.path) === 'csv') {
    // A CSV column of yes/no (or t/f), typed BOOLEAN by DuckDB, is keyed as written (as the server's reference reads
    // it): the same column with a third answer, typed text, has the categories yes/no/maybe, not true/false/maybe.
    // `booleansAsWritten` false (the other file's column is boolean too, e.g. Parquet's): keyed true/false.
    const raw = `SELECT ${ident(name)} AS v FROM ${ident(await ds.writtenBooleans())}`;
    const rows = (await ds.conn.runAndReadAll(`SELECT v, count(*)::DOUBLE AS n FROM (${raw}) WHERE v IS NOT NULL AND NOT ${missingText('v')} GROUP BY 1`)).getRowsJS();
    const present = (await ds.conn.runAndReadAll(`SELECT count(${ident(name)})::DOUBLE FROM ${ident(ds.table)}`)).getRowsJS()[0]?.[0];
    // the text read again is of the same values (else, a file read otherwise as text, the typed column's true/false)
    if (rows.reduce((t, [, n]) => t + Number(n), 0) === Number(present)) {
      for (const [k, n] of rows) add(String(k), Number(n));
      return counts;
    }
  }
  const c = textExpr(col);
  const sql = `SELECT ${c} AS k, count(*)::DOUBLE AS n FROM ${ident(ds.table)} WHERE ${c} IS NOT NULL AND NOT ${missingText(c)} GROUP BY 1`;
  // true/false in any case are one category each ("True" of pandas' text, "true" of a boolean column)
  for (const [k, n] of (await ds.conn.runAndReadAll(sql)).getRowsJS()) add(String(k), Number(n));
  return counts;
}

/** The column in row order as text; missing values are null. */
export async function textValues(ds: Dataset, name: string, missingTexts = true): Promise<(string | null)[]> {
  const c = textExpr(ds.requireColumn(name));
  const missing = missingTexts ? missingText(c) : `trim(${c}) = ''`;
  const sql = `SELECT CASE WHEN ${c} IS NULL OR ${missing} THEN NULL ELSE ${c} END FROM ${ident(ds.table)}`;
  const rows = (await ds.conn.runAndReadAll(sql)).getRowsJS();
  return rows.map((r) => (r[0] === null || r[0] === undefined ? null : String(r[0])));
}

/**
 * A text feature's column as the file spells it (trimmed; missing values null), where DuckDB typed a CSV column of
 * numbers such as 1.0 and 2.50 fractional: its text would be 1 and 2.5, which no event of a feature the model types as
 * a string sends ("1.0"): every category new, total drift on the same data until audit 27. Other columns and formats:
 * their text (a Parquet DOUBLE has no spelling).
 */
export async function writtenTextValues(ds: Dataset, name: string): Promise<(string | null)[]> {
  const values = await textValues(ds, name);
  if (!FRACTIONAL.test(ds.requireColumn(name).duckType) || formatOf(ds.path) !== 'csv') return values;
  const raw = (await ds.conn.runAndReadAll(`SELECT ${ident(name)} FROM ${ident(await ds.writtenColumn(name))}`)).getRowsJS();
  if (raw.length !== values.length) return values;
  return values.map((v, i) => (v === null ? null : String(raw[i]?.[0]).trim()));
}

/**
 * A class column (labels, predictions) in row order as text; missing values are null. DuckDB's CSV sniffer types a
 * column of yes/no (or t/f) as BOOLEAN, which reads back as true/false: such a CSV column is read as the file spells
 * it (trimmed) where `asWritten` says so; by default everywhere but for true/false in any case, which stay
 * "true"/"false" (as a boolean column of another format). A fractional numeric column: each value's shortest text.
 */
export async function classValues(ds: Dataset, name: string, asWritten = (text: string): boolean => !/^(true|false)$/i.test(text), missingTexts = true): Promise<(string | null)[]> {
  const values = await textValues(ds, name, missingTexts);
  // A fractional column (0.0/1.0: pandas writes an integer column with a missing value so) holds classes as the number's
  // shortest text, as an event's JSON number says it (1.0 -> "1"), as categoryCounts keys them; NaN and +-Infinity are
  // missing. Until audit 15 a reference's classes were "0.0"/"1.0": its positive class "1.0", which no event predicts.
  if (FRACTIONAL.test(ds.requireColumn(name).duckType)) {
    return values.map((v) => {
      const x = v === null ? NaN : Number(v);
      return Number.isFinite(x) ? String(x) : null;
    });
  }
  if (ds.requireColumn(name).duckType !== 'BOOLEAN' || formatOf(ds.path) !== 'csv') return values;
  const sql = `SELECT ${ident(name)} FROM ${ident(await ds.writtenBooleans())}`;
  const raw = (await ds.conn.runAndReadAll(sql)).getRowsJS();
  if (raw.length !== values.length) return values;
  return values.map((v, i) => {
    if (v === null) return null;
    const text = String(raw[i]?.[0]).trim();
    return asWritten(text) ? text : v;
  });
}
