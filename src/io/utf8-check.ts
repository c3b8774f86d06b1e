import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

/** Where a file stops being UTF-8: its line (from 1) and the byte there. */
export interface NotUtf8 { line: number; byte: number }

/**
 * The first byte of the file (a .gz file decompressed) that is not part of a well-formed UTF-8 sequence (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF), with its line; null when the file is UTF-8 throughout.
 */
export async function firstNonUtf8(path: string): Promise<NotUtf8 | null> {
  const raw = createReadStream(path);
  const input = /\.gz$/i.test(path) ? raw.pipe(createGunzip()) : raw;
  let line = 1;
  let need = 0; // continuation bytes still expected
  let lo = 0x80; // the next continuation byte's bounds (tighter after E0, ED, F0, F4)
  let hi = 0xbf;
  let lead = 0;
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      for (const b of chunk) {
        if (need > 0) {
          if (b < lo || b > hi) return { line, byte: lead };
          [need, lo, hi] = [need - 1, 0x80, 0xbf];
          continue;
        }
        if (b === 0x0a) line++;
        if (b < 0x80) continue;
        lead = b;
        if (b >= 0xc2 && b <= 0xdf) need = 1;
        else if (b >= 0xe0 && b <= 0xef) [need, lo, hi] = [2, b === 0xe0 ? 0xa0 : 0x80, b === 0xed ? 0x9f : 0xbf];
        else if (b >= 0xf0 && b <= 0xf4) [need, lo, hi] = [3, b === 0xf0 ? 0x90 : 0x80, b === 0xf4 ? 0x8f : 0xbf];
        else return { line, byte: b };
      }
    }
  } catch {
    return null; // a file this cannot read (a corrupt .gz): DuckDB's message stands
  } finally {
    raw.destroy();
  }
  return need > 0 ? { line, byte: lead } : null;
}
