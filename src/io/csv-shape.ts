import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { csvStart } from './formats.js';

/** The delimiters DuckDB's CSV sniffer tries. */
const DELIMITERS = [',', ';', '\t', '|'];

/** A record whose number of fields differs from the header's. */
export interface RaggedRow { line: number; fields: number; headerLine: number; headerFields: number }

/** The file's text in chunks (a .gz file decompressed); null for a format read here only by DuckDB (.zst). */
function chunks(path: string): { stream: AsyncIterable<Buffer>; close: () => void } | null {
  if (/\.zst$/i.test(path)) return null;
  const raw = createReadStream(path);
  if (!/\.gz$/i.test(path)) return { stream: raw, close: () => raw.destroy() };
  const gunzip = createGunzip();
  raw.pipe(gunzip);
  return {
    stream: gunzip,
    close: () => {
      raw.destroy();
      gunzip.destroy();
    },
  };
}

/**
 * The header's delimiter: the candidate found most often outside quotes in the first line. Null when none is there
 * (a file of one column).
 */
function delimiterOf(firstLine: string): string | null {
  let best: string | null = null;
  let bestCount = 0;
  for (const d of DELIMITERS) {
    let n = 0;
    let quoted = false;
    for (const ch of firstLine) {
      if (ch === '"') quoted = !quoted;
      else if (ch === d && !quoted) n++;
    }
    if (n > bestCount) [best, bestCount] = [d, n];
  }
  return best;
}

/**
 * The first record (line 1 the header) whose number of fields differs from the header's, by RFC 4180 rules: a field
 * in double quotes may hold the delimiter and newlines (a doubled quote inside toggles twice: no change); blank lines
 * are skipped. Null when every record has the header's fields, the header has no delimiter, or the file is .zst; null
 * at once, without reading further, when the header has `columns` fields (DuckDB read the file's columns): the rest
 * of the file is read only when DuckDB found other columns than the header's.
 */
export async function firstRaggedRow(path: string, columns: number): Promise<RaggedRow | null> {
  const source = chunks(path);
  if (!source) return null;
  const start0 = csvStart(path);
  const decoder = new StringDecoder(start0.utf16 ? 'utf16le' : 'utf8');
  let delim: string | null = null;
  let head = '';
  let headerFields = 0;
  let headerLine = 1;
  let quoted = false;
  let fields = 1;
  let blank = true;
  let line = 1;
  let start = 1;
  let agrees = false;
  const end = (): RaggedRow | null => {
    if (blank) return null;
    if (headerFields === 0) {
      headerFields = fields;
      headerLine = start;
      agrees = fields === columns;
    } else if (fields !== headerFields) return { line: start, fields, headerLine, headerFields };
    return null;
  };
  const scan = (text: string): RaggedRow | null => {
    for (const ch of text) {
      if (ch === '"') {
        quoted = !quoted;
        blank = false;
      } else if (ch === '\n') {
        line++;
        if (quoted) continue;
        const r = end();
        if (r || agrees) return r;
        [fields, blank, start] = [1, true, line];
      } else if (ch === delim && !quoted) {
        fields++;
        blank = false;
      } else if (ch !== '\r' && ch !== ' ' && ch !== '\uFEFF') blank = false;
    }
    return null;
  };
  const firstLine = (text: string): string => text.slice(0, text.indexOf('\n') < 0 ? text.length : text.indexOf('\n'));
  try {
    for await (const chunk of source.stream) {
      let text = decoder.write(chunk);
      if (delim === null) {
        head += text;
        if (!head.includes('\n') && head.length < 1 << 20) continue;
        if (start0.sep !== null) {
          // a first line `sep=;` names the delimiter and is not the header (line 2)
          head = head.slice(head.indexOf('\n') + 1);
          line = start = 2;
        }
        delim = start0.sep ?? delimiterOf(firstLine(head));
        if (delim === null) return null;
        text = head;
      }
      const r = scan(text);
      if (r || agrees) return r;
    }
  } catch {
    return null; // a file DuckDB read but this cannot (a corrupt .gz tail): DuckDB's reading stands
  } finally {
    source.close();
  }
  const rest = decoder.end();
  if (delim === null) {
    delim = delimiterOf(firstLine(head + rest));
    if (delim === null) return null;
    return scan(head + rest) ?? end();
  }
  return scan(rest) ?? end();
}

/**
 * The header's fields as written (quotes removed, a doubled quote one quote, surrounding spaces kept): the first
 * non-blank record after a line `sep=;`, split at its delimiter (the named one, else the one found most often in it).
 * Null for a .zst file or a header of no delimiter.
 */
export async function headerFields(path: string): Promise<string[] | null> {
  const source = chunks(path);
  if (!source) return null;
  const start = csvStart(path);
  const decoder = new StringDecoder(start.utf16 ? 'utf16le' : 'utf8');
  let text = '';
  try {
    for await (const chunk of source.stream) {
      text += decoder.write(chunk);
      const record = firstRecord(text, start.sep !== null);
      if (record !== null) return fieldsOf(record, start.sep);
      if (text.length > 1 << 24) return null;
    }
  } catch {
    return null;
  } finally {
    source.close();
  }
  const record = firstRecord(text + decoder.end(), start.sep !== null, true);
  return record === null ? null : fieldsOf(record, start.sep);
}

/** The text of the first non-blank record (its newlines in quotes kept), when the text holds all of it. */
function firstRecord(text: string, skipSepLine: boolean, atEnd = false): string | null {
  let from = 0;
  if (skipSepLine) {
    const nl = text.indexOf('\n');
    if (nl < 0) return null;
    from = nl + 1;
  }
  let quoted = false;
  let begin = from;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === '\n' && !quoted) {
      const record = text.slice(begin, i).replace(/\r$/, '');
      if (record.replace(/^\uFEFF/, '').trim() !== '') return record;
      begin = i + 1;
    }
  }
  return atEnd ? text.slice(begin).replace(/\r$/, '') : null;
}

function fieldsOf(record: string, sep: string | null): string[] | null {
  const line = record.replace(/^\uFEFF/, '');
  const delim = sep ?? delimiterOf(line);
  if (delim === null) return null;
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delim) {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}
