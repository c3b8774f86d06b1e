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
 * SQL text of a DuckDB table function reading the file (path quoted as a SQL string literal). Column types are
 * guessed from the first 100000 rows, or from every row when `sampleAll`.
 */
export function readerSql(path: string, format: FileFormat, sampleAll = false): string {
  const lit = `'${path.replaceAll("'", "''")}'`;
  const sample = sampleAll ? -1 : 100000;
  switch (format) {
    case 'csv':
      return `read_csv(${lit}, header = true, sample_size = ${sample})`;
    case 'parquet':
      return `read_parquet(${lit})`;
    case 'jsonl':
      return `read_json(${lit}, format = 'auto', sample_size = ${sample})`;
  }
}
