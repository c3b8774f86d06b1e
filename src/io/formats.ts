import { closeSync, openSync, readSync } from 'node:fs';
import { InputError } from './errors.js';

export type FileFormat = 'csv' | 'parquet' | 'jsonl';

const BY_EXTENSION: Array<[RegExp, FileFormat]> = [
  [/\.(csv|tsv|txt)(\.gz|\.zst)?$/i, 'csv'],
  [/\.parquet$/i, 'parquet'],
  [/\.(jsonl|ndjson|json)(\.gz)?$/i, 'jsonl'],
];

/** The file format, from the file name's extension. */
export function formatOf(path: string): FileFormat {
  for (const [re, f] of BY_EXTENSION) if (re.test(path)) return f;
  throw new InputError(`cannot tell the format of ${path}: use a .csv, .tsv, .parquet, .jsonl/.ndjson or .json file`);
}

/** What the start of an uncompressed CSV file says of how to read it. */
export interface CsvStart {
  /** UTF-16 little-endian: the file starts with its byte order mark (pandas' to_csv(encoding='utf-16'), Excel's "Unicode Text"). */
  utf16: boolean;
  /** The delimiter of a first line `sep=;` (Excel's way of naming it), which is not the header. */
  sep: string | null;
}

/** Reads the first bytes of the file (nothing of a compressed one). */
export function csvStart(path: string): CsvStart {
  if (/\.(gz|zst)$/i.test(path)) return { utf16: false, sep: null };
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(32);
    const n = readSync(fd, head, 0, head.length, 0);
    const utf16 = n >= 2 && head[0] === 0xff && head[1] === 0xfe;
    const text = utf16 ? head.subarray(2, n - (n % 2)).toString('utf16le') : head.subarray(0, n).toString('utf8').replace(/^\uFEFF/, '');
    return { utf16, sep: /^sep=([^\r\n])\r?\n/i.exec(text)?.[1] ?? null };
  } finally {
    closeSync(fd);
  }
}

/**
 * The read_csv options the file's start asks for: `encoding = 'utf-16'` for UTF-16 (DuckDB read it as UTF-8 and
 * refused it: "CSV Error on Line: 1"); `skip = 1, delim = ';'` after a line `sep=;` (DuckDB read that line as the
 * header: columns "sep=" and "column1", the real header a row of data). Always `comment = ''`: no comment lines, as
 * pandas.read_csv (DuckDB's sniffer took '#' for a comment character when rows started with Excel's #N/A: it dropped
 * those rows and cut a later value at its '#', "c#1" read "c"; until audit 17).
 */
export function csvOptions(path: string): string {
  const s = csvStart(path);
  return `, comment = ''` + (s.utf16 ? `, encoding = 'utf-16'` : '') + (s.sep !== null ? `, skip = 1, delim = '${s.sep.replaceAll("'", "''")}'` : '');
}

/**
 * SQL text of a DuckDB table function reading the file (path quoted as a SQL string literal). Column types are
 * guessed from the first 100000 rows, or from every row when `sampleAll`. `decimalComma`: a CSV file's numbers are
 * written with a decimal comma (1,5). `maxLineSize`: a CSV line's longest in bytes (DuckDB's default 2,000,000).
 */
export function readerSql(path: string, format: FileFormat, sampleAll = false, decimalComma = false, maxLineSize?: number): string {
  const lit = `'${path.replaceAll("'", "''")}'`;
  const sample = sampleAll ? -1 : 100000;
  switch (format) {
    case 'csv':
      return `read_csv(${lit}, header = true, sample_size = ${sample}${csvOptions(path)}${decimalComma ? `, decimal_separator = ','` : ''}${maxLineSize !== undefined ? `, max_line_size = ${maxLineSize}` : ''})`;
    case 'parquet':
      return `read_parquet(${lit})`;
    case 'jsonl':
      return `read_json(${lit}, format = 'auto', sample_size = ${sample})`;
  }
}
