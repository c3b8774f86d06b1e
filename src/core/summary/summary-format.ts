import { base64ToBytes } from './base64.js';

/**
 * Where a stored state keeps binary parts: [offset, length] into the binary part of a format-2 summary, or
 * inline base64 (format 1's latency sketch).
 */
export type BlobRef = string | [number, number];

/*
 * Stored form of a window summary (WindowSummary.toBytes / headBytes / fromBytes).
 *
 * Format 2 (written since 2026-11-30):
 *   offset  size  field
 *        0     4  magic "LKW" 0x02
 *        4     4  H = length of the JSON header (uint32, little-endian)
 *        8     H  JSON header (UTF-8): the summary's state (counters, category counts, CBPE), with each
 *                 numeric summary and the latency sketch given as [offset, length] into the binary part
 *    8 + H     …  binary part, back to back: numeric summaries (NumericSummary.toBytes: statistics, bins and
 *                 the KLL sketch's bytes) and the latency DDSketch's protobuf
 * Format 1 (read only): the whole state as JSON, sketch bytes inline in base64; it starts with "{".
 *
 * Why: in format 1 most of a 50-feature window (~78 KB) is base64 inside JSON, so reading one meant parsing
 * and base64-decoding all of it, and parsing its doubles was the slowest part. Format 2 is ~25% smaller, its JSON
 * part holds few numbers, and sketches are sliced out without copying, only when used (lazy reads).
 */
const MAGIC = [0x4c, 0x4b, 0x57, 0x02];
const HEADER_AT = 8;

/** Encodes a state built by `build`, which stores sketch bytes through the `blob` it is given. */
export function encodeSummary<S>(build: (blob: (bytes: Uint8Array) => BlobRef) => S): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 0;
  const state = build((bytes) => {
    const ref: [number, number] = [size, bytes.length];
    parts.push(bytes);
    size += bytes.length;
    return ref;
  });
  const header = new TextEncoder().encode(JSON.stringify(state));
  const out = new Uint8Array(HEADER_AT + header.length + size);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, header.length, true);
  out.set(header, HEADER_AT);
  let off = HEADER_AT + header.length;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/**
 * Decodes either format: the parsed state, and `blob`, which resolves its sketch references (views into
 * `bytes`, not copies: do not modify `bytes` while the summary may still decode from it).
 */
export function decodeSummary<S>(bytes: Uint8Array): { state: S; blob: (ref: BlobRef) => Uint8Array } {
  const fail = (why: string): never => {
    throw new Error(`summary: ${why}`);
  };
  if (bytes[0] === 0x7b) {
    const state = JSON.parse(new TextDecoder().decode(bytes)) as S;
    return { state, blob: (ref) => (typeof ref === 'string' ? base64ToBytes(ref) : fail('a section reference in a format-1 summary')) };
  }
  if (bytes.length < HEADER_AT || MAGIC.some((b, i) => bytes[i] !== b)) fail('not a stored summary (unknown format)');
  const h = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  const base = HEADER_AT + h;
  if (base > bytes.length) fail('truncated header');
  const state = JSON.parse(new TextDecoder().decode(bytes.subarray(HEADER_AT, base))) as S;
  const area = bytes.length - base;
  const blob = (ref: BlobRef): Uint8Array => {
    if (!Array.isArray(ref) || ref.length !== 2) return fail('bad section reference');
    const [off, len] = ref;
    if (!Number.isInteger(off) || !Number.isInteger(len) || off < 0 || len < 0 || off + len > area) fail('section reference out of bounds');
    return bytes.subarray(base + off, base + off + len);
  };
  return { state, blob };
}
