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

/**
 * The read_csv options of the file's text encoding: `, encoding = 'utf-16'` for an uncompressed file starting with
 * the UTF-16 little-endian byte order mark (pandas' to_csv(encoding='utf-16'), Excel's "Unicode Text"), which DuckDB
 * reads as UTF-8 and refuses ("CSV Error on Line: 1"); else none.
 */
export function csvEncoding(path: string): string {
  if (/\.(gz|zst)$/i.test(path)) return '';
  const fd = openSync(path, 'r');
  try {
    const bom = Buffer.alloc(2);
    return readSync(fd, bom, 0, 2, 0) === 2 && bom[0] === 0xff && bom[1] === 0xfe ? `, encoding = 'utf-16'` : '';
  } finally {
    closeSync(fd);
  }
}

/**
 * SQL text of a DuckDB table function reading the file (path quoted as a SQL string literal). Column types are
 * guessed from the first 100000 rows, or from every row when `sampleAll`.
 */
export function readerSql(path: string, format: FileFormat, sampleAll = false): string {
  const lit = `'${path.replaceAll("'", "''")}'`;
  const sample = sampleAll ? -1 : 100000;
  switch (format) {
    case 'csv':
      return `read_csv(${lit}, header = true, sample_size = ${sample}${csvEncoding(path)})`;
    case 'parquet':
      return `read_parquet(${lit})`;
    case 'jsonl':
      return `read_json(${lit}, format = 'auto', sample_size = ${sample})`;
  }
}
