import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

/**
 * An escape in JSON text: a high surrogate with its low one (kept), a lone high or low surrogate (replaced), or any
 * other escape (kept; consumed whole so that `\\ud800`, an escaped backslash before text, is not taken for one).
 */
const ESCAPE = /\\(?:u[dD][89abAB][0-9a-fA-F]{2}(?:\\u[dD][c-fC-F][0-9a-fA-F]{2})?|u[dD][c-fC-F][0-9a-fA-F]{2}|[\s\S])/g;

/** The line with each lone surrogate escape ("\ud800") written "\ufffd". */
export function replaceLoneSurrogates(line: string): string {
  if (!line.includes('\\')) return line;
  return line.replace(ESCAPE, (m) => (m.length === 6 && /^\\u[dD][89a-fA-F]/.test(m) ? '\\ufffd' : m));
}

/** Whether DuckDB's JSON reader refused a string for a lone surrogate ("no low surrogate", "invalid high surrogate"). */
export function isSurrogateError(err: unknown): boolean {
  return /surrogate in string/.test(err instanceof Error ? err.message : String(err));
}

/**
 * A copy of the JSON(-lines) file (a .gz one decompressed) whose lone surrogate escapes are "\ufffd" (U+FFFD), in a
 * directory of its own: DuckDB's JSON reader refuses a file holding one, which JSON.parse reads (an event's text, stored
 * with its lone surrogates U+FFFD) and a CSV file cannot hold. `remove` deletes it.
 */
export async function wellFormedCopy(path: string): Promise<{ path: string; remove: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-json-'));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const copy = join(dir, 'data.jsonl');
    const raw = createReadStream(path);
    const input = /\.gz$/i.test(path) ? raw.pipe(createGunzip()) : raw;
    const out = createWriteStream(copy);
    try {
      for await (const line of createInterface({ input, crlfDelay: Infinity })) {
        if (!out.write(replaceLoneSurrogates(line) + '\n')) await once(out, 'drain');
      }
    } finally {
      raw.destroy();
    }
    out.end();
    await once(out, 'finish');
    return { path: copy, remove };
  } catch (e) {
    remove();
    throw e;
  }
}
